import AdvTensor
import Foundation

/// The MC-SEFRON spiking classifier (Jeyasothy, Sundaram, Ramasamy, Sundararajan 2019) as the
/// authors' code runs it (snn.md §2): Gaussian receptive-field encoding of every input value
/// into one spike time, one output neuron per class with a time-varying weight function per
/// synapse, first-spike decision, and the spike-time-error learning rule.
///
/// All times are time steps of 0.01 ms. Weights are stored class-major, `W[c, i, g]`
/// (`[C, P, 301]`), so the rule's Gaussian update along the grid is one contiguous run per
/// synapse; thresholds θ are `[C]`.
public struct MCSEFRONEngine: Sendable {
  /// Pre-synaptic spike window T (3 ms) [paper: reference default]; spike indices are 1 … T+1.
  public static let window = 300
  /// Simulation window of the output neurons T_OID (4 ms): t = 0 … 399 are scanned.
  public static let outputWindow = 400
  /// Desired firing time of the correct class T_ID = T_d (2 ms).
  public static let desired = 200
  /// Time constant τ of the spike-response kernel (3 ms).
  public static let tau: Float = 300
  /// Time constant τ_s of the normalised STDP window (1.6 ms).
  public static let stdpTau: Float = 160
  /// Width σ of the Gaussian that spreads a weight change in time (0.55 ms).
  public static let spread: Float = 55
  /// Receptive-field overlap factor (hard-coded in the reference).
  public static let overlap: Float = 0.7

  /// Grid samples of a weight function: g = 0 … T.
  public static let grid = window + 1

  public let features: Int
  public let fields: Int
  public let classes: Int
  /// Required gap T_m between the correct class and the earliest wrong one.
  public let margin: Int
  public let centres: [Float]
  public let width: Float
  /// ε(Δ) for Δ = 0 … 401 (0 at Δ ≤ 0).
  let kernel: [Float]
  /// ε′(Δ) for Δ = 0 … 401 (0 at Δ ≤ 0).
  let kernelSlope: [Float]
  /// E[k, t] = ε(t − k), k = 0 … 301, t = 0 … 399: the potential of one unit-weight spike.
  let response: Tensor
  /// G[k, g] = exp(−(g − k)² / (2σ²)), k = 0 … 301, g = 0 … 300.
  let gaussian: [Float]

  /// Pre-synaptic neurons P = d · RF.
  public var presynaptic: Int { features * fields }

  public init(features: Int, fields: Int, classes: Int, margin: Int = 5) {
    precondition(fields >= 3, "MC-SEFRON needs at least 3 receptive fields")
    self.features = features
    self.fields = fields
    self.classes = classes
    self.margin = margin
    let inv = 1 / Float(fields - 2)
    centres = (1...fields).map { Float(2 * $0 - 3) / 2 * inv }
    width = inv / MCSEFRONEngine.overlap
    let tau = MCSEFRONEngine.tau
    let eps: [Float] = (0...401).map { d in d <= 0 ? 0 : Float(d) / tau * expf(1 - Float(d) / tau) }
    kernel = eps
    kernelSlope = (0...401).map { d in d <= 0 ? 0 : expf(1 - Float(d) / tau) / tau * (1 - Float(d) / tau) }
    let steps = MCSEFRONEngine.outputWindow, grid = MCSEFRONEngine.grid
    var e = Tensor(zeros: [grid + 1, steps])
    e.withUnsafeMutableBufferPointer { p in
      for k in 0...grid {
        for t in (k + 1)..<max(steps, k + 1) { p[k * steps + t] = eps[t - k] }
      }
    }
    response = e
    let s2 = 2 * MCSEFRONEngine.spread * MCSEFRONEngine.spread
    var g = [Float](repeating: 0, count: (grid + 1) * grid)
    for k in 0...grid {
      for j in 0..<grid { g[k * grid + j] = expf(-Float((j - k) * (j - k)) / s2) }
    }
    gaussian = g
  }

  /// ε(Δ) for an integer lag (0 for Δ ≤ 0).
  @inline(__always) func epsilon(_ d: Int) -> Float { d <= 0 ? 0 : kernel[min(d, 401)] }

  // MARK: encoding

