import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Testing

/// Transfer attacks (attacks.md §6).
@Suite("transfer")
struct TransferTests {
  func params(_ attack: any Attack.Type, _ given: [String: ParamValue]) -> Params {
    Params(spec: ComponentSpec.merging(Evaluation.spec(of: attack))(TransferSettings.spec), given: given)
  }

  @Test("with the source as target, every kept adversarial transfers; the source's ASR counts all attacked samples")
  func sourceAsTarget() throws {
    let net = tinyLinearNetwork(seed: 5)
    let split = tinySplit(for: net, count: 40)
    let p = params(BIM.self, ["eps": .real(0.1), "samples": .int(10)])
    let result = try Transfer(p).run(BIM(params: p), params: p, source: net, targets: [net], split: split, seed: 2)
    #expect(result.kept.count == min(10, result.attacked.filter { $0.success == 1 }.count))
    #expect(result.targets[0].asr == 1)
    let fooled = result.attacked.filter { $0.success == 1 }.count
    #expect(abs(result.sourceASR - Double(fooled) / Double(result.attacked.count)) < 1e-12)
    #expect(result.targets[0].queries == result.kept.count)
  }

  @Test("a stochastic source keeps only adversarials that fool more than 'valid' of its passes")
  func stochasticValidity() throws {
    let w: [Float] = (0..<16).map { i in Float(i % 5 + 1) * (i % 3 == 0 ? -0.1 : 0.07) }
    // Clean margins w·x + b from −0.45 to −0.15; BIM's ε-corner adds 0.3. A single pass adds 0.5
    // with probability 1/2, so a final margin above 0 fools every pass, one below fools half.
    let bias = -0.3 - w.reduce(0, +) * 0.5
    let toy = NoisyLinear(w: w, bias: bias, jump: 0.5, q: 0.5, passes: 1)
    let shifts = (0..<60).map { -0.3 + 0.6 * Float($0) / 59 }
    let split = Split(images: Tensor(shifts.flatMap { t in [Float](repeating: 0.5 + t, count: 16) }, shape: [60, 1, 1, 16]),
                      labels: Array(repeating: 0, count: 60))
    let p = params(BIM.self, ["eps": .real(0.3 / 3.7), "alpha": .real(0.004), "steps": .int(30), "early": .bool(false),
                              "samples": .int(60), "passes": .int(400)])
    let result = try Transfer(p).run(BIM(params: p), params: p, source: toy.network,
                                     targets: [linearClassifier(w, bias: bias)], split: split, seed: 4)
    // The rule discriminates here: some returned images are kept, some are not.
    #expect(!result.kept.isEmpty && result.kept.count < result.attacked.filter(\.returned).count,
            "kept \(result.kept.count) of \(result.attacked.filter(\.returned).count)")
    // Each kept image fooled more than 75% of 400 single passes; its true single-pass rate is
    // its analytic probability, so it cannot lie far below 0.75.
    for image in result.adversarials {
      #expect(toy.misclassification(image) > 0.75 - 0.1)
    }
    for (k, outcome) in result.attacked.enumerated() where outcome.returned {
      #expect((outcome.success > 0.75) == result.kept.contains(k))
    }
  }

  @Test("samples come only from the pool when one is given")
  func poolOnly() throws {
    let net = tinyLinearNetwork(seed: 5)
    let split = tinySplit(for: net, count: 60)
    let pool = Array(stride(from: 1, to: 60, by: 3))
    let p = params(BIM.self, ["eps": .real(0.3), "samples": .int(100)])
    let result = try Transfer(p).run(BIM(params: p), params: p, source: net, targets: [tinyLinearNetwork(seed: 6)],
                                     split: split, pool: pool, seed: 2)
    #expect(!result.attacked.isEmpty)
    #expect(result.attacked.allSatisfy { pool.contains($0.index) })
    #expect(result.exhausted)
  }
}
