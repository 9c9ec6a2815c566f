/// Broadcasting (NumPy rules) for the element-wise binary kernels and their pullbacks.

/// The shape two operands broadcast to, or nil when they are incompatible.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
  let n = max(a.count, b.count)
  var out = [Int](repeating: 1, count: n)
  for i in 0..<n {
    let da = i < n - a.count ? 1 : a[i - (n - a.count)]
    let db = i < n - b.count ? 1 : b[i - (n - b.count)]
    if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
  }
  return out
}

/// Element strides of `shape` seen through `outShape`, with 0 on broadcast dimensions.
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
  let n = outShape.count
  var strides = [Int](repeating: 0, count: n)
  var s = 1
  for i in stride(from: shape.count - 1, through: 0, by: -1) {
    let o = i + (n - shape.count)
    strides[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : s
    s *= shape[i]
  }
  return strides
}

public enum BinaryKind: Sendable { case add, sub, mul, div }

@inline(__always)
func apply(_ kind: BinaryKind, _ x: Float, _ y: Float) -> Float {
  switch kind {
  case .add: return x + y
  case .sub: return x - y
  case .mul: return x * y
  case .div: return x / y
  }
}

/// `a ∘ b` element-wise with broadcasting.
func binaryKernel(_ a: Tensor, _ b: Tensor, _ kind: BinaryKind) -> Tensor {
  guard let outShape = broadcastShape(a.shape, b.shape) else {
    preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
  }
  var out = Tensor(uninitialized: outShape)
  let n = out.count
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      out.withUnsafeMutableBufferPointer { po in
        if a.count == n && b.count == n {
          switch kind {
          case .add: for i in 0..<n { po[i] = pa[i] + pb[i] }
          case .sub: for i in 0..<n { po[i] = pa[i] - pb[i] }
          case .mul: for i in 0..<n { po[i] = pa[i] * pb[i] }
          case .div: for i in 0..<n { po[i] = pa[i] / pb[i] }
          }
        } else if b.count == 1 {
          let y = pb[0]
          for i in 0..<n { po[i] = apply(kind, pa[i], y) }
        } else if a.count == 1 {
          let x = pa[0]
          for i in 0..<n { po[i] = apply(kind, x, pb[i]) }
        } else {
          stridedBinary(pa, a.shape, pb, b.shape, po, outShape, kind)
        }
      }
    }
  }
  return out
}

/// General broadcasting loop: walks the output in row-major order, innermost dimension contiguous.
private func stridedBinary(_ pa: UnsafeBufferPointer<Float>, _ sa: [Int],
                           _ pb: UnsafeBufferPointer<Float>, _ sb: [Int],
                           _ po: UnsafeMutableBufferPointer<Float>, _ outShape: [Int], _ kind: BinaryKind) {
  let rank = outShape.count
  let stA = broadcastStrides(sa, to: outShape), stB = broadcastStrides(sb, to: outShape)
  let inner = outShape[rank - 1], ia = stA[rank - 1], ib = stB[rank - 1]
  let outer = po.count / max(inner, 1)
  var index = [Int](repeating: 0, count: rank)
  var offA = 0, offB = 0
  for row in 0..<outer {
    let base = row * inner
    for j in 0..<inner { po[base + j] = apply(kind, pa[offA + j * ia], pb[offB + j * ib]) }
    // Advance the multi-index over the outer dimensions.
    var d = rank - 2
    while d >= 0 {
      index[d] += 1
      offA += stA[d]
      offB += stB[d]
      if index[d] < outShape[d] { break }
      offA -= stA[d] * outShape[d]
      offB -= stB[d] * outShape[d]
      index[d] = 0
      d -= 1
    }
  }
}

/// Sums `g` over the dimensions that were broadcast to produce it, giving a tensor of `shape`.
func sumToShape(_ g: Tensor, _ shape: [Int]) -> Tensor {
  if g.shape == shape { return g }
  let count = shape.reduce(1, *)
  var out = Tensor(zeros: shape)
  if count == 1 {
    let s = g.withUnsafeBufferPointer { p in p.reduce(0, +) }
    out[flat: 0] = s
    return out
  }
  let outShape = g.shape
  let rank = outShape.count
  let st = broadcastStrides(shape, to: outShape)
  let inner = outShape[rank - 1], istride = st[rank - 1]
  var index = [Int](repeating: 0, count: rank)
  var off = 0
  g.withUnsafeBufferPointer { pg in
    out.withUnsafeMutableBufferPointer { po in
      let outer = pg.count / max(inner, 1)
      for row in 0..<outer {
        let base = row * inner
        if istride == 0 {
          var s: Float = 0
          for j in 0..<inner { s += pg[base + j] }
          po[off] += s
        } else {
          for j in 0..<inner { po[off + j * istride] += pg[base + j] }
        }
        var d = rank - 2
        while d >= 0 {
          index[d] += 1
          off += st[d]
          if index[d] < outShape[d] { break }
          off -= st[d] * outShape[d]
          index[d] = 0
          d -= 1
        }
      }
    }
  }
  return out
}
