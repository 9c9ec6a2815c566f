import AdvNN
import AdvTensor
import Foundation

/// Carlini & Wagner L2 (Carlini & Wagner 2017) with Foolbox 1.8.0's `CarliniWagnerL2Attack`
/// semantics (attacks.md §3): tanh change of variables `x = tanh(w)/2 + 1/2`, Adam (lr 5e-3,
/// β 0.9/0.999, ε 1e-7) on the perturbation of `w`, loss `‖x − x̂₀‖² + c · max(0, z_y −
/// max_{j≠y} z_j + κ)`, binary search over c (5 steps from 0.01, ×10 until success, then
/// bisection), 1,000 iterations per step, early abort when the loss stops falling by 0.01% at
/// every tenth of the iterations. `search=off` runs one optimisation with const = c (the paper's
/// setting for stochastic models, c = 10). All samples of a batch run together, each with its
/// own constant, search bounds and abort state.
public struct CWL2: Attack {
  public static let spec = ComponentSpec(
    kind: .attack, name: "cwl2", aliases: ["cw", "carlini-wagner", "cw-l2"],
    doc: "Carlini-Wagner L2: Adam on a tanh-space perturbation, margin loss, binary search over c",
    params: [
      .choice("search", default: "on", options: ["on", "off"],
              doc: "binary search over c [paper: on for deterministic, off (c=10) for stochastic models]"),
      .int("search_steps", default: 5, range: 1...50, doc: "binary-search steps [foolbox: 5]"),
      .real("c", default: 0.01, range: 0...1e6, doc: "initial constant, or the constant when search=off [foolbox: 0.01; paper: 10 without search]"),
      .int("steps", default: 1000, range: 1...100_000, doc: "Adam iterations per search step [foolbox: 1000]"),
      .real("lr", default: 5e-3, range: 0...10, doc: "Adam learning rate [foolbox: 5e-3]"),
      .real("confidence", default: 0, range: 0...1000, doc: "margin κ [foolbox: 0]"),
      .bool("abort_early", default: true, doc: "stop a sample whose loss stopped falling [foolbox: true]"),
      .int("samples", default: 100, range: 1...1_000_000, doc: "correctly classified test samples attacked [paper: 100]"),
      .int("launches", default: 100, range: 1...100_000, doc: "re-launches of each adversarial on a stochastic target [paper: 100]"),
    ])

  let searchSteps: Int
  let initialConst: Float
  let steps: Int
  let lr: Float
  let confidence: Float
  let abortEarly: Bool

  public init(params: Params) {
    searchSteps = params.string("search") == "off" ? 1 : params.int("search_steps")
    initialConst = Float(params.real("c"))
    steps = params.int("steps")
    lr = Float(params.real("lr"))
    confidence = Float(params.real("confidence"))
    abortEarly = params.bool("abort_early")
  }

  public func run(_ adv: inout AdversarialBatch, rng: inout RandomStream) throws {
    let n = adv.count, d = adv.originals.count / max(n, 1)
    let targets = (0..<n).filter { adv.active[$0] }  // skipped: misclassified before the attack
    guard !targets.isEmpty else { return }
    // Attack-space original and its model-space image x̂₀.
    let w0 = adv.originals.map { atanhf((($0 - 0.5) / 0.5) * 0.999999) }
    let xhat0 = w0.map { tanhf($0) * 0.5 + 0.5 }
    var const = [Float](repeating: initialConst, count: n)
    var lo = [Float](repeating: 0, count: n), hi = [Float](repeating: .infinity, count: n)
    let checkEvery = Int((Double(steps) / 10).rounded(.up))
    for _ in 0..<searchSteps {
      var p = Tensor(zeros: adv.originals.shape), m1 = Tensor(zeros: p.shape), m2 = Tensor(zeros: p.shape)
      var found = [Bool](repeating: false, count: n)
      var previous = [Float](repeating: .infinity, count: n)
      var running = targets
      for it in 0..<steps {
        try Interrupt.check()
        if running.isEmpty { break }
        let rows = running
        let pw = p.gather(rows: rows), w = w0.gather(rows: rows), xh = xhat0.gather(rows: rows)
        let t = (w + pw).map { tanhf($0) }
        let x = t.map { $0 * 0.5 + 0.5 }
        var margins = [Float](repeating: 0, count: rows.count)
        let labels = rows.map { adv.labels[$0] }
        let kappa = confidence
        let (_, gm, wrong) = adv.logitGradient(x, samples: rows) { z in
          // Seed onehot(y) − onehot(best other) where the margin is positive, else 0.
          let k = z.shape[1]
          var seed = Tensor(zeros: z.shape)
          for r in 0..<rows.count {
            var best = -Float.infinity, arg = 0
            for j in 0..<k where j != labels[r] && z[flat: r * k + j] > best { best = z[flat: r * k + j]; arg = j }
            let m = max(0, z[flat: r * k + labels[r]] - best + kappa)
            margins[r] = m
            if m > 0 { seed[flat: r * k + labels[r]] = 1; seed[flat: r * k + arg] = -1 }
          }
          return seed
        }
        // Adam (Foolbox's: bias-corrected, ε = 1e-7) on g·dx/dp, per element.
        let step = Float(it + 1)
        let c1 = 1 - powf(0.9, step), c2 = 1 - powf(0.999, step)
        var losses = [Float](repeating: 0, count: rows.count)
        for (r, i) in rows.enumerated() {
          if wrong[r] { found[i] = true }
          var distance: Float = 0
          for j in 0..<d {
            let e = r * d + j, diff = x[flat: e] - xh[flat: e]
            distance += diff * diff
            let g = (2 * diff + const[i] * gm[flat: e]) * (1 - t[flat: e] * t[flat: e]) * 0.5
            let f = i * d + j
            m1[flat: f] = 0.9 * m1[flat: f] + 0.1 * g
            m2[flat: f] = 0.999 * m2[flat: f] + 0.001 * g * g
            p[flat: f] -= lr * (m1[flat: f] / c1) / ((m2[flat: f] / c2).squareRoot() + 1e-7)
          }
          losses[r] = distance + const[i] * margins[r]
        }
        if abortEarly && it % checkEvery == 0 {
          var keep: [Int] = []
          for (r, i) in rows.enumerated() {
            if losses[r] <= 0.9999 * previous[i] {
              previous[i] = losses[r]
              keep.append(i)
            }
          }
          running = keep
        }
      }
      for i in targets {
        if found[i] { hi[i] = const[i] } else { lo[i] = const[i] }
        const[i] = hi[i] == .infinity ? const[i] * 10 : (lo[i] + hi[i]) / 2
      }
    }
  }
}
