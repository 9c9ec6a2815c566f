import AdvSpec

/// `evaluate MODEL`
extension Statements {
  static let evaluate = StatementSpec(
    name: "evaluate",
    forms: [StatementForm("evaluate", SyntaxPattern(.word("evaluate"), .slot(.model()))) { pass, statement, slots in
      if let name = slots.name("model"), let model = pass.model(name) { pass.emit(EvaluateStep(model: model), for: statement) }
    }],
    doc: "measure a model's clean accuracy on the test split",
    details: { _ in "A stochastic model answers under its policy (`set policy`); each evaluation draws fresh noise." },
    examples: ["evaluate net"])
}

public struct EvaluateStep: Step, Equatable {
  public let model: String


  public var traits: StepTraits { StepTraits(.result, needs: [model], drawsEvaluation: true) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.evaluate(model, statement: planned.text)
  }
}
