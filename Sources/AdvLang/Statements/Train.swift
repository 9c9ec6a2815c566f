import AdvSpec

/// `model NAME = train ARCH [from MODEL] [key=value ...]`
extension Statements {
  static let train = StatementForm("model = train", modelForm(
    "train", .slot(.component(.architecture, "architecture", "ARCH")),
    .anyOrder([.optional(.word("from"), .slot(.model("source", expected: "a model name"))),
               .arguments(ArgumentSource(slot: "architecture"))]))) { pass, statement, slots in
    if pass.environment.dataset == nil && !pass.loadAttempted {
      let example = pass.vocabulary.datasets.first?.name ?? "DATASET"
      pass.error("no data set loaded; add 'load \(example)' before this line", at: statement.range)
    }
    guard let modelName = slots.name("model"), let architectureName = slots.name("architecture") else { return }
    let architecture = pass.component(.architecture, architectureName)
    let params = pass.parameters(slots.arguments, of: architecture, dataset: pass.environment.dataset)
    let sourceName = slots.name("source")
    let source = sourceName.flatMap { pass.model($0) }
    guard let name = pass.resolve(modelName, as: "a model name"),
          pass.defineModel(name, as: architecture, on: pass.environment.dataset,
                           if: params != nil && (sourceName == nil) == (source == nil)),
          let architecture, let params else { return }
    pass.emit(TrainStep(model: name, architecture: architecture, params: params, source: source), for: statement)
  }

  static let trainDetails = """
    `from MODEL` starts the training from a model defined earlier instead of a fresh \
    initialisation (fine-tuning, warm starts): every weight and batch-norm statistic whose PyTorch \
    `state_dict` name and shape match is copied, and the input normalisation when the input shapes \
    agree; tensors that do not fit (a classifier with another class count, say) start freshly \
    initialised, with a warning that names them. A model with nothing in common is an error. \
    `epochs=0` makes a copy under the new architecture's settings (`bnn-d` weights as `bnn-s`, \
    say). The cache key includes MODEL's, so a changed MODEL trains again.
    """
}

public struct TrainStep: Step, Equatable {
  public let model: String
  public let architecture: ComponentSpec
  public let params: Params
  public let source: String?


  public var traits: StepTraits { StepTraits(.model, defines: model, needs: source.map { [$0] } ?? []) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.trainModel(model, architecture, params, from: source, statement: planned.text)
  }
}
