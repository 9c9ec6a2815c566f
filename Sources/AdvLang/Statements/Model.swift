import AdvSpec

/// `model NAME = …`: the four ways to define a model, each declared in its own file
/// (`Train.swift`, `LoadModel.swift`, `Surrogate.swift`, `Mixture.swift`), documented together.
extension Statements {
  static let model = StatementSpec(
    name: "model", title: "`model … = train`, `load`, `surrogate` and `mixture`",
    forms: [train, loadModel, surrogate, mixture],
    doc: "define the model NAME: train one of architecture ARCH on the loaded data set (starting from MODEL's weights with 'from'), load one saved with 'save', train a surrogate of ORACLE from its answers, or mix models",
    details: { _ in
      """
      A `load` of a data set must come first. Defining NAME again replaces the model (later wins). \
      Parameters not given take the paper's default for the loaded data set (the tables below show \
      such defaults as `20 (cifar10: 30)`). Trained models are cached: the same data set, \
      architecture, parameters and seed train once (`adv run --no-cache` trains again).
      """ + "\n\n" + [trainDetails, loadModelDetails, surrogateDetails, mixtureDetails].joined(separator: "\n\n")
    },
    examples: ["model net = train lenet epochs=3 lr=0.001", "model r18 = load \"r18.safetensors\" as resnet18",
               "model tuned = train resnet18 from r18 epochs=2 lr=0.0001",
               "model sub = surrogate lenet of net rounds=3 vm=10", "model mix = mixture net, tuned",
               "model wmix = mixture net, tuned weights=[3, 1]"],
    names: .architecture, topics: ["train"])

  /// The parts every form shares: `model NAME =`.
  static func modelForm(_ word: String, _ rest: SyntaxPart...) -> SyntaxPattern {
    SyntaxPattern(parts: [.word("model"), .slot(.newModel()), .word("="), .word(word)] + rest)
  }
}
