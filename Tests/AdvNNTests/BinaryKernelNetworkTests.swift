@testable import AdvNN
import AdvSpec
import AdvTensor
import Testing

/// bnn-d's queries through the XNOR-popcount kernels give the logits of the float path, bit for
/// bit; gradients still go through the float path.
@Suite(.serialized)
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

  @Test("logits and labels equal the float path's, and the binary kernels did the convolutions")
  func sameLogits() throws {
    let net = try network()
    var data = RandomStream(seed: 13)
    let x = data.uniformTensor([6, 1, 28, 28], lo: 0.01, hi: 1)
    defer { BinaryConvolution.isEnabled = true }
    BinaryConvolution.isEnabled = false
    var rng = RandomStream(seed: 1)
    let reference = net.logits(x, rng: &rng)
    BinaryConvolution.isEnabled = true
    let before = BinaryConvolution.count
    let binary = net.logits(x, rng: &rng)
    // Every binarised convolution but the 1-channel stem: 12 in the blocks, 2 shortcuts.
    #expect(BinaryConvolution.count - before >= 14)
    #expect(binary.scalars == reference.scalars)
    #expect(net.predict(x, rng: &rng) == { () -> [Int] in
      BinaryConvolution.isEnabled = false
      defer { BinaryConvolution.isEnabled = true }
      return net.predict(x, rng: &rng)
    }())
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
    BinaryConvolution.isEnabled = false
    defer { BinaryConvolution.isEnabled = true }
    #expect(binary.scalars == net.logits(x, rng: &rng).scalars)
  }
}
