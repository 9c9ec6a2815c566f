import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Testing

/// Each returned adversarial keeps its label under the target's policy, from the answers that
/// scored it (attacks.md §1.2): no query more, no random draw more.
@Suite("adversarial labels")
struct AdversarialLabelTests {
  @Test("on a deterministic target the label is the re-check's answer; nothing returned, no label")
  func deterministic() throws {
    let net = tinyLinearNetwork(seed: 5)
    let split = tinySplit(for: net, count: 30)
    let result = try runRegistered("bim", on: net, split: split, given: ["eps": .real(0.15)])
    #expect(result.samples.contains { $0.returned } && result.samples.contains { !$0.returned })
    var noise = RandomStream(seed: 0)
    for (outcome, image) in zip(result.samples, result.adversarials) {
      guard let image else {
        #expect(outcome.adversarialLabel == nil)
        continue
      }
      let answer = net.predict(image, rng: &noise)[0]
      #expect(outcome.adversarialLabel == answer)
      #expect((answer != outcome.label) == (outcome.success == 1))
    }
  }

  @Test("on a stochastic two-class target the label is the majority of the launches, a tie going to class 0")
  func stochasticMajority() throws {
    let w: [Float] = (0..<16).map { i in Float(i % 5 + 1) * (i % 3 == 0 ? -0.1 : 0.07) }
    let l1 = w.reduce(0) { $0 + abs($1) }
    // Margins spread so that launches fool some images mostly and others rarely.
    let toy = NoisyLinear(w: w, bias: -0.3 - w.reduce(0, +) * 0.5, jump: 0.5, q: 0.5, passes: 1)
    let shifts = (0..<24).map { -0.2 + 0.4 * Float($0) / 23 }
    let split = Split(images: Tensor(shifts.flatMap { t in [Float](repeating: 0.5 + t, count: 16) }, shape: [24, 1, 1, 16]),
                      labels: Array(repeating: 0, count: 24))
    let params = Params(spec: BIM.spec, given: ["eps": .real(Double(0.3 / l1)), "alpha": .real(0.01), "early": .bool(false),
                                                "keep": .string("last")])
    let result = try Evaluation(samples: 24, launches: 50).run(BIM(params: params), params: params, on: toy.network,
                                                               split: split, seed: 3)
    let returned = result.samples.filter(\.returned)
    #expect(returned.contains { $0.success > 0.5 } && returned.contains { $0.success < 0.5 })
    for outcome in returned {
      #expect(outcome.adversarialLabel == (outcome.success > 0.5 ? 1 : 0), "success \(outcome.success)")
    }
  }

  @Test("scores with labels draw the same noise as scores alone")
  func sameDraws() throws {
    let toy = NoisyLinear(w: [0.3, -0.2, 0.1, 0.4], bias: -0.1, jump: 0.5, q: 0.5, passes: 3)
    var rng = RandomStream(seed: 9)
    let images = (0..<5).map { _ in rng.uniformTensor([1, 1, 1, 4]) }
    let labels = [0, 0, 1, 0, 1]
    let evaluation = Evaluation(samples: 5)
    var a = RandomStream(seed: 4), b = RandomStream(seed: 4)
    let plain = try evaluation.launchSuccess(toy.network, images: images, labels: labels, launches: 37, rng: &a, maxRows: 16)
    let scored = try evaluation.launchScores(toy.network, images: images, labels: labels, launches: 37, rng: &b, maxRows: 16)
    #expect(scored.map(\.success) == plain)
    #expect(a.uniform() == b.uniform())
  }

  @Test("a transfer keeps each target's label of every kept adversarial and the source's in its samples")
  func transferLabels() throws {
    let source = tinyLinearNetwork(seed: 5), target = tinyLinearNetwork(seed: 6)
    let split = tinySplit(for: source, count: 40)
    let p = Params(spec: ComponentSpec.merging(Evaluation.spec(of: BIM.self))(TransferSettings.spec),
                   given: ["eps": .real(0.3), "samples": .int(8)])
    let result = try Transfer(p).run(BIM(params: p), params: p, source: source, targets: [target], split: split, seed: 2)
    #expect(!result.kept.isEmpty)
    var noise = RandomStream(seed: 0)
    let answers = target.predict(Tensor.concatenate(result.adversarials), rng: &noise)
    #expect(result.targets[0].labels == answers)
    for k in result.kept {
      let outcome = result.attacked[k]
      #expect(outcome.adversarialLabel != nil && outcome.adversarialLabel != outcome.label)
    }
  }
}
