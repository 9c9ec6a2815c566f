import Foundation

/// The differentiable operations. Each computes its value with a kernel and records an `Op`
/// on the tape; the pullbacks live in `Op.swift`.

public func + (a: Variable, b: Variable) -> Variable { binary(.add, a, b) }
public func - (a: Variable, b: Variable) -> Variable { binary(.sub, a, b) }
public func * (a: Variable, b: Variable) -> Variable { binary(.mul, a, b) }
public func / (a: Variable, b: Variable) -> Variable { binary(.div, a, b) }
public func * (a: Variable, s: Float) -> Variable { a.tape.record(.scale(a.id, s), a.value * s, inputs: a.id) }

func binary(_ kind: BinaryKind, _ a: Variable, _ b: Variable) -> Variable {
  precondition(a.tape === b.tape, "variables from different tapes")
  return a.tape.record(.binary(kind, a.id, b.id), binaryKernel(a.value, b.value, kind), inputs: a.id, b.id)
}

/// `op(a) · op(b)` for rank-2 variables.
public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
  let value = matmulKernel(a.value, b.value, transA: transposeA, transB: transposeB)
  return a.tape.record(.matmul(a.id, b.id, transA: transposeA, transB: transposeB), value, inputs: a.id, b.id)
}

/// A fully connected layer: `x · wᵀ + b` with x `[N, in]`, w `[out, in]`, b `[out]`.
public func linear(_ x: Variable, weight w: Variable, bias b: Variable) -> Variable {
  var y = matmulKernel(x.value, w.value, transB: true)
  let out = w.shape[0]
  b.value.withUnsafeBufferPointer { pb in
    y.withUnsafeMutableBufferPointer { py in
      for i in 0..<(py.count / out) {
        for j in 0..<out { py[i * out + j] += pb[j] }
      }
    }
  }
  return x.tape.record(.linear(x: x.id, weight: w.id, bias: b.id), y, inputs: x.id, w.id, b.id)
}

/// 2-D convolution without bias (the bias is a constant zero vector).
public func conv2d(_ x: Variable, weight w: Variable, stride: Int = 1, padding: Int = 0) -> Variable {
  conv2d(x, weight: w, bias: x.tape.constant(Tensor(zeros: [w.shape[0]])), stride: stride, padding: padding)
}

/// 2-D convolution without bias whose value another kernel computed: `value` must equal
/// `conv2d(x, weight: w, stride:, padding:)`'s (the XNOR-popcount convolution of ±1 tensors
/// does, bit for bit). The gradients are the convolution's.
public func conv2d(_ x: Variable, weight w: Variable, stride: Int = 1, padding: Int = 0, value: Tensor) -> Variable {
  let b = x.tape.constant(Tensor(zeros: [w.shape[0]]))
  let g = geometry(x, w, stride: stride, padding: padding)
  precondition(value.shape == [g.n, g.outChannels, g.outH, g.outW], "conv2d: value \(value.shape) is not the convolution's shape")
  return x.tape.record(.conv2d(x: x.id, weight: w.id, bias: b.id, g), value, inputs: x.id, w.id, b.id)
}

private func geometry(_ x: Variable, _ w: Variable, stride: Int, padding: Int) -> ConvGeometry {
  precondition(x.shape.count == 4 && w.shape.count == 4 && x.shape[1] == w.shape[1],
               "conv2d: input \(x.shape) and weight \(w.shape) do not match")
  return ConvGeometry(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3],
                      outChannels: w.shape[0], kh: w.shape[2], kw: w.shape[3],
                      strideH: stride, strideW: stride, padH: padding, padW: padding)
}

/// 2-D convolution of NCHW `x` with OIHW `w` and bias `[O]`.
public func conv2d(_ x: Variable, weight w: Variable, bias b: Variable, stride: Int = 1, padding: Int = 0) -> Variable {
  let g = geometry(x, w, stride: stride, padding: padding)
  let y = conv2dForward(x.value, w.value, b.value, g)
  return x.tape.record(.conv2d(x: x.id, weight: w.id, bias: b.id, g), y, inputs: x.id, w.id, b.id)
}

public func relu(_ x: Variable) -> Variable {
  x.tape.record(.relu(x.id), unaryKernel(x.value, .relu), inputs: x.id)
}

public func hardtanh(_ x: Variable) -> Variable {
  x.tape.record(.hardtanh(x.id), unaryKernel(x.value, .hardtanh), inputs: x.id)
}

/// Max pooling with a square window (stride defaults to the window; padding counts as −∞).
public func maxPool2d(_ x: Variable, kernel: Int, stride: Int? = nil, padding: Int = 0) -> Variable {
  let g = PoolGeometry(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], kernel: kernel, stride: stride ?? kernel,
                       padding: padding)
  let (y, argmax) = maxPoolForward(x.value, g, argmax: x.tape.keepsValues)
  return x.tape.record(.maxPool(x.id, g, argmax), y, inputs: x.id)
}

/// Average pooling with a square window and no padding (stride defaults to the window).
public func avgPool2d(_ x: Variable, kernel: Int, stride: Int? = nil) -> Variable {
  let g = PoolGeometry(n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], kernel: kernel, stride: stride ?? kernel)
  return x.tape.record(.avgPool(x.id, g), avgPoolForward(x.value, g), inputs: x.id)
}

public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
  x.tape.record(.reshape(x.id), x.value.reshaped(shape), inputs: x.id)
}

/// `[N, ...]` to `[N, rest]`.
public func flatten(_ x: Variable) -> Variable {
  reshape(x, [x.shape[0], x.value.count / x.shape[0]])
}

