@testable import AdvTensor
import AdvTestSupport
import Testing

@Suite("convolution primitive cache")
struct ConvolutionCacheTests {
  static func geometry(n: Int) -> ConvGeometry {
    ConvGeometry(n: n, c: 8, h: 12, w: 12, outChannels: 16, kh: 3, kw: 3, padH: 1, padW: 1)
  }

  /// Runs `p`'s forward step on `ctx` the way `conv2dForward` does.
  static func forward(_ p: ConvPrimitives, _ ctx: DNNLContext, _ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
    let g = p.geometry
    p.lock.lock()
    defer { p.lock.unlock() }
    var y = Tensor(uninitialized: [g.n, g.outChannels, g.outH, g.outW])
    x.withUnsafeBufferPointer { px in
      w.withUnsafeBufferPointer { pw in
        b.withUnsafeBufferPointer { pb in
          y.withUnsafeMutableBufferPointer { py in
            bind(p.src, px.baseAddress!); bind(p.weights, pw.baseAddress!)
            bind(p.bias, pb.baseAddress!); bind(p.dst, UnsafePointer(py.baseAddress!))
            p.forward.run(ctx)
          }
        }
      }
    }
    return y
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
    let y = Self.forward(held, ctx, x, w, b)
    #expect(relativeError(y, conv2dForward(x, w, b, g)) < 1e-6)
  }
}
