import AdvTensor
import Foundation

/// The "S1/C1" input stage of SNN_M as SpykeTorch's `MozafariDeep.py` runs it (snn.md §3.1):
/// grey image × 255 → six difference-of-Gaussians filters → values below 50 dropped → local
/// normalisation (radius 8) → intensity-to-latency coding into 15 time bins.
public enum SpikeEncoding {
  /// (window, σ1, σ2) of the six DoG filters, on- and off-centre at three scales, in channel order.
  public static let filters: [(Int, Double, Double)] = [
    (3, 3.0 / 9, 6.0 / 9), (3, 6.0 / 9, 3.0 / 9), (7, 7.0 / 9, 14.0 / 9),
    (7, 14.0 / 9, 7.0 / 9), (13, 13.0 / 9, 26.0 / 9), (13, 26.0 / 9, 13.0 / 9),
  ]
  /// DoG responses below this are set to 0 [STm].
  public static let filterThreshold: Float = 50
  /// Radius of the local normalisation window [STm].
  public static let normalisationRadius = 8

  /// One DoG kernel (`window × window`, row-major): (1/2π)(σ1⁻² e^{−ρ²/2σ1²} − σ2⁻² e^{−ρ²/2σ2²}),
  /// minus its mean, divided by its maximum (SpykeTorch `DoGKernel`, computed in Double).
  public static func dogKernel(window: Int, _ s1: Double, _ s2: Double) -> [Float] {
    let h = window / 2
    var k: [Double] = []
    for u in -h...h {
      for v in -h...h {
        let r2 = Double(u * u + v * v)
        k.append((1 / (2 * Double.pi)) * (exp(-r2 / (2 * s1 * s1)) / (s1 * s1) - exp(-r2 / (2 * s2 * s2)) / (s2 * s2)))
      }
    }
    let mean = k.reduce(0, +) / Double(k.count)
    k = k.map { $0 - mean }
    let top = k.max() ?? 1
    return k.map { Float($0 / top) }
  }

  /// The six kernels zero-padded (centred) to 13 × 13: `[6, 1, 13, 13]`.
  public static let bank: Tensor = {
    var t = Tensor(zeros: [filters.count, 1, 13, 13])
    for (f, (w, s1, s2)) in filters.enumerated() {
      let k = dogKernel(window: w, s1, s2), off = (13 - w) / 2
      for y in 0..<w {
        for x in 0..<w { t[flat: f * 169 + (y + off) * 13 + x + off] = k[y * w + x] }
      }
    }
    return t
  }()

  /// Filtered, thresholded and locally normalised intensities `[N, 6, H, W]` of images
  /// `[N, C, H, W]` in [0, 1] (colour averaged to grey first). Differentiable: the threshold
  /// passes the gradient for kept values, the normalisation by the quotient rule.
  public static func intensities(_ x: Variable) -> Variable {
    let tape = x.tape
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    var grey = x * 255
    if c > 1 {
      grey = conv2d(grey, weight: tape.constant(Tensor(repeating: 1 / Float(c), shape: [1, c, 1, 1])))
    }
    let filtered = conv2d(grey, weight: tape.constant(bank), padding: 6)
    let kept = filtered * tape.constant(filtered.value.map { $0 < filterThreshold ? 0 : 1 })
    let r = normalisationRadius, side = 2 * r + 1
    let planes = reshape(kept, [n * filters.count, 1, h, w])
    // The 17×17 zero-padded box mean as two 1-D passes (a 2-D box would unfold 289 values per
    // pixel): a column pass padded by r on every side (output [h, w + 2r], zero side columns)
    // and a row pass over it without padding (output [h, w]).
    let column = tape.constant(Tensor(repeating: 1 / Float(side), shape: [1, 1, side, 1]))
    let row = tape.constant(Tensor(repeating: 1 / Float(side), shape: [1, 1, 1, side]))
    let means = conv2d(conv2d(planes, weight: column, padding: r), weight: row)
      + tape.constant(Tensor(repeating: 1e-12, shape: [1, 1, 1, 1]))
    return reshape(planes / means, [n, filters.count, h, w])
  }

  /// Marks "never spikes" in first-spike maps.
  public static let never: UInt8 = 255

  /// Intensity-to-latency coding of one image's values (SpykeTorch `Intensity2Latency`): the
  /// N non-zero values sorted in descending order (ties by ascending index) fill `steps` bins
  /// of b = N / steps values each; the weakest N − steps·b never spike. Returns each value's
  /// first-spike step, `never` for silent ones. With N < steps every non-zero value spikes at 0.
  public static func latency(_ v: UnsafePointer<Float>, count: Int, steps: Int, into out: UnsafeMutablePointer<UInt8>) {
    var order: [Int32] = []
    order.reserveCapacity(count)
    for i in 0..<count where v[i] != 0 { order.append(Int32(i)) }
    for i in 0..<count { out[i] = never }
    let b = order.count / steps
    if b == 0 {
      for i in order { out[Int(i)] = 0 }
      return
    }
    order.sort { v[Int($0)] != v[Int($1)] ? v[Int($0)] > v[Int($1)] : $0 < $1 }
    for p in 0..<(b * steps) { out[Int(order[p])] = UInt8(p / b) }
  }

  /// First-spike maps `[N, 6·H·W]` of a batch of intensities.
  public static func latency(_ values: Tensor, steps: Int) -> [UInt8] {
    let n = values.shape[0], per = values.count / max(n, 1)
    var out = [UInt8](repeating: never, count: n * per)
    values.withUnsafeBufferPointer { pv in
      out.withUnsafeMutableBufferPointer { po in
        let base = po.baseAddress!
        parallelChunks(n, minimum: 4) { range in
          for b in range { latency(pv.baseAddress! + b * per, count: per, steps: steps, into: base + b * per) }
        }
      }
    }
    return out
  }
}
