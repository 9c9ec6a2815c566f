import AdvTensor

/// The settings of `model NAME = mixture A, B[, C ...]` (attacks.md §9): a stochastic model that
/// answers every query with one member drawn at random, uniformly (the paper's) or by `weights`.
public enum MixtureSettings {
  /// Which clean samples an attack on a mixture may pick.
  public enum Eligible: String, ParamChoice {
    /// Correctly classified by every member [reading of §9: comparable with the single models].
    case members
    /// Correctly classified by one answer of the mixture itself, as for any other model.
    case mixture
  }

  public static let eligible = ParamKey<Eligible>.choice(
    "eligible", default: .members,
    doc: "samples an attack may pick: members = correct under every member [reading, §9]; mixture = correct under one answer of the mixture")

  /// The largest weight a script may give: weights are relative, and a bound keeps their sum finite.
  public static let weightRange: ClosedRange<Double> = 0...1e6

  /// Each member's relative chance of answering, in member order; empty = uniform, the paper's.
  /// The checker requires one weight per member and a positive sum.
  public static let weights = ParamKey<[Double]>.reals(
    "weights", default: [], range: weightRange,
    doc: "relative chance of each member answering, one per member in order, normalised by their sum ([3, 1]: 3/4 and 1/4); white-box gradients are then the weighted mean of the members'; [] = uniform [paper]")

  public static let spec = ComponentSpec(
    kind: .procedure, name: "mixture",
    doc: "a stochastic model answering each query with one member drawn at random, uniformly unless weighted; white-box gradients are the members' mean, weighted as the draw (§9)",
    params: [eligible.spec, weights.spec])
}
