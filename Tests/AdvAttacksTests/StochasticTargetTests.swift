import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

/// A two-class linear classifier with Bernoulli noise on its logits: each forward pass adds
/// `jump · ξ`, ξ ~ Bernoulli(q), to the margin `w·x + b` (class 1 minus class 0), independently per
/// row and pass. Under average(n) the margin is `w·x + b + jump · k/n`, k ~ Binomial(n, q), so the
/// probability that one launch misclassifies an image of class 0 is known in closed form.
struct NoisyLinear {
  let w: [Float]
  let bias: Float
  let jump: Float
  let q: Float
  let passes: Int

  var network: Network {
    let n = w.count, (jump, q) = (self.jump, self.q)
    let weight = Tensor([Float](repeating: 0, count: n) + w, shape: [2, n])
    return Network(architecture: "noisy-linear", params: Params(), inputShape: [1, 1, n], classes: 2,
                   parameters: [("fc.weight", weight), ("fc.bias", Tensor([0, bias], shape: [2]))],
                   stochastic: true, policy: .average(passes)) { x, p, _, rng in
      let z = linear(flatten(x), weight: p["fc.weight"], bias: p["fc.bias"])
      let rows = z.shape[0]
      var noise = Tensor(zeros: [rows, 2])
      noise.withUnsafeMutableBufferPointer { pn in
        for r in 0..<rows where rng.uniform() < q { pn[r * 2 + 1] = jump }
      }
      return z + z.tape.constant(noise)
    }
  }

  /// w·x + b of one image.
  func margin(_ image: Tensor) -> Double {
    image.withUnsafeBufferPointer { px in
      Double(bias) + (0..<w.count).reduce(0.0) { $0 + Double(w[$1] * px[$1]) }
    }
  }

  /// P(one average(passes) launch misclassifies an image of class 0): P(margin + jump·k/n > 0).
  func misclassification(_ image: Tensor) -> Double {
    let m = margin(image), n = passes
    var p = 0.0
    for k in 0...n where m + Double(jump) * Double(k) / Double(n) > 1e-6 {
      let choose = (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
      p += choose * pow(Double(q), Double(k)) * pow(1 - Double(q), Double(n - k))
    }
    return p
  }
}

@Suite("attacks on stochastic targets")
struct StochasticTargetTests {
  let w: [Float] = (0..<16).map { i in Float(i % 5 + 1) * (i % 3 == 0 ? -0.1 : 0.07) }
  var l1: Float { w.reduce(0) { $0 + abs($1) } }

  /// 20 copies of one image at 0.5 everywhere with margin −0.6: never misclassified, since the
  /// noise lifts the margin by at most `jump` = 0.5.
  func setup() -> (NoisyLinear, Split) {
    let toy = NoisyLinear(w: w, bias: -0.6 - w.reduce(0, +) * 0.5, jump: 0.5, q: 0.5, passes: 4)
    let x = Tensor(repeating: 0.5, shape: [20, 1, 1, 16])
    return (toy, Split(images: x, labels: Array(repeating: 0, count: 20)))
  }

  func bim(_ given: [String: ParamValue], _ toy: NoisyLinear, _ split: Split, launches: Int = 4000) throws -> AttackResult {
    let eps = Double(0.4 / l1)  // the ε-ball's corner has margin −0.2
    let params = Params(spec: BIM.spec, given: ["eps": .real(eps), "alpha": .real(0.01), "early": .bool(false)]
                          .merging(given) { $1 })
    return try Evaluation(samples: 20, launches: launches).run(BIM(params: params), params: params, on: toy.network, split: split, seed: 3)
  }

  @Test("keep=last returns BIM's final iterate, whose launch ASR is the analytic 11/16")
  func finalIterate() throws {
    let (toy, split) = setup()
    let result = try bim(["keep": .string("last")], toy, split)
    #expect(result.samples.count == 20)
    // The final iterate is the ε-ball's corner x + ε·sign(w): margin −0.2, misclassified when
    // k/4 · 0.5 > 0.2, i.e. k ≥ 2 of 4 passes: P = 11/16.
    for (sample, image) in zip(result.samples, result.adversarials) {
      let x = try #require(image)
      #expect(abs(toy.margin(x) + 0.2) < 1e-4)
      #expect(abs(toy.misclassification(x) - 11.0 / 16) < 1e-9)
      #expect(abs(sample.success - 11.0 / 16) < 0.04, "launch ASR \(sample.success)")  // 5 sd of 4,000 launches
    }
    #expect(abs(result.asr - 11.0 / 16) < 0.01)
    // `auto` is `last` on a stochastic target.
    let auto = try bim([:], toy, split)
    #expect(auto.samples == result.samples)
  }

