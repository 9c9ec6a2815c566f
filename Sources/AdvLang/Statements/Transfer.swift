import AdvSpec

/// `transfer ATTACK [key=value ...] from SOURCE to TARGET[, TARGET ...]`
extension Statements {
  static let transfer = StatementSpec(
    name: "transfer",
    forms: [StatementForm("transfer", SyntaxPattern(
      .word("transfer"), .slot(.component(.attack, "attack", "ATTACK")),
      .anyOrder([.arguments(ArgumentSource(slot: "attack", settings: "transfer")),
                 .required(.word("from"), .slot(.model("source", "SOURCE", expected: "the source model")),
                           hint: "add 'from' and the model the adversarials are crafted on"),
                 .required(.word("to"), .slot(.models("targets", "TARGET", expected: "a target model")),
                           hint: "add 'to' and the models the adversarials are launched against")]))) { pass, statement, slots in
      guard let attackName = slots.name("attack"), let sourceName = slots.name("source") else { return }
      let targetNames = slots.list("targets")
      let attack = pass.component(.attack, attackName)
      let source = pass.model(sourceName)
      let targets = targetNames.map { pass.model($0) }
      let settings = pass.procedure("transfer", at: statement.range)
      let merged = attack.flatMap { settings.map(ComponentSpec.merging($0)) }
      let params = pass.parameters(slots.arguments, of: merged, dataset: source.flatMap { pass.environment.trainedOn[$0] })
      guard let attack, let params, let source, targets.allSatisfy({ $0 != nil }) else { return }
      let resolved = targets.compactMap { $0 }
      guard pass.sameData([source] + resolved, names: [sourceName] + targetNames) else { return }
      pass.emit(TransferStep(attack: attack, params: params, source: source, targets: resolved), for: statement)
    }],
    doc: "craft adversarials on SOURCE and launch them against every TARGET; records each target's transfer rate",
    details: { _ in
      """
      Only adversarials valid on the source count: a deterministic source must misclassify them, \
      a stochastic one in more than `valid` of `passes` passes (App. G2). Eligible samples are \
      classified correctly by the source and by every target, and are drawn in seeded order until \
      `samples` valid adversarials are kept; a surrogate source draws only from its evaluation \
      pool, never from the images it was trained on. The attack's own parameters are given as \
      usual; the transfer settings are in the table "transfer" below.
      """
    },
    examples: ["model r18 = train resnet18 epochs=1", "transfer bim eps=16/255 from r18 to net", "transfer cwl2 c=10 from net to r18, net samples=50"],
    names: .attack)
}

/// `params` holds the attack's parameters and the transfer settings.
public struct TransferStep: Step, Equatable {
  public let attack: ComponentSpec
  public let params: Params
  public let source: String
  public let targets: [String]


  public var traits: StepTraits { StepTraits(.result, needs: [source] + targets) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.transfer(attack, params, from: source, to: targets, statement: planned.text)
  }
}
