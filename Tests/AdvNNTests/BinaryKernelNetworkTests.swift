@testable import AdvNN
import AdvSpec
import AdvTensor
import Testing

/// bnn-d's convolutions through the XNOR-popcount kernels give the values of the float path, bit
/// for bit: queries' logits, and in training every loss and weight (gradients stay on oneDNN).
/// Each test switches the kernels on its own network (`usesBinaryKernels`) and reads that
/// network's own count of XNOR convolutions.
@Suite
struct BinaryKernelNetworkTests {
  /// A bnn-d with batch-norm shifts and running means moved off zero, as training leaves them
  /// (an untouched network's exact zeros would send every layer to the float path).
  func network() throws -> Network {
    let net = try BNND.make(params: Params(spec: BNND.spec, given: [:]), inputShape: [1, 28, 28], classes: 10,
                            rng: RandomStream(seed: 11))
    var rng = RandomStream(seed: 12)
    net.moveBatchNormsOffInitialValues(rng: &rng)
    return net
  }

  /// The logits of x through the float convolutions, then through the XNOR kernels, and how
  /// many convolutions the kernels did; leaves the kernels on.
  func bothPaths(_ net: Network, _ x: Tensor, rng: inout RandomStream) -> (reference: Tensor, binary: Tensor, convolutions: Int) {
    net.usesBinaryKernels = false
    let reference = net.logits(x, rng: &rng)
    net.usesBinaryKernels = true
    let before = net.binaryConvolutions
    let binary = net.logits(x, rng: &rng)
    return (reference, binary, net.binaryConvolutions - before)
  }

  @Test("logits and labels equal the float path's, and the binary kernels did the convolutions")
  func sameLogits() throws {
    let net = try network()
    var data = RandomStream(seed: 13)
    let x = data.uniformTensor([6, 1, 28, 28], lo: 0.01, hi: 1)
    var rng = RandomStream(seed: 1)
    let (reference, binary, convolutions) = bothPaths(net, x, rng: &rng)
    // Every binarised convolution but the 1-channel stem: 12 in the blocks, 2 shortcuts.
    #expect(convolutions >= 14)
    #expect(binary.scalars == reference.scalars)
    let binaryLabels = net.predict(x, rng: &rng)
    net.usesBinaryKernels = false
    #expect(binaryLabels == net.predict(x, rng: &rng))
  }

  @Test("torchvision layout on colour images: logits equal the float path's")
  func sameLogitsTorchvision() throws {
    let net = try BNND.make(params: Params(spec: BNND.spec, given: ["layout": .string("torchvision"), "binarize_input": .bool(true)]),
                            inputShape: [3, 32, 32], classes: 10, rng: RandomStream(seed: 21))
    var rng = RandomStream(seed: 22)
    net.moveBatchNormsOffInitialValues(rng: &rng)
    let x = rng.uniformTensor([3, 3, 32, 32], lo: -1, hi: 1)
    let (reference, binary, convolutions) = bothPaths(net, x, rng: &rng)
    #expect(convolutions >= 16)
    #expect(binary.scalars == reference.scalars)
  }

  @Test("changed weights are packed again: the cache follows the network's values")
  func cacheFollowsWeights() throws {
    let net = try network()
    var data = RandomStream(seed: 14)
    let x = data.uniformTensor([2, 1, 28, 28], lo: 0.01, hi: 1)
    var rng = RandomStream(seed: 1)
    _ = net.logits(x, rng: &rng)
    let k = try #require(net.names.firstIndex(of: "layer2.0.conv1.weight"))
    net.values[k] = net.values[k].map { -$0 }
    let binary = net.logits(x, rng: &rng)
    net.usesBinaryKernels = false
    #expect(binary.scalars == net.logits(x, rng: &rng).scalars)
  }

  @Test("training steps with the binary kernels' forward values leave the float path's losses and weights, bit for bit")
  func sameTraining() throws {
    var data = RandomStream(seed: 15)
    let x = data.uniformTensor([8, 1, 28, 28], lo: 0.01, hi: 1)
    let y = (0..<8).map { $0 % 10 }
    let config = TrainingConfig(Params(spec: BNND.spec, given: ["augment": .bool(false)]))
    func run(kernels: Bool) throws -> (losses: [Float], values: [Tensor], convolutions: Int) {
      let net = try network()
      net.usesBinaryKernels = kernels
      var trainer = MiniBatchTrainer(net: net, config: config, rng: RandomStream(seed: 16))
      trainer.beginEpoch(0)
      let losses = (0..<3).map { _ in trainer.step(x, y) }
      return (losses, net.values, net.binaryConvolutions)
    }
    let float = try run(kernels: false), binary = try run(kernels: true)
    #expect(binary.convolutions >= 3 * 14, "the binary kernels did not run: \(binary.convolutions)")
    #expect(float.convolutions == 0)
    #expect(binary.losses == float.losses)
    #expect(zip(binary.values, float.values).allSatisfy { $0.scalars == $1.scalars })
    // The weights moved: the steps trained.
    #expect(try zip(binary.values, network().values).contains { $0.scalars != $1.scalars })
  }
}
