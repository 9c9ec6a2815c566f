import AdvTensor
import AdvTestSupport
import Testing

/// Every differentiable op against central finite differences. Inputs are kept away from the
/// kinks of piecewise ops (0 for relu/sign, ±1 for hardtanh, the clamp bounds) so the
/// difference quotient is valid.
@Suite("gradients match finite differences")
struct GradientTests {
  let tolerance: Float = 2e-2

  /// A random tensor with no element within `margin` of any of `kinks`.
  func awayFromKinks(_ shape: [Int], seed: UInt64, kinks: [Float], margin: Float = 0.05) -> Tensor {
    randomTensor(shape, seed: seed, lo: -2, hi: 2).map { v in
      var v = v
      for k in kinks where abs(v - k) < margin { v = k + (v < k ? -margin : margin) * 2 }
      return v
    }
  }

  /// Weighted sum so that every output element gets a distinct gradient.
  func weightedSum(_ t: Tape, _ v: Variable, seed: UInt64 = 7) -> Variable {
    sum(v * t.constant(randomTensor(v.shape, seed: seed)))
  }

  @Test("add, sub, mul, div with broadcasting")
  func arithmetic() {
    let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([3, 1], seed: 2).map { $0 + 3 }
    for f in [{ (x: Variable, y: Variable) in x + y }, { $0 - $1 }, { $0 * $1 }, { $0 / $1 }] {
      #expect(gradientCheck([a, b]) { t, v in weightedSum(t, f(v[0], v[1])) } < tolerance)
    }
  }

  @Test("scale by a constant")
  func scale() {
    #expect(gradientCheck([randomTensor([5], seed: 3)]) { t, v in weightedSum(t, v[0] * 2.5) } < tolerance)
  }

  @Test("matmul with every transpose combination")
  func matmulAll() {
    for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
      let a = randomTensor(ta ? [4, 3] : [3, 4], seed: 4), b = randomTensor(tb ? [5, 4] : [4, 5], seed: 5)
      #expect(gradientCheck([a, b]) { t, v in weightedSum(t, matmul(v[0], v[1], transposeA: ta, transposeB: tb)) } < tolerance)
    }
  }

  @Test("linear layer")
  func linearLayer() {
    let x = randomTensor([3, 4], seed: 6), w = randomTensor([2, 4], seed: 7), b = randomTensor([2], seed: 8)
    #expect(gradientCheck([x, w, b]) { t, v in weightedSum(t, linear(v[0], weight: v[1], bias: v[2])) } < tolerance)
  }

  @Test("conv2d with stride and padding")
  func convolution() {
    let x = randomTensor([2, 3, 7, 6], seed: 9), w = randomTensor([4, 3, 3, 3], seed: 10), b = randomTensor([4], seed: 11)
    for (stride, padding) in [(1, 0), (2, 1), (1, 2)] {
      #expect(gradientCheck([x, w, b]) { t, v in
        weightedSum(t, conv2d(v[0], weight: v[1], bias: v[2], stride: stride, padding: padding))
      } < tolerance)
    }
  }

  @Test("relu, hardtanh")
  func activations() {
    let x = awayFromKinks([3, 5], seed: 12, kinks: [0, -1, 1])
    for f in [relu, hardtanh] as [(Variable) -> Variable] {
      #expect(gradientCheck([x]) { t, v in weightedSum(t, f(v[0])) } < tolerance)
    }
  }

  @Test("max pooling and average pooling")
  func pooling() {
    // Distinct values so that no window has a tie within the finite-difference step.
    let x = Tensor((0..<(2 * 2 * 6 * 6)).map { Float(($0 * 37) % 144) * 0.1 }, shape: [2, 2, 6, 6])
    #expect(gradientCheck([x]) { t, v in weightedSum(t, maxPool2d(v[0], kernel: 2)) } < tolerance)
    #expect(gradientCheck([x]) { t, v in weightedSum(t, maxPool2d(v[0], kernel: 3, stride: 2)) } < tolerance)
    #expect(gradientCheck([x]) { t, v in weightedSum(t, avgPool2d(v[0], kernel: 2)) } < tolerance)
  }

  @Test("reshape, flatten, sum, mean")
  func shapes() {
    let x = randomTensor([2, 3, 2], seed: 13)
    #expect(gradientCheck([x]) { t, v in weightedSum(t, flatten(v[0])) } < tolerance)
    #expect(gradientCheck([x]) { t, v in weightedSum(t, reshape(v[0], [3, 4])) } < tolerance)
    #expect(gradientCheck([x]) { _, v in sum(v[0]) } < tolerance)
    #expect(gradientCheck([x]) { _, v in mean(v[0] * v[0]) } < tolerance)
  }

  @Test("log-softmax and cross-entropy")
  func losses() {
    let x = randomTensor([4, 5], seed: 14, lo: -3, hi: 3)
    #expect(gradientCheck([x]) { t, v in weightedSum(t, logSoftmax(v[0])) } < tolerance)
    #expect(gradientCheck([x]) { _, v in crossEntropy(v[0], labels: [0, 4, 2, 2]) } < tolerance)
    #expect(gradientCheck([x]) { _, v in crossEntropy(v[0], labels: [1, 3, 0, 2], reduction: .sum) } < tolerance)
  }

  @Test("clamp passes the gradient inside its bounds")
  func clampGradient() {
    let x = awayFromKinks([10], seed: 15, kinks: [-0.5, 0.5])
    #expect(gradientCheck([x]) { t, v in weightedSum(t, clamp(v[0], -0.5, 0.5)) } < tolerance)
  }

  @Test("sign is straight-through: identity, or clipped to |x| <= 1")
  func signStraightThrough() {
    let x = Tensor([-2, -0.5, 0, 0.5, 2], shape: [5])
    let tape = Tape()
    let v = tape.variable(x)
    let y = sign(v)
    #expect(y.value.scalars == [-1, -1, 0, 1, 1])
    #expect(tape.gradients(of: sum(y))[v].scalars == [1, 1, 1, 1, 1])
    let tape2 = Tape()
    let v2 = tape2.variable(x)
    #expect(tape2.gradients(of: sum(sign(v2, estimator: .clipped)))[v2].scalars == [0, 1, 1, 1, 0])
  }

  @Test("a variable used twice accumulates both gradients")
  func accumulation() {
    let tape = Tape()
    let x = tape.variable(Tensor([3], shape: [1]))
    let y = x * x + x
    #expect(tape.gradients(of: sum(y))[x].scalars == [7])
  }
}

