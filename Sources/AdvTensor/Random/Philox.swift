import Foundation

/// A counter-based random number generator: Philox4x32-10 (Salmon et al., "Parallel random
/// numbers: as easy as 1, 2, 3", SC 2011).
///
/// A generator is a (key, counter) pair. The key comes from the seed and a stream number, so
/// streams with different numbers are independent and a stream's draws do not depend on how
/// many draws other streams made: training, sample selection and stochastic units each get their
/// own stream, and a run is reproducible from its seed.
public struct RandomStream: Sendable {
  public let seed: UInt64
  public let stream: UInt64
  private var counter: (UInt32, UInt32, UInt32, UInt32)
  private let key: (UInt32, UInt32)
  private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
  private var available = 0

  public init(seed: UInt64, stream: UInt64 = 0) {
    self.seed = seed
    self.stream = stream
    key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
    counter = (0, 0, UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
  }

  /// An independent stream derived from this one's seed (for sub-tasks).
  public func derived(_ stream: UInt64) -> RandomStream {
    RandomStream(seed: seed, stream: self.stream &* 0x9E37_79B9_7F4A_7C15 &+ stream &+ 1)
  }

  @inline(__always)
  private static func mulhilo(_ a: UInt32, _ b: UInt32) -> (UInt32, UInt32) {
    let p = UInt64(a) * UInt64(b)
    return (UInt32(truncatingIfNeeded: p >> 32), UInt32(truncatingIfNeeded: p))
  }

  /// The Philox4x32 bijection of `counter` under `key`, 10 rounds.
  static func philox(_ c: (UInt32, UInt32, UInt32, UInt32), _ k: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
    var c = c
    var k = k
    for round in 0..<10 {
      let (hi0, lo0) = mulhilo(0xD251_1F53, c.0)
      let (hi1, lo1) = mulhilo(0xCD9E_8D57, c.2)
      c = (hi1 ^ c.1 ^ k.0, lo1, hi0 ^ c.3 ^ k.1, lo0)
      if round < 9 {
        k.0 &+= 0x9E37_79B9
        k.1 &+= 0xBB67_AE85
      }
    }
    return c
  }

  /// `philox` on eight counters at once, lane by lane.
  @inline(__always)
  static func philox8(_ c0: SIMD8<UInt32>, _ c1: SIMD8<UInt32>, _ c2: SIMD8<UInt32>, _ c3: SIMD8<UInt32>,
                      _ k: (UInt32, UInt32)) -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
    var (c0, c1, c2, c3) = (c0, c1, c2, c3)
    var k0 = k.0, k1 = k.1
    let m0 = SIMD8<UInt64>(repeating: 0xD251_1F53), m1 = SIMD8<UInt64>(repeating: 0xCD9E_8D57)
    for round in 0..<10 {
      let p0 = SIMD8<UInt64>(truncatingIfNeeded: c0) &* m0
      let p1 = SIMD8<UInt64>(truncatingIfNeeded: c2) &* m1
      let hi0 = SIMD8<UInt32>(truncatingIfNeeded: p0 &>> 32), lo0 = SIMD8<UInt32>(truncatingIfNeeded: p0)
      let hi1 = SIMD8<UInt32>(truncatingIfNeeded: p1 &>> 32), lo1 = SIMD8<UInt32>(truncatingIfNeeded: p1)
      (c0, c1, c2, c3) = (hi1 ^ c1 ^ SIMD8(repeating: k0), lo1, hi0 ^ c3 ^ SIMD8(repeating: k1), lo0)
      if round < 9 {
        k0 &+= 0x9E37_79B9
        k1 &+= 0xBB67_AE85
      }
    }
    return (c0, c1, c2, c3)
  }

  private mutating func refill() {
    buffer = RandomStream.philox(counter, key)
    available = 4
    counter.0 &+= 1
    if counter.0 == 0 { counter.1 &+= 1 }
  }

  public mutating func nextUInt32() -> UInt32 {
    if available == 0 { refill() }
    available -= 1
    switch available {
    case 3: return buffer.0
    case 2: return buffer.1
    case 1: return buffer.2
    default: return buffer.3
    }
  }

  public mutating func nextUInt64() -> UInt64 {
    UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
  }

  /// Uniform in [0, 1) with 24 random bits.
  public mutating func uniform() -> Float {
    Float(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
  }

  /// Uniform in [0, 1) with 53 random bits (two 32-bit draws).
  public mutating func uniformDouble() -> Double {
    Double(nextUInt64() >> 11) * 0x1p-53
  }

  /// Standard normal by Box–Muller.
  public mutating func normal() -> Float {
    let u1 = max(uniform(), Float.leastNormalMagnitude)
    let u2 = uniform()
    return sqrtf(-2 * logf(u1)) * cosf(2 * Float.pi * u2)
  }

  public mutating func bernoulli(_ p: Float) -> Bool { uniform() < p }

  /// Uniform integer in `0..<n` (Lemire's nearly divisionless method).
  public mutating func int(below n: Int) -> Int {
    precondition(n > 0)
    let bound = UInt64(n)
    var m = UInt64(nextUInt32()) &* bound
    if UInt32(truncatingIfNeeded: m) < UInt32(truncatingIfNeeded: bound) {
      let t = UInt32(truncatingIfNeeded: (0 &- bound) % bound)
      while UInt32(truncatingIfNeeded: m) < t { m = UInt64(nextUInt32()) &* bound }
    }
    return Int(m >> 32)
  }

  /// A uniformly random permutation of `0..<n` (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, int(below: i + 1)) }
    return p
  }

