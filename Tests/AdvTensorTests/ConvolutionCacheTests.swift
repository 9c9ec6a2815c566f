@testable import AdvTensor
import AdvTestSupport
import Testing

@Suite("convolution primitive cache")
struct ConvolutionCacheTests {
  static func geometry(n: Int) -> ConvGeometry {
    ConvGeometry(n: n, c: 8, h: 12, w: 12, outChannels: 16, kh: 3, kw: 3, padH: 1, padW: 1)
  }

  static let (x, w, b) = (randomTensor([40, 8, 12, 12], seed: 11), randomTensor([16, 8, 3, 3], seed: 12), randomTensor([16], seed: 13))

  @Test("a shrinking batch keeps the cache within its capacity, the latest geometry always kept")
  func bounded() {
    let ctx = DNNLContext()
    ctx.capacity = 3
    for n in stride(from: 40, through: 1, by: -1) {
      _ = ctx.convolution(Self.geometry(n: n))
      #expect(ctx.cached >= 1 && ctx.cached <= 3, "n=\(n): \(ctx.cached) geometries")
    }
    ctx.capacity = 0
    _ = ctx.convolution(Self.geometry(n: 41))
    #expect(ctx.cached == 1)
  }

  @Test("blocked copies live in scratch buffers as large as the largest call's, not one set per geometry")
  func scratchIsTheLargestNeed() throws {
    let ctx = DNNLContext()
    var needs: [Int] = []
    for n in stride(from: 40, through: 1, by: -4) {
      let g = Self.geometry(n: n)
      let p = ctx.convolution(g)
      let rows = Self.x.slice(0..<n)
      let y = p.forward(rows, Self.w, Self.b, on: ctx)
      #expect(relativeError(y, conv2dForwardReference(rows, Self.w, Self.b)) < 1e-5, "n=\(n)")
      needs.append(p.bufferBytes)
    }
    try #require(needs[0] > 0, "this geometry is expected to use blocked layouts")
    // The first (widest) call sized the buffers; the nine narrower ones reused them (a narrower
    // call may pick another blocked layout for its weights, so a slot can grow by that much).
    #expect(ctx.scratchBytes >= needs[0] && ctx.scratchBytes <= needs[0] + needs[0] / 10, "\(ctx.scratchBytes) against \(needs)")
    #expect(needs.reduce(0, +) > 5 * ctx.scratchBytes)
  }

  @Test("inference builds no backward steps; a backward call adds them and may widen the scratch")
  func lazyBackward() {
    let ctx = DNNLContext()
    let p = ctx.convolution(Self.geometry(n: 64))
    let forwardOnly = p.bufferBytes
    p.lock.lock()
    _ = p.backwardData
    p.lock.unlock()
    #expect(p.bufferBytes >= forwardOnly)
  }

  @Test("a primitive set evicted while a caller holds it still computes the same convolution")
  func evictedWhileHeld() {
    let ctx = DNNLContext()
    ctx.capacity = 1
    let g = Self.geometry(n: 4)
    let held = ctx.convolution(g)
    for n in 5...12 { _ = ctx.convolution(Self.geometry(n: n)) }  // evicts `held` from the cache
    #expect(ctx.cached == 1)
    let x = Self.x.slice(0..<4)
    let y = held.forward(x, Self.w, Self.b, on: ctx)
    #expect(relativeError(y, conv2dForward(x, Self.w, Self.b, g)) < 1e-6)
  }

  /// Direct summation, independent of oneDNN.
  func conv2dForwardReference(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
    let (n, c, h, wd) = (x.shape[0], 8, 12, 12)
    let (px, pw, pb) = (x.scalars, w.scalars, b.scalars)
    var out = [Float](repeating: 0, count: n * 16 * h * wd)
    for i in 0..<n {
      for o in 0..<16 {
        for y in 0..<h {
          for xx in 0..<wd {
            var s = pb[o]
            for ch in 0..<c {
              for ky in 0..<3 {
                for kx in 0..<3 {
                  let (iy, ix) = (y + ky - 1, xx + kx - 1)
                  if iy >= 0, iy < h, ix >= 0, ix < wd { s += px[((i * c + ch) * h + iy) * wd + ix] * pw[((o * c + ch) * 3 + ky) * 3 + kx] }
                }
              }
            }
            out[((i * 16 + o) * h + y) * wd + xx] = s
          }
        }
      }
    }
    return Tensor(out, shape: [n, 16, h, wd])
  }
}
