import CBinaryKernels
import Foundation

/// Convolution of ±1 tensors by XNOR and popcount (Courbariaux et al.'s BinaryNet, Rastegari et
/// al.'s XNOR-Net): with signs packed 64 to a word, a dot product of n ±1 values is
/// n − 2·popcount(a XOR w). Sums of ±1 are whole numbers, which Float32 holds exactly up to
/// 2^24, so the result equals the float convolution of the same tensors bit for bit (zero
/// padding included) in any order of summation. The kernel (CBinaryKernels) is chosen at run
/// time: AVX-512 VPOPCNTDQ, AVX2, or portable C.
///
/// Used by deterministic binarised networks for queries without gradients (`bnn-d` under
/// Boundary, evaluations, launches). Whether a network uses it is the network's own setting
/// (`Network.usesBinaryKernels`), so tests and benchmarks compare the two paths on their own
/// network while other work runs.
public enum BinaryConvolution {
  /// The default of that setting: on unless `ADV_BINARY_KERNELS=off`, read once per process.
  public static let enabledByEnvironment = ProcessInfo.processInfo.environment["ADV_BINARY_KERNELS"] != "off"

  /// The instruction set the kernel uses on this CPU (`ADV_BINARY_ISA=avx2|generic` narrows it).
  public static var instructionSet: String { String(cString: adv_binary_conv_isa()) }

  /// The kernels, widest first.
  public static let instructionSets = ["avx512-vpopcntdq", "avx2", "generic"]

  /// Switches to kernel `name`; false (and no change) when this CPU lacks it.
  @discardableResult
  public static func use(_ name: String) -> Bool { adv_binary_conv_use(name) != 0 }

  /// Weights O×C×k×k packed as signs, with each row's popcount per kernel position.
  public struct PackedWeights: @unchecked Sendable {
    public let outputs: Int, channels: Int, kernel: Int, words: Int
    let bits: [UInt64]
    let popcounts: [Int32]
  }

  /// Packs the signs of `weight` (O×C×k×k, square kernel), or nil when an element is exactly 0
  /// (not a ±1 sign) or the shape is not a convolution's.
  public static func pack(weight: Tensor) -> PackedWeights? {
    guard weight.shape.count == 4, weight.shape[2] == weight.shape[3] else { return nil }
    let (o, c, k) = (weight.shape[0], weight.shape[1], weight.shape[2])
    let words = (c + 63) / 64
    // Output row o holds, position by position, the C channel signs of that kernel position
    // (bit pos·C + c), as adv_binary_conv lays out a patch of activations.
    let row = Int(adv_binary_row_words(Int32(k), Int32(c)))
    var bits = [UInt64](repeating: 0, count: o * row)
    var popcounts = [Int32](repeating: 0, count: o * k * k)
    var zero = false
    weight.withUnsafeBufferPointer { w in
      for oo in 0..<o {
        for cc in 0..<c {
          for pos in 0..<(k * k) {
            let v = w[(oo * c + cc) * k * k + pos]
            if v == 0 { zero = true }
            if v < 0 {
              let bit = pos * c + cc
              bits[oo * row + bit / 64] |= UInt64(1) << UInt64(bit % 64)
              popcounts[pos * o + oo] += 1
            }
          }
        }
      }
    }
    guard !zero else { return nil }
    return PackedWeights(outputs: o, channels: c, kernel: k, words: words, bits: bits, popcounts: popcounts)
  }

  /// A per-channel map applied to the convolution's output as it is written: an inference
  /// batch norm (`scale`, `shift`) and optionally Hardtanh, each computed as `batchNorm` and
  /// `hardtanh` compute them, so the result is the same bit for bit.
  public struct Epilogue: Sendable {
    public let scale: [Float], shift: [Float], hardtanh: Bool

