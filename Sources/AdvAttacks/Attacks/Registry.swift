import AdvTensor

/// Every attack the language can name, in the order `:help` lists them.
public enum Attacks {
  public static let all: [any Attack.Type] = [BIM.self, CWL2.self, ModCWL2.self, Boundary.self]

  public static var specs: [ComponentSpec] { all.map { $0.spec } }

  public static func named(_ spelling: String) -> (any Attack.Type)? {
    all.first { $0.spec.matches(spelling) }
  }
}