/// Sum of all elements (a scalar).
public func sum(_ x: Variable) -> Variable {
  x.tape.record(.sum(x.id), Tensor(scalar: x.value.sum()), inputs: x.id)
}

/// Mean of all elements (a scalar).
public func mean(_ x: Variable) -> Variable {
  x.tape.record(.mean(x.id), Tensor(scalar: x.value.sum() / Float(x.value.count)), inputs: x.id)
}

public func logSoftmax(_ x: Variable) -> Variable {
  x.tape.record(.logSoftmax(x.id), logSoftmaxKernel(x.value), inputs: x.id)
}

/// Softmax cross-entropy of `[N, K]` logits against labels, averaged (or summed) over the batch.
public func crossEntropy(_ logits: Variable, labels: [Int], reduction: Reduction = .mean) -> Variable {
  let (loss, p) = crossEntropyKernel(logits.value, labels: labels, mean: reduction == .mean)
  return logits.tape.record(.crossEntropy(logits.id, labels: labels, probabilities: p, mean: reduction == .mean),
                            Tensor(scalar: loss), inputs: logits.id)
}

public enum Reduction: Sendable { case mean, sum }

/// `sign(x)` forward (sign(0) = 0), straight-through gradient backward.
public func sign(_ x: Variable, estimator: StraightThrough = .identity) -> Variable {
  x.tape.record(.sign(x.id, estimator), unaryKernel(x.value, .sign), inputs: x.id)
}

public func clamp(_ x: Variable, _ lo: Float, _ hi: Float) -> Variable {
  x.tape.record(.clamp(x.id, lo: lo, hi: hi), unaryKernel(x.value, .clamp(lo, hi)), inputs: x.id)
}

/// Batch normalisation of `[N, C, ...]` with per-channel `gamma` and `beta`. With
/// `running == nil` or `training` the batch statistics normalise (and, when `running` is given,
/// update it in place with `momentum`); otherwise the running statistics do.
public func batchNorm(_ x: Variable, gamma: Variable, beta: Variable, running: RunningStatistics?,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Variable {
  let useBatch = training || running == nil
  let stats: BatchNormStatistics
  if useBatch {
    let (mean, variance) = channelMoments(x.value)
    stats = BatchNormStatistics(mean: mean, invStd: variance.map { 1 / ($0 + epsilon).squareRoot() })
    if let running, training {
      let m = Float(x.value.count / x.shape[1])
      running.update(mean: mean, unbiasedVariance: variance.map { $0 * m / max(m - 1, 1) }, momentum: momentum)
    }
  } else {
    let r = running!
    stats = BatchNormStatistics(mean: r.mean.scalars, invStd: r.variance.scalars.map { 1 / ($0 + epsilon).squareRoot() })
  }
  let y = batchNormApply(x.value, mean: stats.mean, invStd: stats.invStd, gamma: gamma.value, beta: beta.value)
  return x.tape.record(.batchNorm(x: x.id, gamma: gamma.id, beta: beta.id, stats, batchStatistics: useBatch), y,
                       inputs: x.id, gamma.id, beta.id)
}

/// Running mean and variance of a batch-norm layer, updated in place during training.
public final class RunningStatistics: @unchecked Sendable {
  public var mean: Tensor
  public var variance: Tensor
  public var batchesTracked: Int = 0
  /// When set, updates form the plain average of every batch since (PyTorch's
  /// `momentum=None`), used to recompute the statistics for the final weights.
  public var cumulative = false
  var cumulativeCount = 0

  public init(channels: Int) {
    mean = Tensor(zeros: [channels])
    variance = Tensor(repeating: 1, shape: [channels])
  }

  /// Starts a cumulative average (`cumulative = true`) or returns to the exponential one.
  public func resetCumulative(_ on: Bool) {
    cumulative = on
    cumulativeCount = 0
  }

  func update(mean batchMean: [Float], unbiasedVariance: [Float], momentum: Float) {
    var momentum = momentum
    if cumulative {
      cumulativeCount += 1
      momentum = 1 / Float(cumulativeCount)
    }
    mean.withUnsafeMutableBufferPointer { m in
      variance.withUnsafeMutableBufferPointer { v in
        for c in 0..<m.count {
          m[c] = (1 - momentum) * m[c] + momentum * batchMean[c]
          v[c] = (1 - momentum) * v[c] + momentum * unbiasedVariance[c]
        }
      }
    }
    batchesTracked += 1
  }
}

/// `value` forward, identity gradient backward: a straight-through estimator for any
/// non-differentiable sample or rounding whose result the caller computed.
public func straightThrough(_ x: Variable, value: Tensor) -> Variable {
  precondition(value.shape == x.shape)
  return x.tape.record(.straightThrough(x.id), value, inputs: x.id)
}

/// Binary stochastic neuron: `h ~ Bernoulli(clamp((k·a + 1)/2, 0, 1))` in {0, 1}, with the
/// straight-through gradient `k/2` where `|k·a| < 1` (stochastic-nets.md §3). Uniforms come from
/// `rng` in counter order, so the samples do not depend on threading.
public func bernoulliHardSigmoid(_ a: Variable, slope k: Float, rng: inout RandomStream) -> Variable {
  var out = Tensor(uninitialized: a.shape)
  out.withUnsafeMutableBufferPointer { po in
    rng.fillUniform(po)
    a.value.withUnsafeBufferPointer { pa in
      let half = k / 2
      parallelChunks(po.count, minimum: 65_536) { range in
        for i in range { po[i] = po[i] < half * pa[i] + 0.5 ? 1 : 0 }
      }
    }
  }
  return a.tape.record(.bernoulliHardSigmoid(a.id, slope: k), out, inputs: a.id)
}
