import AdvSpec

/// `save adversarials [of MODEL] to "FILE.safetensors"`
extension Statements {
  static let saveAdversarials = StatementForm("save adversarials", SyntaxPattern(
    .word("save"), .word("adversarials"), .optional([.word("of"), .slot(.model())]), .word("to"),
    .slot(.path(["safetensors"], placeholder: "\"FILE.safetensors\"")))) { pass, statement, slots in
    let modelName = slots.name("model")
    // `save adversarials to …` saves a model called `adversarials`, if there is one.
    if modelName == nil, pass.environment.models["adversarials"] != nil {
      var saved = slots
      saved.names["model"] = [Name("adversarials", range: statement.range)]
      return Statements.saveModel.check(&pass, statement, saved)
    }
    var attacked: String? = nil
    if let modelName { attacked = pass.model(modelName) }
    guard let pathExpr = slots.value("path") else { return }
    let path = pass.path(slots, after: "to")
    guard modelName == nil || attacked != nil, let path else { return }
    if !path.lowercased().hasSuffix(".safetensors") {
      pass.error("adversarials are written as safetensors", at: pathExpr.range, hint: "name the file 'NAME.safetensors'")
      return
    }
    if let attacked, !pass.environment.attacked.contains(attacked) {
      pass.error("'\(attacked)' has not been attacked before this statement", at: modelName?.range ?? statement.range,
                 hint: "add 'attack ATTACK on \(attacked)' before it")
      return
    }
    if attacked == nil && pass.environment.attacked.isEmpty {
      pass.error("no attack has run before this statement: there are no adversarials to save", at: statement.range,
                 hint: "add 'attack ATTACK on MODEL' before it")
      return
    }
    guard pass.checkOutput(path, by: "save adversarials", pathExpr, in: statement.range) else { return }
    pass.emit(SaveAdversarialsStep(model: attacked, path: path), for: statement)
  }

  static let saveAdversarialsDetails = """
    `save adversarials of NAME` writes the adversarials of the latest attack on NAME (without \
    `of`, of the latest attack): `adversarials` and `originals` (N×C×H×W, float32 in [0, 1], the \
    samples that returned an image), `indices` (their test-split positions), `labels` (true) and \
    `adversarial_labels` (under the model's policy; on a stochastic model the majority over the \
    launches), int64; the attack, its parameters, the model and the seed in `__metadata__`. \
    `scripts/load_adversarials.py` reads it in PyTorch and checks the labels again.
    """
}

/// `model` nil: the adversarials of the latest attack or transfer.
public struct SaveAdversarialsStep: Step, Equatable {
  public let model: String?
  public let path: String


  public var traits: StepTraits { StepTraits(.output, savesAttackOf: .some(model)) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.saveAdversarials(of: model, to: path)
  }
}
