import AdvNN
import AdvTensor

/// ModCWL2, the paper's Equation 3: Carlini-Wagner L2 plus the mean margin over K random
/// transforms of the candidate — rotation uniform in ±180°, then a shift of 0–10 whole pixels
/// in a random axis direction — differentiated through the transform (bilinear sampling), so
/// the adversarial tends to survive rotations and shifts (attacks.md §4). Every other setting is
/// CWL2's; `k=0` is CWL2 exactly.
public struct ModCWL2: Attack {
  public static let k = ParamKey.int("k", default: 5, range: 0...100, doc: "random transforms per iteration [paper: 5]")
  public static let shift = ParamKey.int("shift", default: 10, range: 0...1000, doc: "largest translation in whole pixels [paper: 10]")

  public static let spec = ComponentSpec(
    kind: .attack, name: "modcwl2", aliases: ["modcw", "mod-cwl2"],
    doc: "CWL2 plus the mean margin over k random rotations and shifts (the paper's Equation 3)",
    params: CWL2.spec.params + [k.spec, shift.spec])

  /// As CWL2 [paper, §III-B].
  public static let defaultSamples = CWL2.defaultSamples

  let params: Params

  public init(params: Params) { self.params = params }

  public func run(_ adv: inout AdversarialBatch, rng: inout RandomStream) throws {
    var optimisation = CWL2.optimisation(params, stochastic: adv.isStochastic)
    optimisation.transforms = params[ModCWL2.k]
    optimisation.maxShift = params[ModCWL2.shift]
    try optimisation.run(&adv, rng: &rng)
  }
}
