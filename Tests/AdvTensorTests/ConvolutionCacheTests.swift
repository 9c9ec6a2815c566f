@testable import AdvTensor
import AdvTestSupport
import Testing

@Suite("convolution primitive cache")
struct ConvolutionCacheTests {
  static func geometry(n: Int) -> ConvGeometry {
    ConvGeometry(n: n, c: 8, h: 12, w: 12, outChannels: 16, kh: 3, kw: 3, padH: 1, padW: 1)
  }

  @Test("a shrinking batch keeps the cache within its byte budget, the latest geometry always kept")
  func bounded() {
    let ctx = DNNLContext()
    let one = ctx.convolution(Self.geometry(n: 40)).bufferBytes
    ctx.clear()
    ctx.budget = 3 * one
    for n in stride(from: 40, through: 1, by: -1) {
      _ = ctx.convolution(Self.geometry(n: n))
      let (count, bytes) = ctx.cached
      #expect(count >= 1)
      #expect(bytes <= ctx.budget || count == 1, "n=\(n): \(count) geometries, \(bytes) bytes over a budget of \(ctx.budget)")
    }
    #expect(ctx.cached.geometries > 1, "a budget of three sets should hold more than one small one")
    ctx.budget = 0
    _ = ctx.convolution(Self.geometry(n: 41))
    #expect(ctx.cached.geometries == 1)
  }

  @Test("inference builds no backward buffers; a backward call adds them")
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
    ctx.budget = 0
    let g = Self.geometry(n: 4)
    let held = ctx.convolution(g)
    for n in 5...12 { _ = ctx.convolution(Self.geometry(n: n)) }  // evicts `held` from the cache
    #expect(ctx.cached.geometries == 1)
    let x = randomTensor([4, 8, 12, 12], seed: 11), w = randomTensor([16, 8, 3, 3], seed: 12), b = randomTensor([16], seed: 13)
    let y = held.forward(x, w, b, on: ctx)
    #expect(relativeError(y, conv2dForward(x, w, b, g)) < 1e-6)
  }
}
