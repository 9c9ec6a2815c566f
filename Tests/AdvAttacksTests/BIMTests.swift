import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Testing

/// A two-class linear classifier whose logit margin is `w·x + b` (class 1 minus class 0).
func linearClassifier(_ w: [Float], bias b: Float) -> Network {
  let n = w.count
  let weight = Tensor([Float](repeating: 0, count: n) + w, shape: [2, n])
  return Network(architecture: "linear", params: Params(), inputShape: [1, 1, n], classes: 2,
                 parameters: [("fc.weight", weight), ("fc.bias", Tensor([0, b], shape: [2]))]) { x, p, _, _ in
    linear(flatten(x), weight: p["fc.weight"], bias: p["fc.bias"])
  }
}

@Suite("BIM")
struct BIMTests {
  let w: [Float] = (0..<16).map { i in Float(i % 5 + 1) * (i % 3 == 0 ? -0.1 : 0.07) }
  var l1: Float { w.reduce(0) { $0 + abs($1) } }

  /// One sample at 0.5 everywhere, classified 0 with margin `w·x + b = −0.3`.
  func setup() -> (Network, Split) {
    let x = Tensor(repeating: 0.5, shape: [1, 1, 1, 16])
    let dot = w.reduce(0, +) * 0.5
    let net = linearClassifier(w, bias: -0.3 - dot)
    return (net, Split(images: x, labels: [0]))
  }

  func attack(eps: Float, net: Network, split: Split) throws -> AttackResult {
    let params = Params(spec: BIM.spec, given: ["eps": .real(Double(eps))])
    return try Evaluation(samples: 1).run(BIM(params: params), params: params, on: net, split: split, seed: 1)
  }

  @Test("on a linear classifier BIM succeeds just above |w·x+b|/‖w‖₁ and fails just below")
  func linearThreshold() throws {
    let (net, split) = setup()
    let needed = 0.3 / l1
    let above = try attack(eps: needed * 1.02, net: net, split: split)
    let below = try attack(eps: needed * 0.98, net: net, split: split)
    #expect(above.asr == 1)
    #expect(below.asr == 0)
    #expect(below.meanL2PerPixel == nil)
    // Above the threshold every pixel moved by exactly ε: d = ε·√16 / 16.
    let expected = Double(needed * 1.02) * 4 / 16
    #expect(abs((above.meanL2PerPixel ?? 0) - expected) < 1e-6)
    // Steps of α = 0.05 reach the ε-ball boundary after ⌈ε/α⌉ iterations, then it stops early;
    // queries = the initial clean query + one per iteration.
    let steps = Int((Double(needed * 1.02) / 0.05).rounded(.up))
    #expect(above.samples[0].gradients == steps)
    #expect(above.samples[0].queries == 1 + steps)
    #expect(below.samples[0].gradients == 100)
  }

  @Test("a sample misclassified before the attack is not attacked and counts as distance 0")
  func alreadyWrong() throws {
    let (net, _) = setup()
    let split = Split(images: Tensor(repeating: 0.5, shape: [1, 1, 1, 16]), labels: [1])
    let chosen = Evaluation(samples: 1).selectSamples(net, split: split, seed: 1)
    #expect(chosen.isEmpty)
  }
}

@Suite("BIM on MNIST")
struct BIMMNISTTests {
  /// A small MLP trained for one epoch on 1,000 embedded images, and its test split.
  static let trained: (Network, Split) = makeTrained()

  static func makeTrained() -> (Network, Split) {
    let data = try! MNIST.embedded().subset(train: 1000, test: 200, seed: 1)
    var params = Params(spec: MLP.spec, given: ["epochs": .int(2), "batch": .int(50)])
    params["hidden"] = .int(32)
    let net = try! MLP.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    _ = try! train(net, on: data.train, config: TrainingConfig(params), rng: &rng)
    return (net, data.test)
  }

  func run(eps: Double, samples: Int = 30, keep: BIM.Keep = .auto) throws -> AttackResult {
    let (net, split) = Self.trained
    let params = Params(spec: BIM.spec, given: ["eps": .real(eps), "keep": .string(keep.rawValue)])
    return try Evaluation(samples: samples).run(BIM(params: params), params: params, on: net, split: split, seed: 3)
  }

  @Test("ASR is 0 at eps = 0 and grows with eps")
  func monotone() throws {
    let asr = try [0, 8, 16, 32, 64].map { try run(eps: Double($0) / 255).asr }
    #expect(asr[0] == 0)
    #expect(zip(asr, asr.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(asr[4] > asr[1])
  }

  @Test("every returned adversarial stays in the eps-ball and in [0, 1]", arguments: [BIM.Keep.best, .last])
  func budget(keep: BIM.Keep) throws {
    let eps: Float = 16 / 255
    let result = try run(eps: Double(eps), keep: keep)
    let (_, split) = Self.trained
    // best: the samples BIM fooled return their closest misclassified query (some must, at 16/255);
    // last: every sample returns its final iterate.
    let fooled = result.samples.filter { $0.success == 1 }.count
    #expect(fooled > 0, "BIM fooled no sample at 16/255")
    for (k, adversarial) in result.adversarials.enumerated() {
      if keep == .best && !result.samples[k].returned { continue }
      let a = try #require(adversarial, "sample \(result.samples[k].index) returned no image")
      let position = try #require(split.sourceIndices.firstIndex(of: result.samples[k].index))
      let x = split.images.slice(position..<(position + 1))
      #expect((a - x).maxAbs() <= eps + 1e-6)
      #expect(a.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
  }

  @Test("sharing the gradient pass with the query changes no result")
  func fusedEqualsSeparate() throws {
    let (net, split) = Self.trained
    let chosen = Evaluation(samples: 20).selectSamples(net, split: split, seed: 5)
    let (x, y) = split.batch(chosen)
    let bim = BIM(params: Params(spec: BIM.spec, given: ["eps": .real(16.0 / 255)]))
    var rng = RandomStream(seed: 6)
    var fused = AdversarialBatch(model: net, images: x, labels: y, rng: rng)
    try bim.run(&fused, rng: &rng)
    var separate = AdversarialBatch(model: net, images: x, labels: y, rng: rng)
    separate.shareQueryPasses = false
    try bim.run(&separate, rng: &rng)
    #expect(fused.queries == separate.queries)
    #expect(fused.gradientCalls == separate.gradientCalls)
    #expect(fused.best.map { $0?.scalars } == separate.best.map { $0?.scalars })
  }
}
