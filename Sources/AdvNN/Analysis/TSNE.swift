import AdvTensor
import Foundation

/// t-distributed stochastic neighbour embedding (van der Maaten & Hinton, "Visualizing data
/// using t-SNE", JMLR 2008) of points into the plane: the paper's Figure 4(a)(b), where the
/// points are a model's logits of training images (stochastic-nets.md §9).
///
/// Input affinities: for point i a Gaussian over squared Euclidean distances,
/// `p_j|i = exp(−β_i ‖x_i − x_j‖²) / Σ_k≠i exp(−β_i ‖x_i − x_k‖²)`, with the precision `β_i`
/// found by bisection so that the entropy of `p_·|i` is `log(perplexity)` (nats); then the
/// symmetric joint `p_ij = (p_j|i + p_i|j) / 2N`. Output affinities: the Student-t kernel
/// `q_ij = w_ij / Z`, `w_ij = (1 + ‖y_i − y_j‖²)⁻¹`, `Z = Σ_k≠l w_kl`. The cost is
/// `KL(P‖Q) = Σ p_ij log(p_ij / q_ij)`, with gradient
/// `∂C/∂y_i = 4 Σ_j (p_ij − q_ij) w_ij (y_i − y_j)`.
///
/// Optimisation as in the paper and its reference code: gradient descent with momentum (0.5 for
/// the first 250 iterations, 0.8 after), per-coordinate gains (delta-bar-delta: +0.2 when the
/// gradient's sign differs from the last step's, ×0.8 when it agrees, floored at 0.01), P
/// multiplied by the early exaggeration (12) for the first 250 iterations, the embedding
/// re-centred after every step, and a seeded Gaussian start of standard deviation 1e-4.
///
/// The gradient is exact: O(N²) time per iteration and one N×N affinity matrix in memory
/// (32 MB for the 2,000 points of a figure), so `maximumCount` bounds N. Everything is Float64.
/// Rows are independent and each is summed in a fixed order, so an embedding is identical bit
/// for bit for the same seed whatever the number of cores.
public struct TSNE: Sendable {
  /// The effective number of neighbours each point's Gaussian covers; in `1...count − 1`.
  public var perplexity: Double
  /// Gradient steps.
  public var iterations: Int
  /// Factor on P during the first `exaggerationIterations` steps (the paper's "early
  /// exaggeration": tight, well-separated clusters form before the fine layout).
  public var exaggeration: Double
  public var exaggerationIterations: Int
  /// Step size; nil chooses `max(200, N / exaggeration)`: the paper's 200 for the figure's
  /// sizes (N ≤ 2,400), growing with N above them as Belkina et al. (Nat. Commun. 2019) advise,
  /// so large embeddings still converge in 1,000 steps.
  public var learningRate: Double?
  public var initialMomentum: Double = 0.5
  public var finalMomentum: Double = 0.8
  /// The step at which momentum switches from initial to final.
  public var momentumSwitch: Int = 250
  public var minimumGain: Double = 0.01
  /// Standard deviation of the seeded Gaussian start.
  public var initialScale: Double = 1e-4
  /// Steps between the KL readings kept in `TSNEEmbedding.klTrace` (each costs one extra pass).
  public var traceInterval: Int = 50

  /// Largest N the exact gradient accepts: its affinity matrix is 8·N² bytes (800 MB here).
  public static let maximumCount = 10_000
  /// Bisection stops when a row's entropy is this close to log(perplexity), in nats.
  static let entropyTolerance = 1e-5
  static let bisectionSteps = 200

  public init(perplexity: Double = 30, iterations: Int = 1000, exaggeration: Double = 12,
              exaggerationIterations: Int = 250, learningRate: Double? = nil) {
    self.perplexity = perplexity
    self.iterations = iterations
    self.exaggeration = exaggeration
    self.exaggerationIterations = exaggerationIterations
    self.learningRate = learningRate
  }

  /// The step size used for `count` points.
  public func learningRate(count: Int) -> Double {
    learningRate ?? max(200, Double(count) / exaggeration)
  }