  /// Spike indices s ∈ {1 … 301} of one sample's d features (snn.md §2.2):
  /// φ = exp(−(x − c_k)² / (2w²)), s = round(T·(1 − φ)) + 1, index j·RF + k.
  public func encode(_ x: UnsafePointer<Float>, into s: UnsafeMutablePointer<Int32>) {
    let inv2w2 = 1 / (2 * width * width), T = Float(MCSEFRONEngine.window)
    for j in 0..<features {
      let v = x[j]
      for k in 0..<fields {
        let d = v - centres[k]
        let phi = expf(-d * d * inv2w2)
        s[j * fields + k] = Int32((T * (1 - phi)).rounded(.toNearestOrEven)) + 1
      }
    }
  }

  /// Spike indices of a batch `[N, …]` as `[N, P]` rows.
  public func encode(_ images: Tensor) -> [Int32] {
    let n = images.shape[0], d = images.count / max(n, 1)
    precondition(d == features, "MC-SEFRON expects \(features) input values per image, got \(d)")
    var out = [Int32](repeating: 0, count: n * presynaptic)
    images.withUnsafeBufferPointer { px in
      out.withUnsafeMutableBufferPointer { ps in
        let base = ps.baseAddress!
        parallelChunks(n, minimum: 8) { range in
          for b in range { encode(px.baseAddress! + b * d, into: base + b * presynaptic) }
        }
      }
    }
    return out
  }

  // MARK: STDP window

  /// The normalised STDP window of relative times `r` (snn.md §2.4): positive entries sum to
  /// +1, negative ones to −1, zero for r = 0 (an empty side contributes nothing).
  public static func stdpWindow(_ r: [Int]) -> [Float] {
    var u = [Float](repeating: 0, count: r.count)
    stdpWindow(count: r.count, { r[$0] }, into: &u)
    return u
  }

  static func stdpWindow(count: Int, _ r: (Int) -> Int, into u: inout [Float]) {
    var pos: Float = 0, neg: Float = 0
    for i in 0..<count {
      let v = r(i)
      let e = expf(-Float(abs(v)) / stdpTau)
      u[i] = v == 0 ? 0 : e
      if v > 0 { pos += e } else if v < 0 { neg += e }
    }
    for i in 0..<count {
      let v = r(i)
      if v > 0 { u[i] /= pos } else if v < 0 { u[i] = -u[i] / neg }
    }
  }

  // MARK: forward

  /// Membrane potentials V[b, c, t] (`[N·C, 400]`) of a batch of encoded samples:
  /// V_c(t) = Σ_i W[c, i, s_i − 1] ε(t − s_i), as a histogram over spike indices times the
  /// response table (snn.md §4.1).
  public func potentials(spikes: UnsafeBufferPointer<Int32>, count n: Int, weights: UnsafeBufferPointer<Float>) -> Tensor {
    let p = presynaptic, grid = MCSEFRONEngine.grid, rows = grid + 1
    var h = Tensor(zeros: [n * classes, rows])
    h.withUnsafeMutableBufferPointer { ph in
      let base = ph.baseAddress!
      parallelChunks(n * classes, minimum: 16) { range in
        for row in range {
          let b = row / classes, c = row % classes
          let s = spikes.baseAddress! + b * p
          let w = weights.baseAddress! + c * p * grid
          let out = base + row * rows
          for i in 0..<p {
            let k = Int(s[i])
            out[k] += w[i * grid + k - 1]
          }
        }
      }
    }
    return matmulKernel(h, response)
  }

  /// First step t in 0 … 399 with V(t) > θ, or nil (silent).
  @inline(__always) static func firstCrossing(_ v: UnsafePointer<Float>, _ theta: Float) -> Int? {
    for t in 0..<outputWindow where v[t] > theta { return t }
    return nil
  }

  /// Firing times t_c of every class for one potential block `[C, 400]`, the silent sentinel
  /// 399 where a class never crosses (the rule's convention, snn.md §2.3).
  func firingTimes(_ v: UnsafePointer<Float>, thresholds: UnsafeBufferPointer<Float>) -> [Int] {
    (0..<classes).map { c in
      MCSEFRONEngine.firstCrossing(v + c * MCSEFRONEngine.outputWindow, thresholds[c]) ?? MCSEFRONEngine.outputWindow - 1
    }
  }

