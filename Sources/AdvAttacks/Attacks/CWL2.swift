import AdvNN
import AdvTensor
import Foundation

/// Carlini & Wagner L2 (Carlini & Wagner 2017) with Foolbox 1.8.0's `CarliniWagnerL2Attack`
/// semantics (attacks.md §3; the optimisation is `CarliniWagner`): binary search over c (5
/// steps from 0.01) on deterministic targets, one run with c = 10 on stochastic ones, as the
/// paper did; `search=on|off` forces either. Early abort checks each sample's loss on
/// deterministic targets (Foolbox 1.8) and the batch's summed loss on stochastic ones (Foolbox 3):
/// one sample's loss there is a draw of a noisy model, and a per-sample check stopped most samples
/// by chance long before they converged (grammar.md, "Which reference an attack reproduces").
public struct CWL2: Attack {
  public static let spec = ComponentSpec(
    kind: .attack, name: "cwl2", aliases: ["cw", "carlini-wagner", "cw-l2"],
    doc: "Carlini-Wagner L2: Adam on a tanh-space perturbation, margin loss, binary search over c",
    params: [
      .choice("search", default: "auto", options: ["auto", "on", "off"],
              doc: "binary search over c; auto: on for deterministic targets, off with c=10 for stochastic ones [paper]"),
      .int("search_steps", default: 5, range: 1...50, doc: "binary-search steps [foolbox: 5]"),
      .real("c", default: 0.01, range: 0...1e6, doc: "initial constant of the search, or the constant with search=off [foolbox: 0.01]"),
      .int("steps", default: 1000, range: 1...100_000, doc: "Adam iterations per search step [foolbox: 1000]"),
      .real("lr", default: 5e-3, range: 0...10, doc: "Adam learning rate [foolbox: 5e-3]"),
      .real("confidence", default: 0, range: 0...1000, doc: "margin κ [foolbox: 0]"),
      .bool("abort_early", default: true, doc: "stop when the loss stopped falling by 0.01% at a check, every tenth of the steps [foolbox: true]"),
      .choice("abort_by", default: "auto", options: ["auto", "sample", "batch"],
              doc: "whose loss abort_early checks: sample = each sample's own, which stops it alone [foolbox 1.8, the paper]; batch = the summed loss of the batch, which stops all its samples [foolbox 3]; auto: sample on deterministic targets, batch on stochastic ones (one sample's loss is as noisy as the model and stops it by chance)"),
      .int("samples", default: 100, range: 1...1_000_000, doc: "correctly classified test samples attacked [paper: 100]"),
      .int("launches", default: 100, range: 1...100_000, doc: "re-launches of each adversarial on a stochastic target [paper: 100]"),
    ])

  let params: Params

  public init(params: Params) { self.params = params }

  public func run(_ adv: inout AdversarialBatch, rng: inout RandomStream) throws {
    try CarliniWagner(params: CWL2.resolved(params, stochastic: adv.model.isStochastic)).run(&adv, rng: &rng)
  }

  /// The `auto` settings made concrete for a target. `search`: deterministic → `on`;
  /// stochastic → `off`, c = 10. `abort_by`: deterministic → `sample`, stochastic → `batch`.
  static func resolved(_ params: Params, stochastic: Bool) -> Params {
    var p = params
    if params.string("abort_by") == "auto" { p["abort_by"] = .string(stochastic ? "batch" : "sample") }
    guard params.string("search") == "auto" else { return p }
    p["search"] = .string(stochastic ? "off" : "on")
    if stochastic { p["c"] = .real(10) }
    return p
  }
}
