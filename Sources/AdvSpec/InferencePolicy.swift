/// How a stochastic model answers: one forward pass, or the mean logits of n independent passes
/// (the paper's average(10), App. F). Declared here, once, because both the language (`set
/// policy`, the `policy`/`passes` parameters of stochastic architectures) and the engine read it.
public enum InferencePolicy: Sendable, Hashable, CustomStringConvertible {
  case single
  case average(Int)

  /// The paper's policy for stochastic models.
  public static let standard = InferencePolicy.average(10)
  /// Passes `average(N)` may take.
  public static let passesRange = 1...1000
  /// The forms a script writes: `single | average(N)`.
  public static let syntax = "single | average(N)"

  /// The two kinds, as the `policy` parameter spells them.
  public enum Kind: String, ParamChoice {
    case single, average
  }

  /// The `policy` parameter of a stochastic architecture.
  public static let kindKey = ParamKey<Kind>.choice(
    "policy", default: .average, doc: "inference policy: one pass, or the mean logits of 'passes' passes [paper: average]")
  /// The `passes` parameter of a stochastic architecture.
  public static let passesKey = ParamKey.int(
    "passes", default: standard.passes, range: passesRange, doc: "forward passes averaged by the average policy [paper: 10]")

  /// The policy a stochastic architecture's parameters ask for.
  public init(params: Params) {
    switch params[InferencePolicy.kindKey] {
    case .single: self = .single
    case .average: self = .average(params[InferencePolicy.passesKey])
    }
  }

  public var passes: Int {
    switch self {
    case .single: return 1
    case .average(let n): return n
    }
  }

  public var description: String {
    switch self {
    case .single: return "single"
    case .average(let n): return "average(\(n))"
    }
  }
}