  /// The reference decision (snn.md §2.7): the earliest class, ties broken by the smallest
  /// interpolated crossing fraction; −1 when no class fires.
  public func decide(spikes: [Int32], count n: Int, weights: Tensor, thresholds: Tensor) -> [Int] {
    let steps = MCSEFRONEngine.outputWindow
    let v = spikes.withUnsafeBufferPointer { s in weights.withUnsafeBufferPointer { potentials(spikes: s, count: n, weights: $0) } }
    return v.withUnsafeBufferPointer { pv in
      thresholds.withUnsafeBufferPointer { th in
        (0..<n).map { b in
          var best = -1, bestT = Int.max
          var bestFrac = Float.infinity
          for c in 0..<classes {
            let row = pv.baseAddress! + (b * classes + c) * steps
            guard let t = MCSEFRONEngine.firstCrossing(row, th[c]) else { continue }
            let a: Float = t > 0 ? row[t - 1] : 0
            let frac = (th[c] - a) / (row[t] - a)
            if t < bestT || (t == bestT && frac < bestFrac) { (best, bestT, bestFrac) = (c, t, frac) }
          }
          return best
        }
      }
    }
  }

  // MARK: logits for attacks

  /// Simulated logits (snn.md §2.9): −τ_c, τ_c the interpolated crossing time of a firing
  /// class; −399 − (θ_c − max_t V_c(t)) / |θ_c| for a silent one. With `jacobian`, also
  /// ∂logit/∂x per sample (`[N, C, d]`) along the documented gradient path: straight-through
  /// rounding of the spike index, ε′ through the spike times, and with `weightSlope` the
  /// finite-difference slope of the weight function at the looked-up sample.
  public func logits(_ images: Tensor, weights: Tensor, thresholds: Tensor, jacobian: Bool,
                     weightSlope: Bool) -> (logits: Tensor, jacobian: Tensor?) {
    let n = images.shape[0], d = features, p = presynaptic, grid = MCSEFRONEngine.grid
    let steps = MCSEFRONEngine.outputWindow
    let spikes = encode(images)
    let v = spikes.withUnsafeBufferPointer { s in weights.withUnsafeBufferPointer { potentials(spikes: s, count: n, weights: $0) } }
    var out = Tensor(zeros: [n, classes])
    var jac = jacobian ? Tensor(zeros: [n, classes, d]) : nil
    let T = Float(MCSEFRONEngine.window), inv2w2 = 1 / (2 * width * width), invW2 = 1 / (width * width)
    v.withUnsafeBufferPointer { pv in
      thresholds.withUnsafeBufferPointer { th in
        weights.withUnsafeBufferPointer { pw in
          images.withUnsafeBufferPointer { px in
            spikes.withUnsafeBufferPointer { ps in
              out.withUnsafeMutableBufferPointer { po in
                // (dlogit/dV at up to two steps) per (sample, class)
                var jbase: UnsafeMutablePointer<Float>? = nil
                if jac != nil { jbase = jac!.withUnsafeMutableBufferPointer { $0.baseAddress! } }
                let jb = jbase
                parallelChunks(n, minimum: 2) { range in
                  var ds = [Float](repeating: 0, count: p)
                  for b in range {
                    let s = ps.baseAddress! + b * p
                    let x = px.baseAddress! + b * d
                    for c in 0..<classes {
                      let row = pv.baseAddress! + (b * classes + c) * steps
                      let theta = th[c]
                      var steps2: [(Int, Float)] = []
                      if let t = MCSEFRONEngine.firstCrossing(row, theta) {
                        let a: Float = t > 0 ? row[t - 1] : 0, bv = row[t]
                        let gap = bv - a
                        po[b * classes + c] = -(Float(t - 1) + (theta - a) / gap)
                        // logit = −τ: ∂/∂a = −(θ − b)/(b − a)², ∂/∂b = (θ − a)/(b − a)²
                        if t > 0 { steps2.append((t - 1, -(theta - bv) / (gap * gap))) }
                        steps2.append((t, (theta - a) / (gap * gap)))
                      } else {
                        var m = row[0], tm = 0
                        for t in 1..<steps where row[t] > m { (m, tm) = (row[t], t) }
                        let scale = max(abs(theta), 1e-12)
                        po[b * classes + c] = -Float(steps - 1) - (theta - m) / scale
                        steps2.append((tm, 1 / scale))
                      }
                      guard let jb else { continue }
                      // ∂logit/∂s_i = Σ_steps coef · ∂V(t)/∂s_i
                      let w = pw.baseAddress! + c * p * grid
                      for i in 0..<p {
                        let si = Int(s[i]), g = si - 1
                        let wi = w[i * grid + g]
                        var slope: Float = 0
                        if weightSlope {
                          let lo = max(g - 1, 0), hi = min(g + 1, grid - 1)
                          slope = (w[i * grid + hi] - w[i * grid + lo]) / Float(hi - lo)
                        }
                        var acc: Float = 0
                        for (t, coef) in steps2 {
                          let lag = t - si
                          guard lag > 0 else { continue }
                          acc += coef * (-wi * kernelSlope[min(lag, 401)] + slope * kernel[min(lag, 401)])
                        }
                        ds[i] = acc
                      }
                      // ∂s/∂x = T φ (x − c_k) / w² (straight-through rounding of T(1 − φ))
                      let jrow = jb + (b * classes + c) * d
                      for j in 0..<d {
                        var acc: Float = 0
                        for k in 0..<fields {
                          let diff = x[j] - centres[k]
                          let phi = expf(-diff * diff * inv2w2)
                          acc += ds[j * fields + k] * T * phi * diff * invW2
                        }
                        jrow[j] = acc
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (out, jac)
  }

  // MARK: learning

  /// One-shot initialisation from the first sample of class c (snn.md §2.5):
  /// W[c, i, g] = U_i · G[s_i, g] with U the STDP window of T_ID − s_i; θ_c = Σ U_i ε(T_ID − s_i).
  public func initialise(class c: Int, spikes s: UnsafePointer<Int32>, weights: UnsafeMutablePointer<Float>,
                         thresholds: UnsafeMutablePointer<Float>) {
    let p = presynaptic, grid = MCSEFRONEngine.grid, td = MCSEFRONEngine.desired
    var u = [Float](repeating: 0, count: p)
    MCSEFRONEngine.stdpWindow(count: p, { td - Int(s[$0]) }, into: &u)
    var theta: Float = 0
    let w = weights + c * p * grid
    gaussian.withUnsafeBufferPointer { gp in
      for i in 0..<p {
        let si = Int(s[i])
        theta += u[i] * epsilon(td - si)
        let row = w + i * grid, gr = gp.baseAddress! + si * grid
        for g in 0..<grid { row[g] = u[i] * gr[g] }
      }
    }
    thresholds[c] = theta
  }

  /// What one learning step did.
  public struct StepOutcome: Sendable {
    /// Firing times before the step (399 = silent).
    public var times: [Int]
    /// Classes whose weights changed.
    public var updated: [Int]
    /// Classes whose update was skipped because a denominator was 0.
    public var degenerate: Int
  }

  /// One sample of the spike-time-error rule (snn.md §2.6), updating `weights` in place.
  @discardableResult
  public func learn(spikes s: UnsafePointer<Int32>, label y: Int, rate: Float, weights: UnsafeMutablePointer<Float>,
                    thresholds: UnsafeBufferPointer<Float>) -> StepOutcome {
    let p = presynaptic, grid = MCSEFRONEngine.grid
    let v = potentials(spikes: UnsafeBufferPointer(start: s, count: p), count: 1,
                       weights: UnsafeBufferPointer(start: weights, count: classes * p * grid))
    let t = v.withUnsafeBufferPointer { firingTimes($0.baseAddress!, thresholds: thresholds) }
    var outcome = StepOutcome(times: t, updated: [], degenerate: 0)
    let ty = t[y]
    let tm = (0..<classes).filter { $0 != y }.map { t[$0] }.min() ?? Int.max
    guard tm < ty + margin else { return outcome }
    var ref = t
    if ty > MCSEFRONEngine.desired - 1 { ref[y] = MCSEFRONEngine.desired - 1 }
    for c in 0..<classes where c != y && t[c] < ty + margin { ref[c] = min(MCSEFRONEngine.outputWindow - 1, ty + margin) }
    var u = [Float](repeating: 0, count: p), uh = [Float](repeating: 0, count: p)
    for c in 0..<classes where ref[c] != t[c] {
      let actual = t[c] + 1, wanted = ref[c] + 1
      MCSEFRONEngine.stdpWindow(count: p, { actual - Int(s[$0]) }, into: &u)
      MCSEFRONEngine.stdpWindow(count: p, { wanted - Int(s[$0]) }, into: &uh)
      var den: Float = 0, denh: Float = 0
      for i in 0..<p {
        den += u[i] * epsilon(actual - Int(s[i]))
        denh += uh[i] * epsilon(wanted - Int(s[i]))
      }
      guard den != 0, denh != 0 else {
        outcome.degenerate += 1
        continue
      }
      let delta = thresholds[c] / denh - thresholds[c] / den
      let w = weights + c * p * grid
      gaussian.withUnsafeBufferPointer { gp in
        for i in 0..<p where uh[i] != 0 {
          let a = rate * uh[i] * delta
          let row = w + i * grid, gr = gp.baseAddress! + Int(s[i]) * grid
          for g in 0..<grid { row[g] += a * gr[g] }
        }
      }
      outcome.updated.append(c)
    }
    return outcome
  }
}
