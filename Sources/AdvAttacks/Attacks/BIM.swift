import AdvNN
import AdvTensor

/// Basic Iterative Method, L∞ (Kurakin, Goodfellow, Bengio 2017), with Foolbox 1.8.0's
/// `LinfinityBasicIterativeAttack` semantics as the paper ran it (attacks.md §2):
///
///     x₀ = x;  x_{t+1} = clip_[0,1]( x + clip_[−ε,ε]( x_t + α·sign(∇ₓ CE(F(x_t), y)) − x ) )
///
/// untargeted, no random start, fixed ε (no binary search), stopping at the first misclassified
/// iterate (`return_early`). Defaults: α = 0.05 and 100 iterations [paper]; ε = 32/255 [paper's
/// headline tables]; 500 samples [paper, §III-B].
///
/// What it returns (`keep`): the closest misclassified query (Foolbox 1.8's bookkeeping), or the
/// final iterate (Foolbox 3's `LinfBasicIterativeAttack`), for every sample, the ones a first query
/// found misclassified included. `auto` keeps the closest on deterministic targets and the final
/// iterate on stochastic ones, where one misclassified query is a lucky draw, not evidence: the
/// closest such query fooled 100 re-launches far less often than the iterate the attack went on to.
public struct BIM: Attack {
  public static let eps = ParamKey.real(
    "eps", default: 32.0 / 255, range: 0...1, doc: "L∞ budget in pixel units [paper: 8, 16, 32 /255]")
  public static let alpha = ParamKey.real("alpha", default: 0.05, range: 0...1, doc: "step size in pixel units [paper: 0.05]")
  public static let steps = ParamKey.int("steps", default: 100, range: 1...100_000, doc: "iterations [paper: 100]")
  public static let early = ParamKey.bool(
    "early", default: true, doc: "stop a sample at its first misclassified iterate [foolbox 1.8: return_early]")
  public static let keep = ParamKey.choice(
    "keep", default: Keep.auto,
    doc: "the image returned: best = the closest misclassified query [foolbox 1.8, the paper]; last = the final iterate, every sample attacked [foolbox 3]; auto: best on deterministic targets, last on stochastic ones")

  /// The image BIM returns (see the type's doc).
  public enum Keep: String, ParamChoice { case auto, best, last }

  public static let spec = ComponentSpec(
    kind: .attack, name: "bim", aliases: ["linf-bim", "basic-iterative"],
    doc: "Basic Iterative Method (L∞): signed cross-entropy gradient steps projected onto the ε-ball",
    params: [eps.spec, alpha.spec, steps.spec, early.spec, keep.spec])

  /// [paper, §III-B]
  public static let defaultSamples = 500

  public let eps: Float
  public let alpha: Float
  public let steps: Int
  public let returnEarly: Bool
  /// `auto` is resolved per target in `run`.
  public let keep: Keep

  public init(params: Params) {
    eps = Float(params[BIM.eps])
    alpha = Float(params[BIM.alpha])
    steps = params[BIM.steps]
    returnEarly = params[BIM.early]
    keep = params[BIM.keep]
  }

  public func run(_ adv: inout AdversarialBatch, rng: inout RandomStream) throws {
    let last = keep == .last || (keep == .auto && adv.isStochastic)
    // Foolbox 3 attacks every sample: a first query that misclassified one is no reason to stop.
    let attacked = last ? Array(0..<adv.count) : (0..<adv.count).filter { adv.active[$0] }
    if last { for i in attacked { adv.active[i] = true } }
    // On a deterministic model the forward pass of a gradient step also answers the query of
    // the previous step's iterate, so each iteration costs one forward pass instead of two.
    // Returning the final iterate without early stop, nothing depends on the iterates' queries:
    // a stochastic target is then not queried between steps (nor does Foolbox 3 query it).
    let fuse = adv.shareQueryPasses
    var iterate = adv.originals
    var unqueried = [Bool](repeating: false, count: adv.count)
    let width = adv.originals.count / max(adv.count, 1)
    for iteration in 0..<steps {
      try Interrupt.check()
      adv.progress(Double(iteration) / Double(steps))
      var samples = (0..<adv.count).filter { adv.active[$0] }
      if samples.isEmpty { break }
      let x = iterate.gather(rows: samples)
      let g: Tensor
      var keep = [Bool](repeating: true, count: samples.count)
      if fuse && samples.contains(where: { unqueried[$0] }) {
        let (gradient, adversarial) = adv.gradientAndQuery(x, samples: samples, stopAdversarial: returnEarly)
        g = gradient
        for (row, i) in samples.enumerated() {
          unqueried[i] = false
          if adversarial[row] && returnEarly {
            adv.active[i] = false
            keep[row] = false
          }
        }
      } else {
        g = adv.lossGradient(x, samples: samples)
      }
      let next = step(x, gradient: g, origin: adv.originals(samples))
      samples = samples.enumerated().filter { keep[$0.offset] }.map(\.element)
      let rows = keep.enumerated().filter(\.element).map(\.offset)
      iterate.withUnsafeMutableBufferPointer { pi in
        next.withUnsafeBufferPointer { pn in
          for (row, i) in zip(rows, samples) {
            (pi.baseAddress! + i * width).update(from: pn.baseAddress! + row * width, count: width)
          }
        }
      }
      if fuse {
        for i in samples { unqueried[i] = true }
      } else if returnEarly || !last {
        let adversarial = adv.query(iterate.gather(rows: samples), samples: samples)
        if returnEarly {
          for (row, i) in samples.enumerated() where adversarial[row] { adv.active[i] = false }
        }
      }
    }
    let pending = (0..<adv.count).filter { unqueried[$0] }
    if !pending.isEmpty { adv.query(iterate.gather(rows: pending), samples: pending) }
    if last && !attacked.isEmpty { adv.returnImages(iterate.gather(rows: attacked), samples: attacked) }
  }

  /// `clip_[0,1](x₀ + clip_[−ε,ε](x + α·sign(g) − x₀))`, with sign(0) = 0.
  func step(_ x: Tensor, gradient g: Tensor, origin: Tensor) -> Tensor {
    var next = Tensor(uninitialized: x.shape)
    let (a, e) = (alpha, eps)
    x.withUnsafeBufferPointer { px in
      g.withUnsafeBufferPointer { pg in
        origin.withUnsafeBufferPointer { po in
          next.withUnsafeMutableBufferPointer { pn in
            for j in 0..<pn.count {
              let s: Float = pg[j] > 0 ? 1 : (pg[j] < 0 ? -1 : 0)
              let projected = po[j] + min(max(px[j] + a * s - po[j], -e), e)
              pn[j] = min(max(projected, 0), 1)
            }
          }
        }
      }
    }
    return next
  }
}
