import AdvSpec

/// `model NAME = surrogate ARCH of ORACLE [key=value ...]`
extension Statements {
  static let surrogate = StatementForm("model = surrogate", modelForm(
    "surrogate", .slot(.component(.architecture, "architecture", "ARCH")), .word("of"),
    .slot(.model("oracle", "ORACLE", expected: "the oracle model")),
    .arguments(ArgumentSource(slot: "architecture", settings: "surrogate")))) { pass, statement, slots in
    guard let modelName = slots.name("model"), let architectureName = slots.name("architecture"),
          let oracleName = slots.name("oracle") else { return }
    let architecture = pass.component(.architecture, architectureName)
    let oracle = pass.model(oracleName)
    let settings = pass.procedure("surrogate", at: statement.range)
    let merged = architecture.flatMap { settings.map(ComponentSpec.merging($0)) }
    let dataset = oracle.flatMap { pass.environment.trainedOn[$0] }
    let params = pass.parameters(slots.arguments, of: merged, dataset: dataset)
    guard let name = pass.resolve(modelName, as: "a model name"),
          pass.defineModel(name, as: architecture, on: dataset, if: oracle != nil && params != nil),
          let architecture, let oracle, let params else { return }
    pass.emit(SurrogateStep(model: name, architecture: architecture, params: params, oracle: oracle), for: statement)
  }

  static let surrogateDetails = """
    `model NAME = surrogate ARCH of ORACLE` trains a substitute of architecture ARCH from ORACLE's \
    hard labels only (Papernot et al.): the attacker starts from `seed_split` of the test split \
    (the rest is the evaluation pool that `transfer` draws from), trains from scratch in each of \
    `rounds` rounds and doubles its data by Jacobian-based augmentation in between; `vm=10` trains \
    with Variance Mimicking (the paper's Algorithm 1). Its settings, with the paper's epochs and \
    learning rate for each round, are in the table "surrogate" below; ARCH's other training \
    parameters (optimiser, batch, …) are ARCH's own. Oracle queries are counted.
    """
}

/// `params` holds the architecture's parameters (with the surrogate's training defaults) and
/// the surrogate settings.
public struct SurrogateStep: Step, Equatable {
  public let model: String
  public let architecture: ComponentSpec
  public let params: Params
  public let oracle: String


  public var traits: StepTraits { StepTraits(.model, defines: model, needs: [oracle]) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.surrogate(model, architecture, params, of: oracle, statement: planned.text)
  }
}