    /// The batch norm with running statistics `running` (as `batchNorm` applies it when not
    /// training), then Hardtanh when `hardtanh`.
    public init(gamma: Tensor, beta: Tensor, running: RunningStatistics, epsilon: Float = 1e-5, hardtanh: Bool) {
      let (mean, variance) = (running.mean.scalars, running.variance.scalars)
      let (g, b) = (gamma.scalars, beta.scalars)
      var scale = [Float](repeating: 0, count: g.count), shift = scale
      for c in 0..<g.count {
        let invStd = 1 / (variance[c] + epsilon).squareRoot()
        scale[c] = g[c] * invStd
        shift[c] = b[c] - mean[c] * scale[c]
      }
      (self.scale, self.shift, self.hardtanh) = (scale, shift, hardtanh)
    }
  }

  /// The convolution of sign(x) (N×C×H×W, every element ±1) with the packed weights, plus
  /// `residual` (the output's shape) when given, then `epilogue` when given; or nil when an
  /// element of x is exactly 0.
  public static func forward(_ x: Tensor, _ weights: PackedWeights, stride: Int, padding: Int, adding residual: Tensor? = nil,
                             epilogue: Epilogue? = nil) -> Tensor? {
    guard x.shape.count == 4, x.shape[1] == weights.channels else { return nil }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let k = weights.kernel
    let oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1
    guard oh > 0, ow > 0 else { return nil }
    if let epilogue, epilogue.scale.count != weights.outputs || epilogue.shift.count != weights.outputs { return nil }
    if let residual, residual.shape != [n, weights.outputs, oh, ow] { return nil }
    let words = weights.words
    let image = h * w * words
    var packed = [UInt64](repeating: 0, count: n * image)
    var out = Tensor(uninitialized: [n, weights.outputs, oh, ow])
    // One flag per image: set when the image has an exact 0.
    var zeros = [Int32](repeating: 0, count: n)
    let clamp: Int32 = epilogue?.hardtanh == true ? 1 : 0
    withPointers(epilogue?.scale, epilogue?.shift, residual) { scale, shift, added in
      x.withUnsafeBufferPointer { src in
        packed.withUnsafeMutableBufferPointer { act in
          zeros.withUnsafeMutableBufferPointer { zero in
            weights.bits.withUnsafeBufferPointer { wt in
              weights.popcounts.withUnsafeBufferPointer { pop in
                out.withUnsafeMutableBufferPointer { o in
                  let (x0, a, b, p, z) = (src.baseAddress!, act.baseAddress!, wt.baseAddress, pop.baseAddress, zero.baseAddress!)
                  let result = UnsafeMutablePointer(mutating: o.baseAddress)
                  // Images in parallel, each packed and convolved by the same worker; one
                  // image's rows would do for a single query, but Boundary and launches send
                  // batches.
                  parallelChunks(n, minimum: 2) { range in
                    let first = range.lowerBound
                    z[first] = adv_pack_signs(x0 + first * c * h * w, Int32(range.count), Int32(c), Int32(h * w), Int32(words),
                                              a + first * image)
                    guard z[first] == 0 else { return }
                    adv_binary_conv(a, Int32(first), Int32(range.upperBound), Int32(h), Int32(w), Int32(words), Int32(c),
                                    b, p, Int32(weights.outputs), Int32(k), Int32(stride), Int32(padding), added, scale, shift, clamp,
                                    result, Int32(oh), Int32(ow))
                  }
                }
              }
            }
          }
        }
      }
    }
    guard !zeros.contains(where: { $0 != 0 }) else { return nil }
    return out
  }

  /// Calls `body` with the base addresses of the given arrays and tensor (nil for those absent).
  private static func withPointers(_ a: [Float]?, _ b: [Float]?, _ t: Tensor?,
                                   _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void) {
    func with(_ array: [Float]?, _ next: (UnsafePointer<Float>?) -> Void) {
      guard let array else { return next(nil) }
      array.withUnsafeBufferPointer { next($0.baseAddress) }
    }
    with(a) { pa in
      with(b) { pb in
        guard let t else { return body(pa, pb, nil) }
        t.withUnsafeBufferPointer { body(pa, pb, $0.baseAddress) }
      }
    }
  }
}
