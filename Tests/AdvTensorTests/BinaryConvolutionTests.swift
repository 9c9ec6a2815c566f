import AdvTensor
import Testing

/// The XNOR-popcount convolution against the float convolution (oneDNN) of the same ±1 tensors:
/// equal element for element, since both sum whole numbers exactly.
@Suite(.serialized)
struct BinaryConvolutionTests {
  func signs(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomStream(seed: seed)
    return Tensor((0..<shape.reduce(1, *)).map { _ in rng.uniform() < 0.5 ? -1 : 1 }, shape: shape)
  }

  func float(_ x: Tensor, _ w: Tensor, stride: Int, padding: Int) -> Tensor {
    let tape = Tape.inference()
    return conv2d(tape.constant(x), weight: tape.constant(w), stride: stride, padding: padding).value
  }

  @Test("equals the float convolution exactly: channels across word boundaries, strides, padding, 1x1 and 3x3",
        arguments: [(3, 80, 7, 7, 96, 3, 1, 1), (2, 64, 5, 6, 8, 3, 2, 1), (1, 130, 4, 4, 5, 3, 1, 1),
                    (2, 160, 8, 8, 12, 1, 2, 0), (4, 1, 9, 9, 3, 3, 1, 1), (1, 320, 3, 3, 7, 3, 1, 1), (2, 17, 6, 5, 4, 3, 1, 0), (2, 64, 17, 19, 24, 3, 1, 1)])
  func matchesFloat(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int, _ k: Int, _ stride: Int, _ padding: Int) throws {
    let x = signs([n, c, h, w], seed: UInt64(c * 31 + h))
    let weight = signs([o, c, k, k], seed: UInt64(o * 7 + k))
    let packed = try #require(BinaryConvolution.pack(weight: weight))
    let reference = float(x, weight, stride: stride, padding: padding)
    let best = BinaryConvolution.instructionSet
    defer { BinaryConvolution.use(best) }
    // Every kernel this CPU can run (the portable one always).
    var ran = 0
    for isa in BinaryConvolution.instructionSets where BinaryConvolution.use(isa) {
      let binary = try #require(BinaryConvolution.forward(x, packed, stride: stride, padding: padding))
      #expect(binary.shape == reference.shape, "\(isa)")
      #expect(binary.scalars == reference.scalars, "\(isa)")
      ran += 1
    }
    #expect(ran >= 1)
  }

  @Test("a zero anywhere (not a sign) leaves the work to the float kernels")
  func zerosFallBack() {
    var x = signs([1, 8, 4, 4], seed: 1)
    let weight = signs([2, 8, 3, 3], seed: 2)
    #expect(BinaryConvolution.pack(weight: weight) != nil)
    x.withUnsafeMutableBufferPointer { $0[37] = 0 }
    #expect(BinaryConvolution.forward(x, BinaryConvolution.pack(weight: weight)!, stride: 1, padding: 1) == nil)
    var w0 = weight
    w0.withUnsafeMutableBufferPointer { $0[5] = 0 }
    #expect(BinaryConvolution.pack(weight: w0) == nil)
  }

  @Test("with a residual, an inference batch norm and Hardtanh written in the same pass: the float path's values bit for bit",
        arguments: [(4, 80, 9, 9, 80, 1, true, true), (3, 160, 6, 6, 160, 2, false, true), (2, 64, 5, 5, 13, 1, true, false)])
  func epilogue(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int, _ stride: Int, _ residual: Bool, _ clamp: Bool) throws {
    let x = signs([n, c, h, w], seed: UInt64(c + h))
    let weight = signs([o, c, 3, 3], seed: UInt64(o + 5))
    let packed = try #require(BinaryConvolution.pack(weight: weight))
    var rng = RandomStream(seed: UInt64(o))
    let gamma = rng.uniformTensor([o], lo: -1.5, hi: 1.5), beta = rng.uniformTensor([o], lo: -0.5, hi: 0.5)
    let running = RunningStatistics(channels: o)
    running.mean = rng.uniformTensor([o], lo: -6, hi: 6)
    running.variance = rng.uniformTensor([o], lo: 3, hi: 40)
    let tape = Tape.inference()
    var z = conv2d(tape.constant(x), weight: tape.constant(weight), stride: stride, padding: 1)
    let added = rng.uniformTensor(z.shape, lo: -1, hi: 1)
    if residual { z = z + tape.constant(added) }
    z = batchNorm(z, gamma: tape.constant(gamma), beta: tape.constant(beta), running: running, training: false)
    if clamp { z = hardtanh(z) }
    let best = BinaryConvolution.instructionSet
    defer { BinaryConvolution.use(best) }
    for isa in BinaryConvolution.instructionSets where BinaryConvolution.use(isa) {
      let fused = try #require(BinaryConvolution.forward(x, packed, stride: stride, padding: 1, adding: residual ? added : nil,
                                                         epilogue: .init(gamma: gamma, beta: beta, running: running, hardtanh: clamp)))
      #expect(fused.scalars == z.value.scalars, "\(isa)")
      // Values on both sides of the clamp and of zero, so the test sees every branch.
      #expect(fused.scalars.contains { $0 < 0 } && fused.scalars.contains { $0 > 0 }, "\(isa)")
      if clamp { #expect(fused.scalars.contains(1) && fused.scalars.contains(-1), "\(isa)") }
    }
  }

  @Test("a zero in any image of a batch (each part packed by its own worker) leaves the work to the float kernels")
  func zeroInLaterImage() throws {
    var x = signs([6, 80, 5, 5], seed: 3)
    let packed = try #require(BinaryConvolution.pack(weight: signs([16, 80, 3, 3], seed: 4)))
    #expect(BinaryConvolution.forward(x, packed, stride: 1, padding: 1) != nil)
    x.withUnsafeMutableBufferPointer { $0[5 * 80 * 25 + 17] = 0 }
    #expect(BinaryConvolution.forward(x, packed, stride: 1, padding: 1) == nil)
  }

  @Test("the kernel names the instruction set it chose")
  func instructionSet() {
    #expect(["avx512-vpopcntdq", "avx2", "generic"].contains(BinaryConvolution.instructionSet))
  }
}