  @Test("keep=best returns the closest once-misclassified query: its launch ASR is its image's analytic probability, far below the final iterate's")
  func luckyDraw() throws {
    let (toy, split) = setup()
    let best = try bim(["keep": .string("best")], toy, split)
    var analytic: [Double] = []
    for (sample, image) in zip(best.samples, best.adversarials) {
      guard let x = image else { #expect(sample.success == 0); continue }
      let p = toy.misclassification(x)
      analytic.append(p)
      #expect(abs(sample.success - p) < max(0.04, 5 * (p * (1 - p) / 4000).squareRoot()), "launch ASR \(sample.success), analytic \(p)")
      // A candidate is an iterate that one query misclassified: its margin is above −jump.
      #expect(toy.margin(x) > -0.5)
    }
    #expect(analytic.count >= 15)
    #expect(best.asr < 11.0 / 16 - 0.15, "keep=best ASR \(best.asr)")
  }

  @Test("keep=auto is keep=best on a deterministic target, bit for bit")
  func deterministicUnchanged() throws {
    let dot = w.reduce(0, +) * 0.5
    let net = linearClassifier(w, bias: -0.3 - dot)
    let split = Split(images: Tensor(repeating: 0.5, shape: [4, 1, 1, 16]), labels: [0, 0, 0, 0])
    func run(_ keep: String) throws -> AttackResult {
      let params = Params(spec: BIM.spec, given: ["eps": .real(Double(0.5 / l1)), "early": .bool(false), "keep": .string(keep)])
      return try Evaluation(samples: 4).run(BIM(params: params), params: params, on: net, split: split, seed: 1)
    }
    let auto = try run("auto"), best = try run("best"), last = try run("last")
    #expect(auto.samples == best.samples)
    #expect(zip(auto.adversarials, best.adversarials).allSatisfy { $0?.scalars == $1?.scalars })
    // The closest misclassified iterate lies nearer than the ε-ball's corner BIM ends on.
    #expect(try #require(best.meanL2PerPixel) < #require(last.meanL2PerPixel))
  }

  func cw(_ abort: String, _ toy: NoisyLinear, _ split: Split, loss: String = "point") throws -> AttackResult {
    let params = Params(spec: CWL2.spec, given: ["search": .string("off"), "c": .real(10), "abort_by": .string(abort),
                                                 "abort_loss": .string(loss)])
    return try Evaluation(samples: 20, launches: 1000).run(CWL2(params: params), params: params, on: toy.network, split: split, seed: 3)
  }

  @Test("CWL2's abort_by=batch stops all samples of a batch together; per sample, the noisy loss stops them apart")
  func abortRule() throws {
    let (toy, split) = setup()
    let batch = try cw("batch", toy, split)
    let sample = try cw("sample", toy, split)
    let auto = try cw("auto", toy, split, loss: "point")
    #expect(auto.samples == batch.samples)
    // Batch: one abort decision, so every sample made the same number of gradient calls.
    #expect(Set(batch.samples.map(\.gradients)).count == 1)
    // Sample: a sample whose noisy loss rose at a check stopped there, whatever the others did.
    #expect(Set(sample.samples.map(\.gradients)).count > 1)
    // Each returned image's launch ASR is its analytic probability.
    for result in [batch, sample] {
      for (s, image) in zip(result.samples, result.adversarials) {
        guard let x = image else { continue }
        let p = toy.misclassification(x)
        #expect(abs(s.success - p) < max(0.06, 5 * (p * (1 - p) / 1000).squareRoot()), "launch ASR \(s.success), analytic \(p)")
      }
    }
  }

  @Test("abort_loss=mean lets CWL2 run on while its loss falls slower than one query's noise; one noisy iteration (point) stops it")
  func abortOnMeanLoss() throws {
    // Adam at lr 1e-4 moves the margin by ~0.02 per tenth of 1,000 steps: the batch's loss falls
    // by ~4 per check, while one iteration's sum over 20 noisy samples varies by ~6 (c = 10, noise
    // 0.5·Binomial(4, 0.5)/4), and a window's mean by ~0.6.
    let (toy, split) = setup()
    func run(_ abortBy: String, _ loss: String) throws -> AttackResult {
      let params = Params(spec: CWL2.spec, given: ["search": .string("off"), "c": .real(10), "lr": .real(1e-4),
                                                   "abort_by": .string(abortBy), "abort_loss": .string(loss)])
      return try Evaluation(samples: 20, launches: 200).run(CWL2(params: params), params: params, on: toy.network, split: split, seed: 3)
    }
    let point = try run("batch", "point"), mean = try run("batch", "mean"), auto = try run("auto", "auto")
    let perSample = try run("sample", "mean"), perSamplePoint = try run("sample", "point")
    #expect(point.samples.allSatisfy { $0.gradients < 1000 }, "\(point.samples.map(\.gradients))")
    #expect(mean.samples.allSatisfy { $0.gradients == 1000 }, "\(mean.samples.map(\.gradients))")
    // Per sample the window's noise is √20 times the batch's: samples still stop by chance, but
    // later than on single iterations.
    let calls = { (r: AttackResult) in r.samples.reduce(0) { $0 + $1.gradients } }
    #expect(calls(perSample) > 2 * calls(perSamplePoint), "\(perSample.samples.map(\.gradients)) vs \(perSamplePoint.samples.map(\.gradients))")
    // auto on a stochastic target: abort_by=batch with abort_loss=mean.
    #expect(auto.samples == mean.samples)
    // Running on moved the margins to where a lucky query misclassifies: candidates were found.
    #expect(mean.samples.filter(\.returned).count > point.samples.filter(\.returned).count)
  }

  @Test("on a deterministic target CWL2's abort_loss=auto is point, bit for bit")
  func abortLossDeterministicUnchanged() throws {
    let net = linearClassifier(w, bias: -0.3 - w.reduce(0, +) * 0.5)
    let split = Split(images: Tensor(repeating: 0.5, shape: [3, 1, 1, 16]), labels: [0, 0, 0])
    func run(_ loss: String) throws -> AttackResult {
      let params = Params(spec: CWL2.spec, given: ["abort_loss": .string(loss), "steps": .int(300)])
      return try Evaluation(samples: 3).run(CWL2(params: params), params: params, on: net, split: split, seed: 1)
    }
    let auto = try run("auto"), point = try run("point"), mean = try run("mean")
    #expect(auto.samples == point.samples)
    #expect(zip(auto.adversarials, point.adversarials).allSatisfy { $0?.scalars == $1?.scalars })
    // The rule is in force there when asked for: mean stops at different iterations.
    #expect(mean.samples.map(\.gradients) != point.samples.map(\.gradients))
  }

  @Test("on a deterministic target CWL2's abort_by=auto is abort_by=sample, bit for bit")
  func cwDeterministicUnchanged() throws {
    let dot = w.reduce(0, +) * 0.5
    let net = linearClassifier(w, bias: -0.3 - dot)
    let split = Split(images: Tensor(repeating: 0.5, shape: [3, 1, 1, 16]), labels: [0, 0, 0])
    func run(_ abort: String) throws -> AttackResult {
      let params = Params(spec: CWL2.spec, given: ["abort_by": .string(abort), "steps": .int(300)])
      return try Evaluation(samples: 3).run(CWL2(params: params), params: params, on: net, split: split, seed: 1)
    }
    let auto = try run("auto"), sample = try run("sample")
    #expect(auto.samples == sample.samples)
    #expect(zip(auto.adversarials, sample.adversarials).allSatisfy { $0?.scalars == $1?.scalars })
  }

  @Test("CWL2's clean_answer=ignore attacks every sample, also one whose clean image a first query answered wrongly; keep returns such a sample unattacked")
  func cleanAnswerRule() throws {
    // Margin −0.2 under single passes: one query in two answers wrongly (noise 0.5 with q = 0.5).
    let toy = NoisyLinear(w: w, bias: -0.2 - w.reduce(0, +) * 0.3, jump: 0.5, q: 0.5, passes: 1)
    let split = Split(images: Tensor(repeating: 0.3, shape: [40, 1, 1, 16]), labels: Array(repeating: 0, count: 40))
    func run(_ clean: String) throws -> AttackResult {
      let params = Params(spec: CWL2.spec, given: ["search": .string("off"), "c": .real(10), "steps": .int(20),
                                                   "clean_answer": .string(clean)])
      return try Evaluation(samples: 40, launches: 200).run(CWL2(params: params), params: params, on: toy.network, split: split, seed: 5)
    }
    let keep = try run("keep"), ignore = try run("ignore"), auto = try run("auto")
    #expect(auto.samples == ignore.samples)
    // keep: the samples the first query got wrong made no gradient call and return the clean image.
    let unattacked = keep.samples.filter { $0.gradients == 0 }
    #expect(!unattacked.isEmpty)
    #expect(unattacked.allSatisfy { $0.returned && $0.l2PerPixel == 0 })
    // ignore: every sample is optimised; no clean image comes back as it is.
    #expect(ignore.samples.allSatisfy { $0.gradients > 0 })
    #expect(ignore.samples.allSatisfy { $0.l2PerPixel != 0 })
  }

  @Test("on a deterministic target CWL2's clean_answer=auto is keep, bit for bit")
  func cleanAnswerDeterministicUnchanged() throws {
    // The first query repeats the answer that selected the sample, so nothing is skipped and
    // nothing may change.
    let net = linearClassifier(w, bias: -0.3 - w.reduce(0, +) * 0.5)
    let split = Split(images: Tensor(repeating: 0.5, shape: [4, 1, 1, 16]), labels: [0, 0, 0, 0])
    func run(_ clean: String) throws -> AttackResult {
      let params = Params(spec: CWL2.spec, given: ["clean_answer": .string(clean), "steps": .int(100)])
      return try Evaluation(samples: 4).run(CWL2(params: params), params: params, on: net, split: split, seed: 1)
    }
    let auto = try run("auto"), keep = try run("keep")
    #expect(auto.samples == keep.samples)
    #expect(zip(auto.adversarials, keep.adversarials).allSatisfy { $0?.scalars == $1?.scalars })
  }
}
