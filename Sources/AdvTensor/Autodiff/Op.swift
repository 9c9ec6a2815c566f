/// The primitive operations the tape records, and the pullback of each.
///
/// Gradient conventions (chosen to match PyTorch where it has one):
/// - `relu` has derivative 0 at 0.
/// - `hardtanh` passes the gradient strictly inside (-1, 1).
/// - `clamp` passes the gradient on the closed interval [lo, hi].
/// - `sign` is a straight-through estimator: `.identity` passes the gradient unchanged,
///   `.clipped` passes it where |x| ≤ 1 (BinaryNet's estimator).
/// - max pooling sends the gradient to the first maximum of each window.
enum Op {
  case leaf
  case binary(BinaryKind, Int, Int)
  case scale(Int, Float)
  case matmul(Int, Int, transA: Bool, transB: Bool)
  case linear(x: Int, weight: Int, bias: Int)
  case conv2d(x: Int, weight: Int, bias: Int, ConvGeometry)
  case relu(Int)
  case hardtanh(Int)
  case maxPool(Int, PoolGeometry, [Int32])
  case avgPool(Int, PoolGeometry)
  case reshape(Int)
  case sum(Int)
  case mean(Int)
  case logSoftmax(Int)
  case crossEntropy(Int, labels: [Int], probabilities: Tensor, mean: Bool)
  case sign(Int, StraightThrough)
  case clamp(Int, lo: Float, hi: Float)
  case batchNorm(x: Int, gamma: Int, beta: Int, BatchNormStatistics, batchStatistics: Bool)
  case straightThrough(Int)
  case bernoulliHardSigmoid(Int, slope: Float)
}

/// Which gradient the straight-through sign passes back.
public enum StraightThrough: Sendable {
  case identity
  case clipped
}

extension Tape {
  /// The contributions of node `id`'s gradient `g` to its inputs.
  func pullback(of id: Int, gradient g: Tensor) -> [(Int, Tensor)] {
    let node = nodes[id]
    switch node.op {
    case .leaf:
      return []
    case .binary(let kind, let a, let b):
      let (sa, sb) = (nodes[a].shape, nodes[b].shape)
      switch kind {
      case .add: return [(a, sumToShape(g, sa)), (b, sumToShape(g, sb))]
      case .sub: return [(a, sumToShape(g, sa)), (b, sumToShape(g * -1, sb))]
      case .mul:
        let va = value(a), vb = value(b)
        return [(a, sumToShape(g * vb, sa)), (b, sumToShape(g * va, sb))]
      case .div:
        // d(a/b)/db = -a/b² = -out/b
        let vb = value(b)
        return [(a, sumToShape(g / vb, sa)), (b, sumToShape(-1 * (g * value(id) / vb), sb))]
      }
    case .scale(let a, let s):
      return [(a, g * s)]
    case .matmul(let a, let b, let transA, let transB):
      let va = value(a), vb = value(b)
      // C = op(A)·op(B): dA = dC·op(B)ᵀ (transposed back if A was), dB likewise.
      let da = transA ? matmulKernel(vb, g, transA: transB, transB: true)
                      : matmulKernel(g, vb, transA: false, transB: !transB)
      let db = transB ? matmulKernel(g, va, transA: true, transB: transA)
                      : matmulKernel(va, g, transA: !transA, transB: false)
      return [(a, da), (b, db)]
    case .linear(let x, let w, let b):
      // Attacks hold the weights constant: skip the weight products they would discard.
      var out: [(Int, Tensor)] = []
      if nodes[x].needsGradient { out.append((x, matmulKernel(g, value(w)))) }
      if nodes[w].needsGradient { out.append((w, matmulKernel(g, value(x), transA: true))) }
      if nodes[b].needsGradient { out.append((b, sumToShape(g, nodes[b].shape))) }
      return out
    case .conv2d(let x, let w, let b, let geometry):
      var out: [(Int, Tensor)] = []
      if nodes[x].needsGradient { out.append((x, conv2dBackwardData(g, value(w), geometry))) }
      if nodes[w].needsGradient || nodes[b].needsGradient {
        let (dw, db) = conv2dBackwardWeights(g, value(x), geometry)
        out.append((w, dw))
        out.append((b, db))
      }
      return out
    case .relu(let a):
      return [(a, maskKernel(g, value(id), .positive))]
    case .hardtanh(let a):
      // Read on the output: −1 < y < 1 exactly where −1 < x < 1, and the input's value (often a
      // batch norm's) need not be kept.
      return [(a, maskKernel(g, value(id), .insideOpen))]
    case .maxPool(let a, _, let argmax):
      return [(a, maxPoolBackward(g, argmax, inputShape: nodes[a].shape))]
    case .avgPool(let a, let geometry):
      return [(a, avgPoolBackward(g, geometry))]
    case .reshape(let a):
      return [(a, g.reshaped(nodes[a].shape))]
    case .sum(let a):
      return [(a, Tensor(repeating: g.scalar, shape: nodes[a].shape))]
    case .mean(let a):
      let n = nodes[a].shape.reduce(1, *)
      return [(a, Tensor(repeating: g.scalar / Float(n), shape: nodes[a].shape))]
    case .logSoftmax(let a):
      return [(a, logSoftmaxBackward(g, output: value(id)))]
    case .crossEntropy(let a, let labels, let p, let mean):
      return [(a, crossEntropyBackward(g.scalar, probabilities: p, labels: labels, mean: mean))]
    case .sign(let a, let estimator):
      switch estimator {
      case .identity: return [(a, g)]
      case .clipped: return [(a, maskKernel(g, value(a), .insideClosed))]
      }
    case .clamp(let a, let lo, let hi):
      return [(a, maskKernel(g, value(a), .within(lo, hi)))]
    case .batchNorm(let x, let gamma, let beta, let stats, let batchStatistics):
      let (dx, dg, db) = batchNormBackward(g, x: value(x), stats: stats, gamma: value(gamma),
                                           batchStatistics: batchStatistics)
      return [(x, dx), (gamma, dg), (beta, db)]
    case .straightThrough(let a):
      return [(a, g)]
    case .bernoulliHardSigmoid(let a, let k):
      // Straight through the sample, then the hard sigmoid's slope k/2 where |k·a| < 1.
      return [(a, maskKernel(g, value(a), .hardSigmoid(k)))]
    }
  }
}
