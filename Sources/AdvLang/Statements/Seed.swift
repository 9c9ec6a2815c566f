import AdvSpec

/// `seed N`
extension Statements {
  static let seed = StatementSpec(
    name: "seed",
    forms: [StatementForm("seed", SyntaxPattern(.word("seed"), .slot(Slot("value", .value, "N", expected: "a number")))) { pass, statement, slots in
      guard let value = slots.value("value"), let seed = pass.checkSeed(value) else { return }
      pass.emit(SeedStep(seed: seed), for: statement)
    }],
    doc: "fix the seed of every random choice after it (subsets, initialisation, batches, noise)",
    details: { _ in
      "`N` is a whole number from 0 to \(UInt64.max); it may be an expression (`seed 6*7`). "
        + "`adv run --seed N` overrides every `seed` statement."
    },
    examples: ["seed 7"])
}

public struct SeedStep: Step, Equatable {
  public let seed: UInt64


  public var traits: StepTraits { StepTraits(.state, effect: .seed(seed)) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    if session.seedOverride == nil { session.seed = seed }
  }
}
