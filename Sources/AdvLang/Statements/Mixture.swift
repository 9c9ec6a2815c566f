import AdvSpec

/// `model NAME = mixture MODEL, MODEL[, MODEL ...] [key=value ...]`
extension Statements {
  static let mixture = StatementForm("model = mixture", modelForm(
    "mixture", .slot(.models("members", expected: "a member model")),
    .arguments(ArgumentSource(settings: "mixture")))) { pass, statement, slots in
    guard let modelName = slots.name("model") else { return }
    let memberNames = slots.list("members")
    let members = memberNames.map { pass.model($0) }
    let settings = pass.procedure("mixture", at: statement.range)
    let params = pass.parameters(slots.arguments, of: settings, dataset: nil)
    guard let name = pass.resolve(modelName, as: "a model name") else { return }
    var valid = members.allSatisfy { $0 != nil } && params != nil
    let resolved = members.compactMap { $0 }
    if valid && Set(resolved).count < 2 {
      let list = memberNames.dropFirst().reduce(memberNames[0].range) { $0.union($1.range) }
      pass.error("a mixture needs at least two different models", at: list,
                 hint: resolved.count == 1 ? "add another model: 'mixture \(resolved[0]), OTHER'" : "list each member once")
      valid = false
    }
    if valid && !pass.sameData(resolved, names: memberNames) { valid = false }
    if let params, !pass.mixtureWeights(params, slots.arguments, members: memberNames) { valid = false }
    let dataset = resolved.first.flatMap { pass.environment.trainedOn[$0] }
    guard pass.defineModel(name, as: settings, on: dataset, if: valid), let params, let settings else { return }
    pass.emit(MixtureStep(model: name, members: resolved, settings: settings, params: params), for: statement)
  }

  static let mixtureDetails = """
    `model NAME = mixture A, B[, C ...]` is a stochastic model that answers every query with one \
    member drawn uniformly at random (the paper's defence); white-box attacks follow the members' \
    mean gradient. The members must be trained on the same data set. `weights=[3, 1]` draws the \
    members with those relative weights instead (one per member, in order; here 3/4 and 1/4), and \
    the gradient becomes the members' mean weighted alike.
    """
}

/// `settings` is the `mixture` declaration, which the checker files the model under.
public struct MixtureStep: Step, Equatable {
  public let model: String
  public let members: [String]
  public let settings: ComponentSpec
  public let params: Params


  public var traits: StepTraits { StepTraits(.model, defines: model, needs: members, rebuiltOnMerge: true) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.mixture(model, of: members, params: params, statement: planned.text)
  }
}
