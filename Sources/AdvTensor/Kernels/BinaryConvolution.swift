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
/// Boundary, evaluations, launches); `isEnabled` turns it off to compare with the float path.
public enum BinaryConvolution {
  nonisolated(unsafe) public static var isEnabled = ProcessInfo.processInfo.environment["ADV_BINARY_KERNELS"] != "off"

  /// Convolutions done here so far (by `forward` returning a result), for tests and benchmarks
  /// to see that the path ran.
  nonisolated(unsafe) public static var count = 0

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
    // (as adv_pack_signs lays out an activation pixel), zero-padded to a multiple of 8 words.
    let row = (k * k * words + 7) / 8 * 8
    var bits = [UInt64](repeating: 0, count: o * row)
    var zero = false
    weight.withUnsafeBufferPointer { w in
      for oo in 0..<o {
        for cc in 0..<c {
          let bit = UInt64(1) << UInt64(cc % 64)
          for pos in 0..<(k * k) {
            let v = w[(oo * c + cc) * k * k + pos]
            if v == 0 { zero = true }
            if v < 0 { bits[oo * row + pos * words + cc / 64] |= bit }
          }
        }
      }
    }
    guard !zero else { return nil }
    var popcounts = [Int32](repeating: 0, count: o * k * k)
    for oo in 0..<o {
      for pos in 0..<(k * k) {
        var n = 0
        for j in 0..<words { n += bits[oo * row + pos * words + j].nonzeroBitCount }
        popcounts[oo * k * k + pos] = Int32(n)
      }
    }
    return PackedWeights(outputs: o, channels: c, kernel: k, words: words, bits: bits, popcounts: popcounts)
  }

  /// The convolution of sign(x) (N×C×H×W, every element ±1) with the packed weights, or nil
  /// when an element of x is exactly 0.
  public static func forward(_ x: Tensor, _ weights: PackedWeights, stride: Int, padding: Int) -> Tensor? {
    guard x.shape.count == 4, x.shape[1] == weights.channels else { return nil }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let k = weights.kernel
    let oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1
    guard oh > 0, ow > 0 else { return nil }
    let words = weights.words
    var packed = [UInt64](repeating: 0, count: n * h * w * words)
    let zero = x.withUnsafeBufferPointer { src in
      packed.withUnsafeMutableBufferPointer { dst in
        adv_pack_signs(src.baseAddress, Int32(n), Int32(c), Int32(h * w), Int32(words), dst.baseAddress)
      }
    }
    guard zero == 0 else { return nil }
    var out = Tensor(uninitialized: [n, weights.outputs, oh, ow])
    packed.withUnsafeBufferPointer { act in
      weights.bits.withUnsafeBufferPointer { wt in
        weights.popcounts.withUnsafeBufferPointer { pop in
          out.withUnsafeMutableBufferPointer { o in
            let (a, b, p) = (act.baseAddress, wt.baseAddress, pop.baseAddress)
            let result = UnsafeMutablePointer(mutating: o.baseAddress)
            // Images in parallel; one image's rows would do for a single query, but Boundary
            // and launches send batches.
            parallelChunks(n, minimum: 2) { range in
              adv_binary_conv(a, Int32(range.lowerBound), Int32(range.upperBound), Int32(h), Int32(w), Int32(words), Int32(c),
                              b, p, Int32(weights.outputs), Int32(k), Int32(stride), Int32(padding), result, Int32(oh), Int32(ow))
            }
          }
        }
      }
    }
    count += 1
    return out
  }
}
