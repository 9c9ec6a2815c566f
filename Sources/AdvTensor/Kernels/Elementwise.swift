import Foundation

/// Element-wise maps and plain (non-recorded) tensor arithmetic.
extension Tensor {
  /// `f` applied to every element.
  @inlinable
  public func map(_ f: (Float) -> Float) -> Tensor {
    var out = Tensor(uninitialized: shape)
    withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for i in 0..<dst.count { dst[i] = f(src[i]) }
      }
    }
    return out
  }

  /// `f(self[i], other[i])` for tensors of equal element count.
  @inlinable
  public func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(count == other.count, "zipMap of \(shape) and \(other.shape)")
    var out = Tensor(uninitialized: shape)
    withUnsafeBufferPointer { a in
      other.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { dst in
          for i in 0..<dst.count { dst[i] = f(a[i], b[i]) }
        }
      }
    }
    return out
  }

  /// Element count from which element-wise passes are split across the cores: below it the
  /// hand-off costs more than it saves.
  public static let parallelElements = 1 << 16

  public static func + (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, .add) }
  public static func - (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, .sub) }
  public static func * (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, .mul) }
  public static func / (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, .div) }
  public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
  public static func * (s: Float, a: Tensor) -> Tensor { a.map { $0 * s } }
  public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }

  /// `self += alpha * other`, in place.
  public mutating func addScaled(_ other: Tensor, _ alpha: Float) {
    precondition(count == other.count)
    other.withUnsafeBufferPointer { src in
      withUnsafeMutableBufferPointer { dst in
        for i in 0..<dst.count { dst[i] += alpha * src[i] }
      }
    }
  }

  public func sum() -> Float {
    withUnsafeBufferPointer { p in
      var s: Double = 0
      for v in p { s += Double(v) }
      return Float(s)
    }
  }

  public func squaredNorm() -> Float {
    withUnsafeBufferPointer { p in
      var s: Double = 0
      for v in p { s += Double(v) * Double(v) }
      return Float(s)
    }
  }

  public func maxAbs() -> Float {
    withUnsafeBufferPointer { p in p.reduce(0) { max($0, abs($1)) } }
  }

  /// Values clamped to [lo, hi].
  public func clamped(_ lo: Float, _ hi: Float) -> Tensor { map { min(max($0, lo), hi) } }
}

/// Numerically stable log-softmax over the last dimension of a `[N, K]` tensor.
func logSoftmaxKernel(_ x: Tensor) -> Tensor {
  precondition(x.rank == 2, "log-softmax expects [N, K], got \(x.shape)")
  let n = x.shape[0], k = x.shape[1]
  var out = Tensor(uninitialized: x.shape)
  x.withUnsafeBufferPointer { px in
    out.withUnsafeMutableBufferPointer { po in
      for i in 0..<n {
        let row = i * k
        var m = -Float.infinity
        for j in 0..<k { m = max(m, px[row + j]) }
        var s: Float = 0
        for j in 0..<k { s += expf(px[row + j] - m) }
        let lse = m + logf(s)
        for j in 0..<k { po[row + j] = px[row + j] - lse }
      }
    }
  }
  return out
}

/// Pullback of log-softmax: `dx = dy − softmax · Σ dy` per row.
func logSoftmaxBackward(_ dy: Tensor, output y: Tensor) -> Tensor {
  let n = y.shape[0], k = y.shape[1]
  var dx = Tensor(uninitialized: y.shape)
  dy.withUnsafeBufferPointer { pdy in
    y.withUnsafeBufferPointer { py in
      dx.withUnsafeMutableBufferPointer { pdx in
        for i in 0..<n {
          let row = i * k
          var s: Float = 0
          for j in 0..<k { s += pdy[row + j] }
          for j in 0..<k { pdx[row + j] = pdy[row + j] - expf(py[row + j]) * s }
        }
      }
    }
  }
  return dx
}

