import AdvTensor

/// The settings of `model NAME = mixture A, B[, C ...]` (attacks.md §9): a stochastic model that
/// answers every query with one member drawn at random.
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

  public static let spec = ComponentSpec(
    kind: .procedure, name: "mixture",
    doc: "a stochastic model answering each query with one member drawn uniformly at random; white-box gradients are the members' mean (§9)",
    params: [eligible.spec])
}
