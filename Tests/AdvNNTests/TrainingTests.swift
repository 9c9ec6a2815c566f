import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

@Suite("training")
struct TrainingTests {
  func mnist(train: Int, test: Int) throws -> Dataset {
    try MNIST.embedded().subset(train: train, test: test, seed: 1)
  }

  @Test("an MLP learns MNIST digits well above chance in two epochs")
  func mlpLearns() throws {
    let data = try mnist(train: 1000, test: 200)
    var params = Params(spec: MLP.spec, given: ["epochs": .int(2), "batch": .int(32)])
    params["hidden"] = .int(32)
    let net = try MLP.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    let before = accuracy(net, on: data.test, rng: &rng)
    let log = try train(net, on: data.train, config: TrainingConfig(params), rng: &rng)
    let after = accuracy(net, on: data.test, rng: &rng)
    #expect(before < 0.3)
    #expect(after > 0.75)
    #expect(log.epochLoss[1] < log.epochLoss[0])
  }

  @Test("LeNet's loss falls within one epoch on a small subset")
  func lenetLearns() throws {
    let data = try mnist(train: 500, test: 100)
    let params = Params(spec: LeNet.spec, given: ["epochs": .int(1), "batch": .int(25)])
    let net = try LeNet.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 3))
    var rng = RandomStream(seed: 4)
    _ = try train(net, on: data.train, config: TrainingConfig(params), rng: &rng)
    #expect(accuracy(net, on: data.test, rng: &rng) > 0.5)
  }

  @Test("SGD with momentum and Adam match hand-computed PyTorch updates")
  func optimizerSteps() {
    var w = [Tensor([1, -2], shape: [2])]
    var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
    sgd.step(&w, [Tensor([0.5, 0.5], shape: [2])])
    // g = 0.5 + 0.01·w; v = g; w -= 0.1·v
    #expect(abs(w[0][flat: 0] - (1 - 0.1 * 0.51)) < 1e-6)
    sgd.step(&w, [Tensor([0.5, 0.5], shape: [2])])
    let w1 = 1 - 0.1 * 0.51
    let v2 = 0.9 * 0.51 + (0.5 + 0.01 * w1)
    #expect(abs(Double(w[0][flat: 0]) - (w1 - 0.1 * v2)) < 1e-6)
    // Adam's first step moves every weight by lr·sign(g) (bias correction makes m̂/√v̂ = ±1).
    var a = [Tensor([1, -2], shape: [2])]
    var adam = Adam(learningRate: 0.01)
    adam.step(&a, [Tensor([3, -0.001], shape: [2])])
    #expect(abs(a[0][flat: 0] - 0.99) < 1e-5)
    #expect(abs(a[0][flat: 1] - (-1.99)) < 1e-4)
  }

  @Test("the same seed trains the same weights")
  func reproducible() throws {
    let data = try mnist(train: 200, test: 10)
    var params = Params(spec: MLP.spec, given: ["epochs": .int(1), "batch": .int(20)])
    params["hidden"] = .int(16)
    func run() throws -> [Float] {
      let net = try MLP.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 9))
      var rng = RandomStream(seed: 10)
      _ = try train(net, on: data.train, config: TrainingConfig(params), rng: &rng)
      return net.values[0].scalars
    }
    #expect(try run() == run())
  }

  @Test("safetensors round-trips tensors, integers and metadata")
  func safetensorsRoundTrip() throws {
    var st = SafeTensors()
    st.tensors["a.weight"] = Tensor([1, 2, 3, 4.5], shape: [2, 2])
    st.integers["labels"] = [3, -1, 7]
    st.metadata["arch"] = "lenet"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(getpid()).safetensors").path
    try st.serialized().write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let back = try SafeTensors(contentsOf: path)
    #expect(back.tensors["a.weight"]?.scalars == [1, 2, 3, 4.5])
    #expect(back.tensors["a.weight"]?.shape == [2, 2])
    #expect(back.integers["labels"] == [3, -1, 7])
    #expect(back.metadata["arch"] == "lenet")
  }
}
