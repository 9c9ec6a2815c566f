@testable import AdvTensor
import Testing

/// The passes that run on both cores for large tensors (element-wise maps, their pullbacks,
/// batch-norm statistics) give what one sequential loop gives, bit for bit: each value is
/// computed by one worker in the same order whatever the split.
struct ParallelPassTests {
  /// 2·65,536 elements (above `Tensor.parallelElements`), with the values the maps treat
  /// specially: ±1, 0, −0 and values on either side of them.
  func large(seed: UInt64) -> Tensor {
    var rng = RandomStream(seed: seed)
    var x = rng.uniformTensor([4, 8, 64, 64], lo: -2.5, hi: 2.5)
    x.withUnsafeMutableBufferPointer { p in
      for (i, v) in [Float(1), -1, 0, -0.0, 0.5, -0.5, 2, -2].enumerated() { p[i * 9_973] = v }
    }
    #expect(x.count > 2 * Tensor.parallelElements - 1)
    return x
  }

  @Test("ReLU, Hardtanh, sign and clamp equal their one-loop definitions")
  func unary() {
    let x = large(seed: 1)
    let cases: [(UnaryMap, (Float) -> Float)] = [
      (.relu, { max($0, 0) }), (.hardtanh, { min(max($0, -1), 1) }),
      (.sign, { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }), (.clamp(-0.3, 0.7), { min(max($0, -0.3), 0.7) }),
    ]
    for (op, f) in cases {
      let got = unaryKernel(x, op).scalars, want = x.scalars.map(f)
      #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "\(op)")
    }
  }

  @Test("the masked pullbacks equal their one-loop definitions")
  func masks() {
    let x = large(seed: 2), g = large(seed: 3)
    let cases: [(GradientMask, (Float, Float) -> Float)] = [
      (.positive, { dy, y in y > 0 ? dy : 0 }), (.insideOpen, { dy, v in v > -1 && v < 1 ? dy : 0 }),
      (.insideClosed, { dy, v in abs(v) <= 1 ? dy : 0 }), (.within(-0.5, 1), { dy, v in v >= -0.5 && v <= 1 ? dy : 0 }),
      (.hardSigmoid(1.5), { dy, v in abs(1.5 * v) < 1 ? dy * 1.5 / 2 : 0 }),
    ]
    for (mask, f) in cases {
      let got = maskKernel(g, x, mask).scalars, want = zip(g.scalars, x.scalars).map(f)
      #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "\(mask)")
    }
  }

  @Test("batch-norm moments, normalisation and pullback equal a sequential pass over the channels")
  func batchNorm() {
    let x = large(seed: 4), dy = large(seed: 5)
    let (n, c, inner) = (4, 8, 64 * 64)
    let (mean, variance) = channelMoments(x)
    let p = x.scalars, g = dy.scalars
    for ch in 0..<c {
      var s: Double = 0, q: Double = 0
      for i in 0..<n { for j in 0..<inner { let v = Double(p[(i * c + ch) * inner + j]); s += v; q += v * v } }
      let mu = s / Double(n * inner)
      #expect(mean[ch] == Float(mu))
      #expect(variance[ch] == Float(max(q / Double(n * inner) - mu * mu, 0)))
    }
    let stats = BatchNormStatistics(mean: mean, invStd: variance.map { 1 / ($0 + 1e-5).squareRoot() })
    var rng = RandomStream(seed: 6)
    let gamma = rng.uniformTensor([c], lo: 0.5, hi: 1.5), beta = rng.uniformTensor([c], lo: -0.5, hi: 0.5)
    let y = batchNormApply(x, mean: stats.mean, invStd: stats.invStd, gamma: gamma, beta: beta).scalars
    let (dx, dGamma, dBeta) = batchNormBackward(dy, x: x, stats: stats, gamma: gamma, batchStatistics: true)
    let (gs, bs, dxs) = (gamma.scalars, beta.scalars, dx.scalars)
    let m = Float(n * inner)
    for ch in 0..<c {
      let (mu, inv) = (stats.mean[ch], stats.invStd[ch])
      let scale = gs[ch] * inv, shift = bs[ch] - mu * scale
      var sumDy: Float = 0, sumDyXhat: Float = 0
      for i in 0..<n {
        for j in 0..<inner {
          let k = (i * c + ch) * inner + j
          #expect(y[k] == p[k] * scale + shift)
          sumDy += g[k]
          sumDyXhat += g[k] * (p[k] - mu) * inv
        }
      }
      #expect(dGamma.scalars[ch] == sumDyXhat && dBeta.scalars[ch] == sumDy)
      let k0 = (3 * c + ch) * inner + 17
      let want = gs[ch] * inv * (g[k0] - sumDy / m - (p[k0] - mu) * inv * sumDyXhat / m)
      #expect(dxs[k0] == want)
    }
  }
}
