import Foundation

/// Batch normalisation over the channel dimension of `[N, C, ...]` tensors (Ioffe & Szegedy
/// 2015), PyTorch's formulation: biased variance for normalising, unbiased for the running
/// estimate, `running ← (1 − momentum)·running + momentum·batch`.
public struct BatchNormStatistics {
  public let mean: [Float]
  public let invStd: [Float]
}

/// Channel count and elements per channel per sample of an `[N, C, ...]` shape.
@inline(__always)
func channelLayout(_ shape: [Int]) -> (n: Int, c: Int, inner: Int) {
  let n = shape[0], c = shape[1]
  return (n, c, shape.dropFirst(2).reduce(1, *))
}

/// Per-channel mean and biased variance of `x`.
func channelMoments(_ x: Tensor) -> (mean: [Float], variance: [Float]) {
  let (n, c, inner) = channelLayout(x.shape)
  // Means in the first c places, variances in the next c.
  var moments = [Float](repeating: 0, count: 2 * c)
  let m = Double(n * inner)
  x.withUnsafeBufferPointer { p in
    moments.withUnsafeMutableBufferPointer { out in
      let out = out.baseAddress!
      // Channels on both cores, each summed by one worker in one order: the split changes nothing.
      parallelChunks(c, minimum: x.count >= Tensor.parallelElements ? 2 : c + 1) { channels in
        for ch in channels {
          var s: Double = 0, q: Double = 0
          for i in 0..<n {
            let base = (i * c + ch) * inner
            for j in 0..<inner {
              let v = Double(p[base + j])
              s += v
              q += v * v
            }
          }
          let mu = s / m
          out[ch] = Float(mu)
          out[c + ch] = Float(max(q / m - mu * mu, 0))
        }
      }
    }
  }
  return (Array(moments[0..<c]), Array(moments[c...]))
}

/// `y = γ·(x − μ)·invStd + β` per channel.
func batchNormApply(_ x: Tensor, mean: [Float], invStd: [Float], gamma: Tensor, beta: Tensor) -> Tensor {
  let (n, c, inner) = channelLayout(x.shape)
  var y = Tensor(uninitialized: x.shape)
  x.withUnsafeBufferPointer { px in
    gamma.withUnsafeBufferPointer { pg in
      beta.withUnsafeBufferPointer { pb in
        y.withUnsafeMutableBufferPointer { out in
          let py = out.baseAddress!
          // Planes (sample, channel) on both cores.
          parallelChunks(n * c, minimum: x.count >= Tensor.parallelElements ? 2 : n * c + 1) { planes in
            for plane in planes {
              let ch = plane % c
              let scale = pg[ch] * invStd[ch], shift = pb[ch] - mean[ch] * scale
              let base = plane * inner
              for j in 0..<inner { py[base + j] = px[base + j] * scale + shift }
            }
          }
        }
      }
    }
  }
  return y
}

/// Pullback of batch normalisation. With batch statistics (training) the mean and variance
/// depend on x; with running statistics (inference) the map is affine.
func batchNormBackward(_ dy: Tensor, x: Tensor, stats: BatchNormStatistics, gamma: Tensor,
                       batchStatistics: Bool) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
  let (n, c, inner) = channelLayout(x.shape)
  let m = Float(n * inner)
  var dx = Tensor(uninitialized: x.shape)
  var dGamma = Tensor(zeros: [c]), dBeta = Tensor(zeros: [c])
  dy.withUnsafeBufferPointer { pdy in
    x.withUnsafeBufferPointer { px in
      gamma.withUnsafeBufferPointer { pg in
        dx.withUnsafeMutableBufferPointer { pdx in
          dGamma.withUnsafeMutableBufferPointer { pdg in
            dBeta.withUnsafeMutableBufferPointer { dbOut in
              let (pdx, pdg, pdb) = (pdx.baseAddress!, pdg.baseAddress!, dbOut.baseAddress!)
              // Channels on both cores, each reduced by one worker in one order.
              parallelChunks(c, minimum: x.count >= Tensor.parallelElements ? 2 : c + 1) { channels in
                for ch in channels {
                  let mu = stats.mean[ch], inv = stats.invStd[ch]
                  var sumDy: Float = 0, sumDyXhat: Float = 0
                  for i in 0..<n {
                    let base = (i * c + ch) * inner
                    for j in 0..<inner {
                      let g = pdy[base + j]
                      sumDy += g
                      sumDyXhat += g * (px[base + j] - mu) * inv
                    }
                  }
                  pdg[ch] = sumDyXhat
                  pdb[ch] = sumDy
                  let k = pg[ch] * inv
                  for i in 0..<n {
                    let base = (i * c + ch) * inner
                    if batchStatistics {
                      for j in 0..<inner {
                        let xhat = (px[base + j] - mu) * inv
                        pdx[base + j] = k * (pdy[base + j] - sumDy / m - xhat * sumDyXhat / m)
                      }
                    } else {
                      for j in 0..<inner { pdx[base + j] = k * pdy[base + j] }
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
  return (dx, dGamma, dBeta)
}