/// Softmax cross-entropy of `[N, K]` logits against integer labels: the loss (mean or sum over
/// the batch) and the softmax probabilities kept for the pullback.
func crossEntropyKernel(_ logits: Tensor, labels: [Int], mean: Bool) -> (Float, Tensor) {
  precondition(logits.rank == 2 && logits.shape[0] == labels.count, "cross-entropy: logits \(logits.shape), \(labels.count) labels")
  let n = logits.shape[0], k = logits.shape[1]
  var probabilities = Tensor(uninitialized: logits.shape)
  var loss: Double = 0
  logits.withUnsafeBufferPointer { px in
    probabilities.withUnsafeMutableBufferPointer { pp in
      for i in 0..<n {
        let row = i * k
        var m = -Float.infinity
        for j in 0..<k { m = max(m, px[row + j]) }
        var s: Float = 0
        for j in 0..<k {
          let e = expf(px[row + j] - m)
          pp[row + j] = e
          s += e
        }
        let inv = 1 / s
        for j in 0..<k { pp[row + j] *= inv }
        precondition(labels[i] >= 0 && labels[i] < k, "label \(labels[i]) out of range 0..<\(k)")
        loss += Double(logf(s) + m - px[row + labels[i]])
      }
    }
  }
  return (Float(mean ? loss / Double(n) : loss), probabilities)
}

/// Pullback of cross-entropy: `(softmax − onehot) · g` (divided by N for the mean).
func crossEntropyBackward(_ g: Float, probabilities p: Tensor, labels: [Int], mean: Bool) -> Tensor {
  let n = p.shape[0], k = p.shape[1]
  let scale = mean ? g / Float(n) : g
  var dx = p * scale
  dx.withUnsafeMutableBufferPointer { pd in
    for i in 0..<n { pd[i * k + labels[i]] -= scale }
  }
  return dx
}

/// The element-wise maps of activations, each one loop over raw buffers (no closure call per
/// element), split across the cores for large tensors. Each element is computed alone, so the
/// result does not depend on the split.
enum UnaryMap {
  case relu, hardtanh, sign
  case clamp(Float, Float)
}

func unaryKernel(_ x: Tensor, _ op: UnaryMap) -> Tensor {
  var out = Tensor(uninitialized: x.shape)
  x.withUnsafeBufferPointer { src in
    out.withUnsafeMutableBufferPointer { dst in
      let (a, d) = (src.baseAddress!, dst.baseAddress!)
      parallelChunks(dst.count, minimum: Tensor.parallelElements) { range in
        switch op {
        case .relu: for i in range { d[i] = max(a[i], 0) }
        case .hardtanh: for i in range { d[i] = min(max(a[i], -1), 1) }
        case .sign: for i in range { d[i] = a[i] > 0 ? 1 : (a[i] < 0 ? -1 : 0) }
        case .clamp(let lo, let hi): for i in range { d[i] = min(max(a[i], lo), hi) }
        }
      }
    }
  }
  return out
}

/// Pullbacks that pass the incoming gradient where a condition on a saved value holds (and
/// scale it), zero elsewhere.
enum GradientMask {
  /// y > 0 (ReLU's output).
  case positive
  /// −1 < x < 1 (Hardtanh's input).
  case insideOpen
  /// |x| ≤ 1 (the clipped straight-through estimator).
  case insideClosed
  /// lo ≤ x ≤ hi.
  case within(Float, Float)
  /// |k·x| < 1, scaled by k/2 (the hard sigmoid's slope).
  case hardSigmoid(Float)
}

func maskKernel(_ g: Tensor, _ saved: Tensor, _ mask: GradientMask) -> Tensor {
  precondition(g.count == saved.count, "gradient \(g.shape) against value \(saved.shape)")
  var out = Tensor(uninitialized: g.shape)
  g.withUnsafeBufferPointer { pg in
    saved.withUnsafeBufferPointer { px in
      out.withUnsafeMutableBufferPointer { dst in
        let (dy, x, d) = (pg.baseAddress!, px.baseAddress!, dst.baseAddress!)
        parallelChunks(dst.count, minimum: Tensor.parallelElements) { range in
          switch mask {
          case .positive: for i in range { d[i] = x[i] > 0 ? dy[i] : 0 }
          case .insideOpen: for i in range { d[i] = x[i] > -1 && x[i] < 1 ? dy[i] : 0 }
          case .insideClosed: for i in range { d[i] = abs(x[i]) <= 1 ? dy[i] : 0 }
          case .within(let lo, let hi): for i in range { d[i] = x[i] >= lo && x[i] <= hi ? dy[i] : 0 }
          case .hardSigmoid(let k): for i in range { d[i] = abs(k * x[i]) < 1 ? dy[i] * k / 2 : 0 }
          }
        }
      }
    }
  }
  return out
}
