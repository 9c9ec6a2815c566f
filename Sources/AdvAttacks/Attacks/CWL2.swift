import AdvNN
import AdvTensor
import Foundation

/// Carlini & Wagner L2 (Carlini & Wagner 2017) with Foolbox 1.8.0's `CarliniWagnerL2Attack`
/// semantics (attacks.md §3; the optimisation is `CarliniWagner`): binary search over c (5
/// steps from 0.01) on deterministic targets, one run with c = 10 on stochastic ones, as the
/// paper did; `search=on|off` forces either. Early abort checks each sample's loss on
/// deterministic targets (Foolbox 1.8) and the batch's summed loss on stochastic ones (Foolbox 3):
/// one sample's loss there is a draw of a noisy model, and a per-sample check stopped most samples
/// by chance long before they converged. On stochastic targets the check also compares the mean
/// loss over each tenth of the iterations rather than one iteration's, for the same reason
/// (grammar.md, "Which reference an attack reproduces").
public struct CWL2: Attack {
  public static let search = ParamKey.choice(
    "search", default: Search.auto,
    doc: "binary search over c; auto: on for deterministic targets, off with c=10 for stochastic ones [paper]")
  public static let searchSteps = ParamKey.int("search_steps", default: 5, range: 1...50, doc: "binary-search steps [foolbox: 5]")
  public static let c = ParamKey.real(
    "c", default: 0.01, range: 0...1e6, doc: "initial constant of the search, or the constant with search=off [foolbox: 0.01]")
  public static let steps = ParamKey.int("steps", default: 1000, range: 1...100_000, doc: "Adam iterations per search step [foolbox: 1000]")
  public static let lr = ParamKey.real("lr", default: 5e-3, range: 0...10, doc: "Adam learning rate [foolbox: 5e-3]")
  public static let confidence = ParamKey.real("confidence", default: 0, range: 0...1000, doc: "margin κ [foolbox: 0]")
  public static let abortEarly = ParamKey.bool(
    "abort_early", default: true,
    doc: "stop when the loss stopped falling by 0.01% at a check, every tenth of the steps [foolbox: true]")
  public static let abortBy = ParamKey.choice(
    "abort_by", default: AbortBy.auto,
    doc: "whose loss abort_early checks: sample = each sample's own, which stops it alone [foolbox 1.8, the paper]; batch = the summed loss of the batch, which stops all its samples [foolbox 3]; auto: sample on deterministic targets, batch on stochastic ones (one sample's loss is as noisy as the model and stops it by chance)")
  public static let abortLoss = ParamKey.choice(
    "abort_loss", default: AbortLoss.auto,
    doc: "the loss abort_early compares at a check: point = that one iteration's [foolbox 1.8 and 3]; mean = the mean over the iterations since the previous check, against the previous tenth's, from the second check on; auto: point on deterministic targets, mean on stochastic ones (one iteration's loss is one noisy draw, which stopped optimisations still progressing)")
  public static let cleanAnswer = ParamKey.choice(
    "clean_answer", default: CleanAnswer.auto,
    doc: "a sample whose clean image the first query already answers wrongly: keep = returned as it is, distance 0, not attacked [foolbox 1.8, the paper]; ignore = attacked like every other sample, that answer not a candidate [foolbox 3]; auto: keep on deterministic targets, ignore on stochastic ones (one noisy answer is no evidence)")

  /// Whether to search over c.
  public enum Search: String, ParamChoice { case auto, on, off }
  /// Whose loss early abort compares.
  public enum AbortBy: String, ParamChoice { case auto, sample, batch }
  /// Which loss early abort compares.
  public enum AbortLoss: String, ParamChoice { case auto, point, mean }
  /// What a clean image the first query answers wrongly becomes.
  public enum CleanAnswer: String, ParamChoice { case auto, keep, ignore }

  public static let spec = ComponentSpec(
    kind: .attack, name: "cwl2", aliases: ["cw", "carlini-wagner", "cw-l2"],
    doc: "Carlini-Wagner L2: Adam on a tanh-space perturbation, margin loss, binary search over c",
    params: [search.spec, searchSteps.spec, c.spec, steps.spec, lr.spec, confidence.spec, abortEarly.spec, abortBy.spec, abortLoss.spec, cleanAnswer.spec])

  /// [paper, §III-B]
  public static let defaultSamples = 100

  let params: Params

  public init(params: Params) { self.params = params }

  public func run(_ adv: inout AdversarialBatch, rng: inout RandomStream) throws {
    try CWL2.optimisation(params, stochastic: adv.isStochastic).run(&adv, rng: &rng)
  }

  /// The optimisation `params` ask for, with the `auto` settings made concrete for a target.
  /// `search`: deterministic → on; stochastic → off with c = 10 [paper]. `abort_by`:
  /// deterministic → sample, stochastic → batch. `abort_loss`: deterministic → point,
  /// stochastic → mean. `clean_answer`: deterministic → keep,
  /// stochastic → ignore.
  static func optimisation(_ params: Params, stochastic: Bool) -> CarliniWagner {
    let abortBy: AbortBy = params[CWL2.abortBy] == .auto ? (stochastic ? .batch : .sample) : params[CWL2.abortBy]
    let search: Search = params[CWL2.search] == .auto ? (stochastic ? .off : .on) : params[CWL2.search]
    let c: Double = params[CWL2.search] == .auto && stochastic ? 10 : params[CWL2.c]
    let clean: CleanAnswer = params[CWL2.cleanAnswer] == .auto ? (stochastic ? .ignore : .keep) : params[CWL2.cleanAnswer]
    var optimisation = CarliniWagner(
      searchSteps: search == .off ? 1 : params[CWL2.searchSteps], initialConst: Float(c), steps: params[CWL2.steps],
      lr: Float(params[CWL2.lr]), confidence: Float(params[CWL2.confidence]), abortEarly: params[CWL2.abortEarly],
      abortByBatch: abortBy == .batch)
    optimisation.ignoreCleanAnswers = clean == .ignore
    let abortLoss: AbortLoss = params[CWL2.abortLoss] == .auto ? (stochastic ? .mean : .point) : params[CWL2.abortLoss]
    optimisation.abortOnMean = abortLoss == .mean
    return optimisation
  }
}
