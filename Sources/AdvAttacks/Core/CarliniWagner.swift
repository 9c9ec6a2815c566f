import AdvNN
import AdvTensor
import Foundation

/// The optimisation shared by `cwl2` and `modcwl2` (attacks.md §3–4), Foolbox 1.8.0's
/// `CarliniWagnerL2Attack` semantics: tanh change of variables `x = tanh(w)/2 + 1/2`, Adam
/// (β 0.9/0.999, ε 1e-7, bias-corrected) on the perturbation of `w`, loss
/// `‖x − x̂₀‖² + c · max(0, z_y − max_{j≠y} z_j + κ)`, binary search over c (from `c`, ×10
/// until success, then bisection), early abort when the loss stopped falling by 0.01% at every
/// tenth of the iterations: each sample's own loss, or (`abort_by=batch`, Foolbox 3) the summed
/// loss of the samples still optimised, which then stop together. The loss compared is that one
/// iteration's (Foolbox 1.8 and 3) or, with `abort_loss=mean`, the mean over the iterations since
/// the previous check: on a stochastic target one iteration's loss is one noisy draw, and a
/// single draw stopped optimisations that were still progressing (grammar.md).
///
/// With `transforms` K > 0 (ModCWL2, the paper's Equation 3) every iteration also draws K
/// random transforms per sample and adds `(1/K) Σ_k margin(z(R_k(x)))` (weight 1, not c), its
/// gradient taken through R. Only the untransformed image is ever a query.
///
/// The gradient pass's logits also answer the iteration's query (on a stochastic target they are
/// one average(10) answer, as a separate query would be: Foolbox 3's rule; Foolbox 1.8 drew a
/// second one).
///
/// All samples of a batch optimise together, each with its own constant, search bounds and abort
/// state; the per-element work runs over raw buffers.
struct CarliniWagner {
  let searchSteps: Int
  let initialConst: Float
  let steps: Int
  let lr: Float
  let confidence: Float
  let abortEarly: Bool
  /// Early abort compares the batch's summed loss (Foolbox 3) instead of each sample's (Foolbox 1.8).
  let abortByBatch: Bool
  /// Early abort compares each window's mean loss (the iterations since the previous check)
  /// with the previous window's, from the second check on, instead of one iteration's loss.
  var abortOnMean = false
  /// Attack every sample, a clean image the first query found adversarial included, and do not
  /// keep that clean answer as a candidate (Foolbox 3); otherwise such a sample is returned as it
  /// is, unattacked (Foolbox 1.8).
  var ignoreCleanAnswers = false
  /// K random transforms per iteration (ModCWL2); 0 is plain CWL2.
  var transforms = 0
  /// Largest shift of a transform, in whole pixels.
  var maxShift = 0

  /// The seed `onehot(y) − onehot(best other)` of rows whose margin is positive (zero rows
  /// elsewhere) and every row's margin `max(0, z_y − max_{j≠y} z_j + κ)`.
  static func marginSeed(_ z: Tensor, labels: [Int], kappa: Float) -> (seed: Tensor, margins: [Float]) {
    let rows = labels.count, k = z.shape[1]
    var seed = Tensor(zeros: z.shape)
    var margins = [Float](repeating: 0, count: rows)
    z.withUnsafeBufferPointer { pz in
      seed.withUnsafeMutableBufferPointer { ps in
        for r in 0..<rows {
          let y = labels[r]
          var best = -Float.infinity, arg = 0
          for j in 0..<k where j != y && pz[r * k + j] > best { best = pz[r * k + j]; arg = j }
          let m = max(0, pz[r * k + y] - best + kappa)
          margins[r] = m
          if m > 0 { ps[r * k + y] = 1; ps[r * k + arg] = -1 }
        }
      }
    }
    return (seed, margins)
  }