@Suite("batch normalisation")
struct BatchNormTests {
  @Test("gradients with batch statistics and with running statistics match finite differences")
  func gradients() {
    let x = randomTensor([3, 2, 2, 2], seed: 21, lo: -2, hi: 2)
    let gamma = randomTensor([2], seed: 22), beta = randomTensor([2], seed: 23)
    let weights = randomTensor([3, 2, 2, 2], seed: 24)
    for training in [true, false] {
      let running = RunningStatistics(channels: 2)
      running.mean = Tensor([0.3, -0.2], shape: [2])
      running.variance = Tensor([0.5, 2], shape: [2])
      let err = gradientCheck([x, gamma, beta], epsilon: 1e-2) { t, v in
        sum(batchNorm(v[0], gamma: v[1], beta: v[2], running: training ? nil : running, training: false) * t.constant(weights))
      }
      #expect(err < 2e-2)
    }
  }

  @Test("training normalises each channel and updates the running estimate like PyTorch")
  func running() {
    let x = Tensor([1, 2, 3, 4, 10, 20, 30, 40], shape: [4, 2, 1, 1]).reshaped([2, 2, 2, 1])
    let tape = Tape()
    let stats = RunningStatistics(channels: 2)
    let y = batchNorm(tape.constant(x), gamma: tape.constant(Tensor([1, 1], shape: [2])),
                      beta: tape.constant(Tensor([0, 0], shape: [2])), running: stats, training: true)
    // channel 0 holds 1, 2, 10, 20: mean 8.25, squared deviations sum to 232.75, unbiased variance 232.75/3.
    #expect(abs(stats.mean[flat: 0] - 0.825) < 1e-5)
    #expect(abs(stats.variance[flat: 0] - (0.9 + 0.1 * 232.75 / 3)) < 1e-3)
    let c0 = [0, 1, 4, 5].map { y.value[flat: $0] }
    #expect(abs(c0.reduce(0, +)) < 1e-5)
  }
}

@Suite("pooling with padding")
struct PaddedPoolTests {
  @Test("3x3 stride-2 max pooling with padding 1 has the torchvision stem's shape and gradient")
  func stemPool() {
    let x = Tensor((0..<(1 * 1 * 7 * 7)).map { Float(($0 * 29) % 49) }, shape: [1, 1, 7, 7])
    let tape = Tape()
    let v = tape.variable(x)
    let y = maxPool2d(v, kernel: 3, stride: 2, padding: 1)
    #expect(y.shape == [1, 1, 4, 4])
    #expect(gradientCheck([x]) { t, v in sum(maxPool2d(v[0], kernel: 3, stride: 2, padding: 1) * t.constant(randomTensor([1, 1, 4, 4], seed: 3))) } < 2e-2)
  }
}

@Suite("binary stochastic neuron")
struct BinaryStochasticTests {
  @Test("samples are 0 or 1 with probability clamp((k·a+1)/2) and the same seed repeats them")
  func sampling() {
    let a = Tensor([-2, -0.5, 0, 0.5, 2], shape: [1, 5])
    let rows = 20_000
    let batch = Tensor.concatenate(Array(repeating: a, count: rows))
    var rng = RandomStream(seed: 5)
    let tape = Tape()
    let h = bernoulliHardSigmoid(tape.constant(batch), slope: 1, rng: &rng).value
    #expect(h.scalars.allSatisfy { $0 == 0 || $0 == 1 })
    for (j, p) in [0, 0.25, 0.5, 0.75, 1].enumerated() {
      let mean = (0..<rows).reduce(0.0) { $0 + Double(h[flat: $1 * 5 + j]) } / Double(rows)
      #expect(abs(mean - p) < 0.015)
    }
    var again = RandomStream(seed: 5)
    #expect(bernoulliHardSigmoid(Tape().constant(batch), slope: 1, rng: &again).value.scalars == h.scalars)
  }

  @Test("the gradient is k/2 where |k·a| < 1 and 0 elsewhere")
  func gradient() {
    let tape = Tape()
    let a = tape.variable(Tensor([-2, -0.3, 0.2, 0.9, 1.5], shape: [5]))
    var rng = RandomStream(seed: 1)
    let g = tape.gradients(of: sum(bernoulliHardSigmoid(a, slope: 2, rng: &rng)))[a]
    #expect(g.scalars == [0, 1, 1, 0, 0])
  }
}