  /// Embeds `count` points of `dimension` coordinates each (`points` row-major, `count ×
  /// dimension`) in the plane. The start is drawn from `rng`, so the same seed gives the same
  /// embedding bit for bit. Stops with `Interrupted` between steps on Ctrl-C.
  public func embed(_ points: [Float], count: Int, dimension: Int, rng: inout RandomStream,
                    label: String = "t-sne") throws -> TSNEEmbedding {
    try validate(points, count: count, dimension: dimension)
    let n = count
    var p = Self.conditionalProbabilities(points.map(Double.init), count: n, dimension: dimension,
                                          perplexity: perplexity)
    Self.symmetrize(&p, count: n)
    var y = (0..<(2 * n)).map { _ in initialScale * Double(rng.normal()) }
    var step = [Double](repeating: 0, count: 2 * n)
    var gains = [Double](repeating: 1, count: 2 * n)
    var gradient = [Double](repeating: 0, count: 2 * n)
    let eta = learningRate(count: n)
    var trace = [(iteration: Int, value: Double)]()
    trace.append((0, Self.klDivergence(p, y, count: n)))
    let progress = Progress(label, total: iterations, unit: .count("iterations"))
    var note = ""
    defer { progress.finish() }
    for t in 0..<iterations {
      try Interrupt.check()
      Self.gradient(p, y, count: n, exaggeration: t < exaggerationIterations ? exaggeration : 1, into: &gradient)
      let momentum = t < momentumSwitch ? initialMomentum : finalMomentum
      for k in 0..<(2 * n) {
        // Delta-bar-delta: a coordinate whose gradient keeps the direction of its last step
        // (gradient and step of opposite signs) speeds up, one that overshoots slows down.
        gains[k] = (gradient[k] > 0) != (step[k] > 0) ? gains[k] + 0.2 : gains[k] * 0.8
        gains[k] = max(gains[k], minimumGain)
        step[k] = momentum * step[k] - eta * gains[k] * gradient[k]
        y[k] += step[k]
      }
      Self.center(&y, count: n)
      if (t + 1) % traceInterval == 0 || t + 1 == iterations {
        trace.append((t + 1, Self.klDivergence(p, y, count: n)))
        note = String(format: "KL %.4f", trace[trace.count - 1].value)
      }
      progress.update(t + 1, note: note)
    }
    return TSNEEmbedding(count: n, coordinates: y, klDivergence: trace[trace.count - 1].value,
                         klTrace: trace, learningRate: eta)
  }

  func validate(_ points: [Float], count: Int, dimension: Int) throws(TSNEError) {
    guard count >= 2, dimension >= 1 else { throw .tooFewPoints(count: count, dimension: dimension) }
    guard points.count == count * dimension else {
      throw .shapeMismatch(values: points.count, count: count, dimension: dimension)
    }
    guard count <= Self.maximumCount else { throw .tooManyPoints(count, limit: Self.maximumCount) }
    if let i = points.firstIndex(where: { !$0.isFinite }) { throw .nonFinitePoint(i / dimension) }
    guard perplexity >= 1, perplexity <= Double(count - 1) else {
      throw .perplexityOutOfRange(perplexity, count: count)
    }
    let rate = learningRate ?? 1
    let settings: [(String, String, Bool, String)] = [
      ("iterations", "\(iterations)", iterations >= 1, "at least 1"),
      ("exaggeration", "\(exaggeration)", exaggeration >= 1 && exaggeration.isFinite, "a finite number of at least 1"),
      ("exaggeration iterations", "\(exaggerationIterations)", exaggerationIterations >= 0, "at least 0"),
      ("learning rate", "\(rate)", rate > 0 && rate.isFinite, "positive and finite"),
      ("initial momentum", "\(initialMomentum)", (0..<1).contains(initialMomentum), "in [0, 1)"),
      ("final momentum", "\(finalMomentum)", (0..<1).contains(finalMomentum), "in [0, 1)"),
      ("momentum switch", "\(momentumSwitch)", momentumSwitch >= 0, "at least 0"),
      ("minimum gain", "\(minimumGain)", minimumGain > 0 && minimumGain.isFinite, "positive and finite"),
      ("initial scale", "\(initialScale)", initialScale > 0 && initialScale.isFinite, "positive and finite"),
      ("trace interval", "\(traceInterval)", traceInterval >= 1, "at least 1"),
    ]
    for (name, value, valid, expected) in settings where !valid {
      throw .invalidSetting(name: name, value: value, expected: expected)
    }
  }
}

/// A t-SNE embedding and how well it fits.
public struct TSNEEmbedding: Sendable {
  public let count: Int
  /// `2 · count` coordinates, x and y interleaved: point i is at `(coordinates[2i], coordinates[2i + 1])`.
  public let coordinates: [Double]
  /// KL(P‖Q) of the final embedding (with P unexaggerated), in nats: what t-SNE minimises.
  public let klDivergence: Double
  /// KL(P‖Q) at the start (iteration 0), every `traceInterval` steps and at the end.
  public let klTrace: [(iteration: Int, value: Double)]
  /// The step size used.
  public let learningRate: Double

  public func point(_ i: Int) -> (x: Double, y: Double) { (coordinates[2 * i], coordinates[2 * i + 1]) }
}