  func run(_ adv: inout AdversarialBatch, rng: inout RandomStream) throws {
    let n = adv.count, d = adv.originals.count / max(n, 1)
    let shape = Array(adv.originals.shape.dropFirst())
    if ignoreCleanAnswers { adv.forgetCleanAnswers() }
    let targets = (0..<n).filter { adv.active[$0] }  // skipped: misclassified before the attack
    guard !targets.isEmpty else { return }
    // Only ModCWL2 draws from the stream, so `modcwl2 k=0` is `cwl2` to the bit.
    var transformRNG = transforms > 0 ? RandomStream(seed: rng.nextUInt64(), stream: 0xC3A) : rng
    let (channels, height, width) = shape.count == 3 ? (shape[0], shape[1], shape[2]) : (1, 1, d)
    // Attack-space original and its model-space image x̂₀.
    let w0 = adv.originals.scalars.map { atanhf((($0 - 0.5) / 0.5) * 0.999999) }
    let xhat0 = w0.map { tanhf($0) * 0.5 + 0.5 }
    let xhat0Images = Tensor(xhat0, shape: adv.originals.shape)
    var const = [Float](repeating: initialConst, count: n)
    var lo = [Float](repeating: 0, count: n), hi = [Float](repeating: .infinity, count: n)
    let checkEvery = Int((Double(steps) / 10).rounded(.up))
    let kappa = confidence, k = transforms
    for search in 0..<searchSteps {
      var p = [Float](repeating: 0, count: n * d), m1 = p, m2 = p
      var found = [Bool](repeating: false, count: n)
      var previous = [Float](repeating: .infinity, count: n)
      var previousTotal = Float.infinity
      var running = targets
      // abort_loss=mean: each sample's loss summed over the current window, and its length.
      var window = [Double](repeating: 0, count: abortOnMean ? n : 0)
      var windowLength = 0
      for it in 0..<steps {
        try Interrupt.check()
        if it % 10 == 0 { adv.progress(Double(search * steps + it) / Double(searchSteps * steps)) }
        if running.isEmpty { break }
        let rows = running, count = rows.count
        var t = [Float](repeating: 0, count: count * d)
        var x = Tensor(uninitialized: [count] + shape)
        x.withUnsafeMutableBufferPointer { px in
          for (r, i) in rows.enumerated() {
            for j in 0..<d {
              let v = tanhf(w0[i * d + j] + p[i * d + j])
              t[r * d + j] = v
              px[r * d + j] = v * 0.5 + 0.5
            }
          }
        }
        let labels = rows.map { adv.labels[$0] }
        var margins: [Float] = []
        let (_, gm, adversarial) = adv.logitGradient(x, samples: rows, gradientPassAnswers: true) { z in
          let (seed, m) = CarliniWagner.marginSeed(z, labels: labels, kappa: kappa)
          margins = m
          return seed
        }
        // ModCWL2: (1/K) Σ_k Rₖᵀ ∇margin(R_k x) and the mean transformed margin per row.
        var transformGradient = [Float](repeating: 0, count: k > 0 ? count * d : 0)
        var transformLoss = [Float](repeating: 0, count: count)
        if k > 0 {
          var maps: [ImageTransform] = []
          maps.reserveCapacity(count * k)
          for _ in 0..<(count * k) {
            maps.append(.random(height: height, width: width, maxShift: maxShift, rng: &transformRNG))
          }
          var xt = Tensor(uninitialized: [count * k] + shape)
          x.withUnsafeBufferPointer { px in
            xt.withUnsafeMutableBufferPointer { pt in
              for r in 0..<count {
                for q in 0..<k {
                  maps[r * k + q].apply(px.baseAddress! + r * d, pt.baseAddress! + (r * k + q) * d, channels: channels)
                }
              }
            }
          }
          let repeated = rows.flatMap { Array(repeating: $0, count: k) }
          let repeatedLabels = repeated.map { adv.labels[$0] }
          var tMargins: [Float] = []
          tMargins.reserveCapacity(repeated.count)
          let gt = adv.auxiliaryLogitGradient(xt, samples: repeated) { z, rows in
            let (seed, m) = CarliniWagner.marginSeed(z, labels: Array(repeatedLabels[rows]), kappa: kappa)
            tMargins += m
            return seed
          }
          gt.withUnsafeBufferPointer { pg in
            transformGradient.withUnsafeMutableBufferPointer { pa in
              for r in 0..<count {
                for q in 0..<k where tMargins[r * k + q] > 0 {
                  maps[r * k + q].accumulateAdjoint(pg.baseAddress! + (r * k + q) * d, into: pa.baseAddress! + r * d,
                                                    channels: channels, scale: 1 / Float(k))
                }
                transformLoss[r] = (0..<k).reduce(0) { $0 + tMargins[r * k + $1] } / Float(k)
              }
            }
          }
        }
        // Adam on g·dx/dp, per sample row.
        let step = Float(it + 1)
        let c1 = 1 - powf(0.9, step), c2 = 1 - powf(0.999, step)
        let distances = rows.enumerated().map { r, i in Float(SquaredL2()(x, row: r, xhat0Images, row: i)) }
        var losses = [Float](repeating: 0, count: count)
        gm.withUnsafeBufferPointer { pg in
          p.withUnsafeMutableBufferPointer { pp in
            m1.withUnsafeMutableBufferPointer { pm1 in
              m2.withUnsafeMutableBufferPointer { pm2 in
                x.withUnsafeBufferPointer { px in
                  for (r, i) in rows.enumerated() {
                    if adversarial[r] { found[i] = true }
                    let ci = const[i]
                    for j in 0..<d {
                      let e = r * d + j, f = i * d + j
                      var g = 2 * (px[e] - xhat0[f]) + ci * pg[e]
                      if k > 0 { g += transformGradient[e] }
                      g *= (1 - t[e] * t[e]) * 0.5
                      pm1[f] = 0.9 * pm1[f] + 0.1 * g
                      pm2[f] = 0.999 * pm2[f] + 0.001 * g * g
                      pp[f] -= lr * (pm1[f] / c1) / ((pm2[f] / c2).squareRoot() + 1e-7)
                    }
                    losses[r] = distances[r] + ci * margins[r] + transformLoss[r]
                  }
                }
              }
            }
          }
        }
        if abortEarly {
          // abort_loss=mean: iteration 0 belongs to no window; the first window (iterations
          // 1...checkEvery) only sets the reference.
          if abortOnMean && it > 0 {
            for (r, i) in rows.enumerated() { window[i] += Double(losses[r]) }
            windowLength += 1
          }
          if it % checkEvery == 0 && !(abortOnMean && it == 0) {
            let reference = abortOnMean && it == checkEvery
            func loss(_ r: Int, _ i: Int) -> Float { abortOnMean ? Float(window[i] / Double(windowLength)) : losses[r] }
            if abortByBatch {
              let total = rows.enumerated().reduce(Float(0)) { $0 + loss($1.offset, $1.element) }
              if reference || total <= 0.9999 * previousTotal { previousTotal = total } else { running = [] }
            } else {
              var keep: [Int] = []
              for (r, i) in rows.enumerated() where reference || loss(r, i) <= 0.9999 * previous[i] {
                previous[i] = loss(r, i)
                keep.append(i)
              }
              running = keep
            }
            if abortOnMean {
              for i in rows { window[i] = 0 }
              windowLength = 0
            }
          }
        }
      }
      for i in targets {
        if found[i] { hi[i] = const[i] } else { lo[i] = const[i] }
        const[i] = hi[i] == .infinity ? const[i] * 10 : (lo[i] + hi[i]) / 2
      }
    }
  }
}
