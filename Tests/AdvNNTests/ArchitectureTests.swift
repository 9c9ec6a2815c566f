import Foundation
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Testing

@Suite("architectures")
struct ArchitectureTests {
  @Test("every registered architecture builds for MNIST and gives [N, 10] logits", arguments: Architectures.specs.map(\.name))
  func shapes(name: String) throws {
    let arch = try #require(Architectures.named(name))
    let net = try arch.make(params: Params(spec: arch.spec, given: [:]), inputShape: [1, 28, 28], classes: 10,
                            rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    #expect(net.logits(randomTensor([3, 1, 28, 28], seed: 3, lo: 0, hi: 1), rng: &rng).shape == [3, 10])
  }

  @Test("names are found in any spelling")
  func spelling() {
    #expect(Architectures.named("LeNet-5")?.spec.name == "lenet")
    #expect(Architectures.named("MLP")?.spec.name == "mlp")
    #expect(Architectures.named("resnet50") == nil)
  }

  @Test("LeNet's input gradient, through normalisation, matches finite differences")
  func lenetInputGradient() throws {
    let net = try LeNet.make(params: Params(spec: LeNet.spec, given: [:]), inputShape: [1, 16, 16], classes: 10,
                             rng: RandomStream(seed: 4))
    net.normalization = Normalization(mean: [0.13], std: [0.31])
    let x = randomTensor([2, 1, 16, 16], seed: 5, lo: 0, hi: 1)
    let labels = [3, 7]
    var rng = RandomStream(seed: 6)
    let tape = Tape()
    let input = tape.variable(x)
    let analytic = tape.gradients(of: crossEntropy(net.logits(input, rng: &rng), labels: labels))[input]
    let numeric = numericalGradient(x, epsilon: 1e-3) { probe in
      let t = Tape()
      return crossEntropy(net.logits(t.constant(probe), rng: &rng), labels: labels).value.scalar
    }
    // ReLU and max-pool kinks make a few coordinates differ; the bulk must agree closely.
    var close = 0
    for i in 0..<x.count where abs(analytic[flat: i] - numeric[flat: i]) <= 2e-3 + 0.05 * abs(numeric[flat: i]) { close += 1 }
    #expect(Double(close) / Double(x.count) > 0.97)
    #expect(analytic.maxAbs() > 1e-4)
  }

  @Test("loading weights of the wrong shape is refused with the tensor's name")
  func loadShapes() throws {
    let net = try MLP.make(params: Params(spec: MLP.spec, given: [:]), inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 1))
    var tensors = Dictionary(uniqueKeysWithValues: zip(net.names, net.values))
    tensors["fc2.bias"] = Tensor(zeros: [11])
    #expect(throws: CheckpointError.shapeMismatch(name: "fc2.bias", expected: [10], found: [11])) { try net.load(tensors) }
    tensors["fc2.bias"] = nil
    #expect(throws: CheckpointError.missingTensor("fc2.bias")) { try net.load(tensors) }
  }
}

@Suite("checkpoints")
struct CheckpointTests {
  @Test("a saved ResNet-18 loads back with the same logits, running statistics and torchvision keys")
  func roundTrip() throws {
    let params = Params(spec: ResNet18.spec, given: ["epochs": .int(1), "batch": .int(4)])
    let net = try ResNet18.make(params: params, inputShape: [1, 16, 16], classes: 10, rng: RandomStream(seed: 1))
    let data = Split(images: randomTensor([8, 1, 16, 16], seed: 2, lo: 0, hi: 1), labels: [0, 1, 2, 3, 4, 5, 6, 7])
    var rng = RandomStream(seed: 3)
    _ = try train(net, on: data, config: TrainingConfig(params), rng: &rng)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("r18-\(getpid()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Checkpoint.save(net, to: path, metadata: ["seed": "1"])
    let st = try SafeTensors(contentsOf: path)
    #expect(st.tensors["layer2.0.downsample.1.running_var"] != nil)
    #expect(st.integers["bn1.num_batches_tracked"] == [2])
    #expect(st.integerShapes["bn1.num_batches_tracked"] == [])
    // 20 conv weights, 20 batch norms × (weight, bias, running mean, running var), fc weight and bias
    #expect(st.tensors.count == 102)
    let copy = try ResNet18.make(params: params, inputShape: [1, 16, 16], classes: 10, rng: RandomStream(seed: 9))
    try Checkpoint.restore(copy, from: st)
    var r1 = RandomStream(seed: 4), r2 = RandomStream(seed: 4)
    #expect(net.logits(data.images, rng: &r1).scalars == copy.logits(data.images, rng: &r2).scalars)
  }
}

@Suite("paper defaults per data set")
struct DatasetDefaultTests {
  @Test("bnn-s latent_init=sign|uniform keeps the signs of the fresh weights, and of a bnn-d's copied by initialize(from:)")
  func latentInit() throws {
    let d = try BNND.make(params: Params(spec: BNND.spec, given: [:]), inputShape: [1, 8, 8], classes: 10, rng: RandomStream(seed: 1))
    // Every convolution (stem, 12 in blocks, 2 shortcuts) and the classifier.
    let binary = zip(d.names, d.values).filter { $0.0 == "fc.weight" || $0.1.shape.count == 4 }.map(\.0)
    #expect(binary.count == 16)
    for rule in ["sign", "uniform"] {
      let s = try BNNS.make(params: Params(spec: BNNS.spec, given: ["latent_init": .string(rule)]), inputShape: [1, 8, 8],
                            classes: 10, rng: RandomStream(seed: 2))
      func latent(_ name: String) -> [Float] { s.values[s.names.firstIndex(of: name)!].scalars }
      for name in binary {
        #expect(latent(name).allSatisfy { rule == "sign" ? abs($0) == 1 : abs($0) > 0 && abs($0) <= 1 }, "\(rule) \(name)")
      }
      let (copied, kept) = s.initialize(from: d)
      #expect(copied == d.names.count && kept.isEmpty)
      for (k, name) in d.names.enumerated() {
        let source = d.values[k].scalars, now = s.values[s.names.firstIndex(of: name)!].scalars
        let ok = binary.contains(name)
          ? zip(source, now).allSatisfy { ($0 < 0) == ($1 < 0) && (rule == "sign" ? abs($1) == 1 : abs($1) <= 1) }
          : source == now
        #expect(ok, "\(rule) \(name): signs kept for binarised weights, the rest copied as they are")
      }
    }
  }

  @Test("training defaults follow the paper's tables for the loaded data set")
  func defaults() {
    let mnist = TrainingConfig(Params(spec: ResNet18.spec, given: [:], dataset: "mnist"))
    let cifar = TrainingConfig(Params(spec: ResNet18.spec, given: [:], dataset: "cifar10"))
    #expect(mnist.optimizer == "sgd" && mnist.batch == 128 && mnist.lrStep == 5 && !mnist.normalize)
    #expect(cifar.optimizer == "adam" && cifar.batch == 256 && cifar.lrStep == 3 && cifar.gamma == 0.95 && cifar.normalize)
    let pcam = TrainingConfig(Params(spec: BSNL.spec, given: [:], dataset: "pcam"))
    #expect(pcam.learningRate == 0.01 && pcam.lrStep == 5 && pcam.gamma == 0.75)
    #expect(TrainingConfig(Params(spec: BNNS.spec, given: ["epochs": .int(3)], dataset: "cifar10")).epochs == 3)
  }
}