/// Why t-SNE cannot run on the given points or settings.
public enum TSNEError: Error, Equatable, CustomStringConvertible {
  case tooFewPoints(count: Int, dimension: Int)
  case shapeMismatch(values: Int, count: Int, dimension: Int)
  case tooManyPoints(Int, limit: Int)
  case nonFinitePoint(Int)
  case perplexityOutOfRange(Double, count: Int)
  case invalidSetting(name: String, value: String, expected: String)

  public var description: String {
    switch self {
    case let .tooFewPoints(count, dimension):
      return "t-sne needs at least 2 points of at least 1 coordinate, found \(count) of \(dimension)"
    case let .shapeMismatch(values, count, dimension):
      return "t-sne expected \(count) points × \(dimension) coordinates = \(count * dimension) values, found \(values)"
    case let .tooManyPoints(count, limit):
      return "exact t-sne keeps all pairwise affinities in memory and takes at most \(limit) points, found \(count)"
    case .nonFinitePoint(let i):
      return "t-sne point \(i) has a coordinate that is not finite"
    case let .perplexityOutOfRange(perplexity, count):
      return "perplexity must lie in 1...\(count - 1) for \(count) points (a point has \(count - 1) neighbours), found \(perplexity)"
    case let .invalidSetting(name, value, expected):
      return "t-sne '\(name)' must be \(expected), found \(value)"
    }
  }
}

// MARK: - The computations, on raw buffers (every one O(N²))