  /// Fills `p` with uniforms in [0, 1): block k of the counter space gives elements 4k…4k+3, so
  /// the result does not depend on how the work is split; large buffers use both cores.
  /// Leftover values of the single-draw buffer are discarded.
  public mutating func fillUniform(_ p: UnsafeMutableBufferPointer<Float>) {
    let n = p.count
    let blocks = (n + 3) / 4
    let start = UInt64(counter.0) | UInt64(counter.1) << 32
    let key = self.key, hi = (counter.2, counter.3)
    let base = p.baseAddress!
    let scale: Float = 1.0 / 16_777_216.0
    @inline(__always) func run(_ range: Range<Int>) {
      // Eight blocks at a time in SIMD lanes (the same numbers as one by one), the rest singly.
      var b = range.lowerBound
      let lanes = SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7)
      while b + 8 <= range.upperBound && 4 * (b + 8) <= n {
        let c = SIMD8<UInt64>(repeating: start &+ UInt64(b)) &+ lanes
        let r = RandomStream.philox8(SIMD8<UInt32>(truncatingIfNeeded: c), SIMD8<UInt32>(truncatingIfNeeded: c &>> 32),
                                     SIMD8<UInt32>(repeating: hi.0), SIMD8<UInt32>(repeating: hi.1), key)
        let o = base + 4 * b
        for l in 0..<8 {
          o[4 * l] = Float(r.0[l] >> 8) * scale
          o[4 * l + 1] = Float(r.1[l] >> 8) * scale
          o[4 * l + 2] = Float(r.2[l] >> 8) * scale
          o[4 * l + 3] = Float(r.3[l] >> 8) * scale
        }
        b += 8
      }
      for b in b..<range.upperBound {
        let c = start &+ UInt64(b)
        let r = RandomStream.philox((UInt32(truncatingIfNeeded: c), UInt32(truncatingIfNeeded: c >> 32), hi.0, hi.1), key)
        let i = 4 * b
        base[i] = Float(r.0 >> 8) * scale
        if i + 1 < n { base[i + 1] = Float(r.1 >> 8) * scale }
        if i + 2 < n { base[i + 2] = Float(r.2 >> 8) * scale }
        if i + 3 < n { base[i + 3] = Float(r.3 >> 8) * scale }
      }
    }
    parallelChunks(blocks, minimum: 16_384) { run($0) }
    let next = start &+ UInt64(blocks)
    counter.0 = UInt32(truncatingIfNeeded: next)
    counter.1 = UInt32(truncatingIfNeeded: next >> 32)
    available = 0
  }

  /// Fills `p` with exactly the values `p.count` calls of `uniform()` would return, in order:
  /// values left in the single-draw buffer first, whole blocks through `fillUniform`'s vectorised
  /// path, and the last block's unused values left in the buffer for the next draw. Code that
  /// drew element by element keeps its numbers, bit for bit, at a fraction of the cost.
  public mutating func drawUniforms(into p: UnsafeMutableBufferPointer<Float>) {
    let n = p.count
    var i = 0
    while i < n && available > 0 {
      p[i] = uniform()
      i += 1
    }
    let whole = (n - i) / 4 * 4
    if whole > 0 { fillUniform(UnsafeMutableBufferPointer(rebasing: p[i..<(i + whole)])) }
    i += whole
    while i < n {
      p[i] = uniform()
      i += 1
    }
  }

  /// Fills `p` with standard normals: uniforms in counter order (`fillUniform`), then Box–Muller
  /// on consecutive pairs, both outputs used (cosine and sine branch).
  public mutating func fillNormal(_ p: UnsafeMutableBufferPointer<Float>) {
    let n = p.count
    guard n > 0 else { return }
    let even = n & ~1
    if even > 0 { fillUniform(UnsafeMutableBufferPointer(rebasing: p[0..<even])) }
    let base = p.baseAddress!
    parallelChunks(even / 2, minimum: 16_384) { range in
      for k in range {
        let u1 = max(base[2 * k], Float.leastNormalMagnitude), u2 = base[2 * k + 1]
        let r = sqrtf(-2 * logf(u1)), a = 2 * Float.pi * u2
        base[2 * k] = r * cosf(a)
        base[2 * k + 1] = r * sinf(a)
      }
    }
    if n > even { base[n - 1] = normal() }
  }

  /// A tensor of uniform values in [lo, hi).
  public mutating func uniformTensor(_ shape: [Int], lo: Float = 0, hi: Float = 1) -> Tensor {
    var t = Tensor(uninitialized: shape)
    t.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = lo + (hi - lo) * uniform() }
    }
    return t
  }

  /// A tensor of normal values with the given mean and standard deviation.
  public mutating func normalTensor(_ shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
    var t = Tensor(uninitialized: shape)
    t.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = mean + std * normal() }
    }
    return t
  }
}
