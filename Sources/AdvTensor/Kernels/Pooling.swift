/// Pooling kernels over NCHW tensors (no padding). Max pooling records the flat input index of
/// each window's maximum so the pullback scatters the gradient there (first maximum wins a tie,
/// as in PyTorch).

public struct PoolGeometry: Hashable, Sendable {
  public var n, c, h, w, kernel, stride: Int
  /// Max pooling only: implicit −∞ border of this width (PyTorch `padding`).
  public var padding = 0
  public var outH: Int { (h + 2 * padding - kernel) / stride + 1 }
  public var outW: Int { (w + 2 * padding - kernel) / stride + 1 }
}

func maxPoolForward(_ x: Tensor, _ g: PoolGeometry, argmax wantArgmax: Bool = true) -> (Tensor, [Int32]) {
  var y = Tensor(uninitialized: [g.n, g.c, g.outH, g.outW])
  // Every output's argmax is written below: no zero fill first.
  var argmax = [Int32](unsafeUninitializedCapacity: wantArgmax ? y.count : 0) { _, n in n = wantArgmax ? y.count : 0 }
  let planes = g.n * g.c, oh = g.outH, ow = g.outW, pad = g.padding
  let h = g.h, w = g.w, k = g.kernel, stride = g.stride
  let simple = k == 2 && stride == 2 && pad == 0
  x.withUnsafeBufferPointer { px in
    y.withUnsafeMutableBufferPointer { py in
      argmax.withUnsafeMutableBufferPointer { pa in
        let xs = px.baseAddress!, ys = py.baseAddress!, args = wantArgmax ? pa.baseAddress : nil
        parallelChunks(planes, minimum: 256) { range in
          for plane in range {
            let inBase = plane * h * w, outBase = plane * oh * ow
            if simple {
              // 2x2 windows, stride 2: the common case, four loads per output. Ties go to the
              // first of the window in row-major order, as in the general loop.
              for i in 0..<oh {
                let row0 = inBase + 2 * i * w, r0 = xs + row0, r1 = r0 + w, out = ys + outBase + i * ow
                if let args {
                  let arg = args + outBase + i * ow
                  for j in 0..<ow {
                    var best = r0[2 * j], at = row0 + 2 * j
                    if r0[2 * j + 1] > best { best = r0[2 * j + 1]; at = row0 + 2 * j + 1 }
                    if r1[2 * j] > best { best = r1[2 * j]; at = row0 + w + 2 * j }
                    if r1[2 * j + 1] > best { best = r1[2 * j + 1]; at = row0 + w + 2 * j + 1 }
                    out[j] = best
                    arg[j] = Int32(at)
                  }
                } else {
                  for j in 0..<ow {
                    let a = max(r0[2 * j], r0[2 * j + 1]), b = max(r1[2 * j], r1[2 * j + 1])
                    out[j] = max(a, b)
                  }
                }
              }
              continue
            }
            for i in 0..<oh {
              let r0 = i * stride - pad
              let rLo = max(r0, 0), rHi = min(r0 + k, h)
              for j in 0..<ow {
                let c0 = j * stride - pad
                let cLo = max(c0, 0), cHi = min(c0 + k, w)
                var best = -Float.infinity, arg = inBase + rLo * w + cLo
                for r in rLo..<rHi {
                  let row = inBase + r * w
                  for q in cLo..<cHi where xs[row + q] > best {
                    best = xs[row + q]
                    arg = row + q
                  }
                }
                ys[outBase + i * ow + j] = best
                args?[outBase + i * ow + j] = Int32(arg)
              }
            }
          }
        }
      }
    }
  }
  return (y, argmax)
}

/// Every window's maximum lies in the window's own (n, c) plane: each plane is zeroed and
/// receives its outputs' gradients (in output order) while it is in cache, instead of zeroing
/// the whole tensor first and scattering into it afterwards.
func maxPoolBackward(_ dy: Tensor, _ argmax: [Int32], inputShape: [Int]) -> Tensor {
  var dx = Tensor(uninitialized: inputShape)
  let planes = inputShape[0] * inputShape[1], inPlane = dx.count / max(planes, 1), outPlane = dy.count / max(planes, 1)
  dy.withUnsafeBufferPointer { pdy in
    dx.withUnsafeMutableBufferPointer { pdx in
      argmax.withUnsafeBufferPointer { pa in
        guard let dys = pdy.baseAddress, let dxs = pdx.baseAddress, let args = pa.baseAddress else { return }
        for plane in 0..<planes {
          (dxs + plane * inPlane).initialize(repeating: 0, count: inPlane)
          for k in (plane * outPlane)..<((plane + 1) * outPlane) { dxs[Int(args[k])] += dys[k] }
        }
      }
    }
  }
  return dx
}

func avgPoolForward(_ x: Tensor, _ g: PoolGeometry) -> Tensor {
  var y = Tensor(uninitialized: [g.n, g.c, g.outH, g.outW])
  let planes = g.n * g.c, oh = g.outH, ow = g.outW
  let scale = 1 / Float(g.kernel * g.kernel)
  x.withUnsafeBufferPointer { px in
    y.withUnsafeMutableBufferPointer { py in
      for plane in 0..<planes {
        let inBase = plane * g.h * g.w, outBase = plane * oh * ow
        for i in 0..<oh {
          for j in 0..<ow {
            var s: Float = 0
            for di in 0..<g.kernel {
              let row = inBase + (i * g.stride + di) * g.w + j * g.stride
              for dj in 0..<g.kernel { s += px[row + dj] }
            }
            py[outBase + i * ow + j] = s * scale
          }
        }
      }
    }
  }
  return y
}

func avgPoolBackward(_ dy: Tensor, _ g: PoolGeometry) -> Tensor {
  var dx = Tensor(zeros: [g.n, g.c, g.h, g.w])
  let planes = g.n * g.c, oh = g.outH, ow = g.outW
  let scale = 1 / Float(g.kernel * g.kernel)
  dy.withUnsafeBufferPointer { pdy in
    dx.withUnsafeMutableBufferPointer { pdx in
      for plane in 0..<planes {
        let inBase = plane * g.h * g.w, outBase = plane * oh * ow
        for i in 0..<oh {
          for j in 0..<ow {
            let v = pdy[outBase + i * ow + j] * scale
            for di in 0..<g.kernel {
              let row = inBase + (i * g.stride + di) * g.w + j * g.stride
              for dj in 0..<g.kernel { pdx[row + dj] += v }
            }
          }
        }
      }
    }
  }
  return dx
}