extension TSNE {
  /// Row-normalised Gaussian affinities `p_j|i` (N×N, row-major, zero diagonal), each row's
  /// precision bisected to the entropy `log(perplexity)`.
  static func conditionalProbabilities(_ x: [Double], count n: Int, dimension d: Int, perplexity: Double) -> [Double] {
    var p = [Double](repeating: 0, count: n * n)
    let target = log(perplexity)
    x.withUnsafeBufferPointer { px in
      p.withUnsafeMutableBufferPointer { pp in
        let (xs, ps) = (px.baseAddress!, pp.baseAddress!)
        parallelChunks(n, minimum: 32) { rows in
          // Distances to the other n − 1 points and their affinities, reused across rows.
          let distances = UnsafeMutableBufferPointer<Double>.allocate(capacity: n - 1)
          let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: n - 1)
          defer {
            distances.deallocate()
            row.deallocate()
          }
          for i in rows {
            let xi = xs + i * d
            for j in 0..<n where j != i {
              let xj = xs + j * d
              var s = 0.0
              for k in 0..<d {
                let v = xi[k] - xj[k]
                s += v * v
              }
              distances[j < i ? j : j - 1] = s
            }
            calibrate(UnsafeBufferPointer(distances), target: target, into: row)
            let out = ps + i * n
            for j in 0..<n where j != i { out[j] = row[j < i ? j : j - 1] }
          }
        }
      }
    }
    return p
  }

  /// Bisects the precision β so that `p_j ∝ exp(−β d_j)` has entropy `target` (nats), and
  /// writes the normalised `p`. Distances are shifted by their minimum first (which leaves p
  /// unchanged) so the largest term is exp(0) and nothing underflows to an all-zero row.
  /// Returns β. When every distance is equal no β changes the entropy, and p stays uniform.
  @discardableResult
  static func calibrate(_ distances: UnsafeBufferPointer<Double>, target: Double,
                        into p: UnsafeMutableBufferPointer<Double>) -> Double {
    let m = distances.count
    let nearest = distances.min() ?? 0
    var beta = 1.0, lo = 0.0, hi = Double.infinity
    var sum = 0.0
    for step in 0..<bisectionSteps {
      sum = 0
      var weighted = 0.0
      for j in 0..<m {
        let shifted = distances[j] - nearest
        let v = exp(-beta * shifted)
        p[j] = v
        sum += v
        weighted += v * shifted
      }
      // H = −Σ p log p with p = v / sum and log v = −β·shifted.
      let entropy = log(sum) + beta * weighted / sum
      if abs(entropy - target) < entropyTolerance || step == bisectionSteps - 1 { break }
      if entropy > target {
        lo = beta
        beta = hi.isInfinite ? beta * 2 : (beta + hi) / 2
      } else {
        hi = beta
        beta = (beta + lo) / 2
      }
    }
    for j in 0..<m { p[j] /= sum }
    return beta
  }

  /// `p_ij ← (p_j|i + p_i|j) / 2N`, in place: a joint distribution summing to 1.
  static func symmetrize(_ p: inout [Double], count n: Int) {
    let scale = 1 / (2 * Double(n))
    for i in 0..<n {
      for j in (i + 1)..<n {
        let v = (p[i * n + j] + p[j * n + i]) * scale
        p[i * n + j] = v
        p[j * n + i] = v
      }
    }
  }

  /// `∂KL/∂y` with P multiplied by `exaggeration`, into `gradient` (2N, interleaved). One pass
  /// over all pairs gathers, per row, the attraction `A_i = Σ_j p_ij w_ij (y_i − y_j)`, the
  /// unnormalised repulsion `R_i = Σ_j w_ij² (y_i − y_j)` and `Σ_j w_ij`; then
  /// `∂C/∂y_i = 4 (α A_i − R_i / Z)`, since `q_ij w_ij = w_ij² / Z`.
  static func gradient(_ p: [Double], _ y: [Double], count n: Int, exaggeration: Double, into gradient: inout [Double]) {
    var repulsion = [Double](repeating: 0, count: 2 * n)
    var rowSums = [Double](repeating: 0, count: n)
    p.withUnsafeBufferPointer { pp in
      y.withUnsafeBufferPointer { py in
        gradient.withUnsafeMutableBufferPointer { pg in
          repulsion.withUnsafeMutableBufferPointer { pr in
            rowSums.withUnsafeMutableBufferPointer { pz in
              let (ps, ys, gs, rs, zs) = (pp.baseAddress!, py.baseAddress!, pg.baseAddress!, pr.baseAddress!, pz.baseAddress!)
              parallelChunks(n, minimum: 64) { rows in
                for i in rows {
                  let (yx, yy) = (ys[2 * i], ys[2 * i + 1])
                  let prow = ps + i * n
                  var (ax, ay, rx, ry, z) = (0.0, 0.0, 0.0, 0.0, 0.0)
                  // j = i adds w = 1 to z and nothing else (p_ii = 0, y_i − y_i = 0).
                  for j in 0..<n {
                    let dx = yx - ys[2 * j], dy = yy - ys[2 * j + 1]
                    let w = 1 / (1 + dx * dx + dy * dy)
                    let pw = prow[j] * w, ww = w * w
                    ax += pw * dx
                    ay += pw * dy
                    rx += ww * dx
                    ry += ww * dy
                    z += w
                  }
                  gs[2 * i] = ax
                  gs[2 * i + 1] = ay
                  rs[2 * i] = rx
                  rs[2 * i + 1] = ry
                  zs[i] = z - 1
                }
              }
            }
          }
        }
      }
    }
    let z = rowSums.reduce(0, +)
    for k in 0..<(2 * n) { gradient[k] = 4 * (exaggeration * gradient[k] - repulsion[k] / z) }
  }

  /// KL(P‖Q) of the embedding `y`: `Σ p_ij (log p_ij + log(1 + ‖y_i − y_j‖²)) + (Σ p_ij) log Z`
  /// over pairs with `p_ij > 0` (a zero p adds nothing).
  static func klDivergence(_ p: [Double], _ y: [Double], count n: Int) -> Double {
    var rows = [Double](repeating: 0, count: 3 * n)
    p.withUnsafeBufferPointer { pp in
      y.withUnsafeBufferPointer { py in
        rows.withUnsafeMutableBufferPointer { pr in
          let (ps, ys, out) = (pp.baseAddress!, py.baseAddress!, pr.baseAddress!)
          parallelChunks(n, minimum: 64) { range in
            for i in range {
              let prow = ps + i * n
              var (z, cross, mass) = (0.0, 0.0, 0.0)
              for j in 0..<n where j != i {
                let dx = ys[2 * i] - ys[2 * j], dy = ys[2 * i + 1] - ys[2 * j + 1]
                let d = 1 + dx * dx + dy * dy
                z += 1 / d
                let pij = prow[j]
                if pij > 0 {
                  cross += pij * (log(pij) + log(d))
                  mass += pij
                }
              }
              out[3 * i] = z
              out[3 * i + 1] = cross
              out[3 * i + 2] = mass
            }
          }
        }
      }
    }
    var (z, cross, mass) = (0.0, 0.0, 0.0)
    for i in 0..<n {
      z += rows[3 * i]
      cross += rows[3 * i + 1]
      mass += rows[3 * i + 2]
    }
    return cross + mass * log(z)
  }

  /// Subtracts the mean point: the cost is translation-invariant, and this keeps the
  /// embedding from drifting.
  static func center(_ y: inout [Double], count n: Int) {
    var (mx, my) = (0.0, 0.0)
    for i in 0..<n {
      mx += y[2 * i]
      my += y[2 * i + 1]
    }
    mx /= Double(n)
    my /= Double(n)
    for i in 0..<n {
      y[2 * i] -= mx
      y[2 * i + 1] -= my
    }
  }
}
