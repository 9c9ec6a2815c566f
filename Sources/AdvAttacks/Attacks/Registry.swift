import AdvTensor

/// Every attack the language can name, in the order `:help` lists them.
public enum Attacks {
  public static let all: [any Attack.Type] = [BIM.self, CWL2.self, ModCWL2.self, Boundary.self]

  /// The declarations the language reads: each attack's own parameters, then the evaluation
  /// driver's settings (`samples`, `launches`, `batch`).
  public static var specs: [ComponentSpec] { all.map { Evaluation.spec(of: $0) } }

  public static func named(_ spelling: String) -> (any Attack.Type)? {
    all.first { $0.spec.matches(spelling) }
  }

  /// The attack of a declaration the checker resolved. The checker accepts only names from
  /// `specs`, so a miss is a broken registry, not a user's mistake.
  public static func declared(by spec: ComponentSpec) -> any Attack.Type {
    guard let attack = named(spec.name) else { preconditionFailure("attack '\(spec.name)' is declared but not registered") }
    return attack
  }
}
