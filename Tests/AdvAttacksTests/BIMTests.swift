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
    return try AttackRunner.run(BIM(params: params), params: params, on: net, split: split, count: 1, seed: 1)
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
    let chosen = AttackRunner.selectSamples(net, split: split, count: 1, seed: 1)
    #expect(chosen.isEmpty)
  }
}
