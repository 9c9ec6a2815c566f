import AdvTensor

/// The settings of `transfer` (attacks.md §6): which adversarials crafted on the source count,
/// how many are kept and how stochastic targets score them. The attack's own parameters come
/// from its declaration; these are added to them.
public enum TransferSettings {
  /// How a stochastic source decides that an adversarial is valid.
  public enum Validity: String, ParamChoice {
    /// `passes` single forward passes [paper, App. G2, reading: single passes].
    case single
    /// `passes` launches under the source's inference policy (average(10)).
    case policy
  }

  public static let samples = ParamKey.int(
    "samples", default: 100, range: 1...1_000_000, doc: "valid adversarials kept, drawn in seeded order from the eligible samples [paper: 100]")
  public static let launches = ParamKey.int(
    "launches", default: 100, range: 1...100_000, doc: "re-launches of each adversarial on a stochastic target [paper: 100]")
  public static let valid = ParamKey.real(
    "valid", default: 0.75, range: 0...1,
    doc: "a stochastic source's adversarial is valid when more than this fraction of its passes misclassify it [paper: 0.75, App. G2]")
  public static let passes = ParamKey.int(
    "passes", default: 100, range: 1...100_000, doc: "passes of a stochastic source that decide validity [paper: 100, App. G2]")
  public static let validity = ParamKey<Validity>.choice(
    "validity", default: .single,
    doc: "what one of those passes is: single = one forward pass [reading of App. G2]; policy = one answer under the source's policy")

  public static let spec = ComponentSpec(
    kind: .procedure, name: "transfer",
    doc: "adversarials crafted on a source model, launched against target models (Table III; surrogate attacks of Table IV)",
    params: [samples.spec, launches.spec, valid.spec, passes.spec, validity.spec])
}
