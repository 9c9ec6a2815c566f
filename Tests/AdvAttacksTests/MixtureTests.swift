import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Testing

/// The stochastic mixture of attacks.md §9.
@Suite("mixtures")
struct MixtureTests {
  let a = tinyLinearNetwork(seed: 5), b = tinyLinearNetwork(seed: 6)

  /// An image the two members label differently.
  func disputed() throws -> (Tensor, Int, Int) {
    var rng = RandomStream(seed: 21)
    var noise = RandomStream(seed: 0)
    for _ in 0..<200 {
      let x = rng.uniformTensor([1, 1, 4, 4])
      let la = a.predict(x, rng: &noise)[0], lb = b.predict(x, rng: &noise)[0]
      if la != lb { return (x, la, lb) }
    }
    throw TestFailure("no image the members disagree on")
  }

  /// The input gradient of the summed cross-entropy of three fixed images, on a fresh stream.
  func gradient(_ model: any Model) -> Tensor {
    var rng = RandomStream(seed: 4)
    let x = rng.uniformTensor([3, 1, 4, 4])
    var r = RandomStream(seed: 0)
    return model.inputGradient(x, rng: &r) { (crossEntropy($0, labels: [0, 1, 2], reduction: .sum), nil) }.gradient
  }

  struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
  }

  @Test("answers come from each member with probability 1/2: chi-square over 4,000 queries")
  func uniformAnswers() throws {
    let (x, la, lb) = try disputed()
    let mixture = Mixture(members: [a, b])
    var rng = RandomStream(seed: 3)
    let tiled = x.gather(rows: Array(repeating: 0, count: 4000))
    let answers = mixture.predict(tiled, rng: &rng)
    let na = answers.filter { $0 == la }.count, nb = answers.filter { $0 == lb }.count
    #expect(na + nb == 4000)
    let da = Double(na) - 2000, db = Double(nb) - 2000
    let chi2 = (da * da + db * db) / 2000
    #expect(chi2 < 10.83, "χ² = \(chi2) with 1 degree of freedom (p < 0.001 beyond 10.83)")
  }

  @Test("its input gradient is the mean of the members' cross-entropy gradients")
  func meanGradient() throws {
    let mixed = gradient(Mixture(members: [a, b])), ga = gradient(a), gb = gradient(b)
    for (m, (u, v)) in zip(mixed.scalars, zip(ga.scalars, gb.scalars)) {
      #expect(abs(m - (u + v) / 2) < 1e-6)
    }
  }

  @Test("batches are sized by its widest member: a mixture's own tape holds only the answers")
  func widestMember() throws {
    let shape = [1, 28, 28]
    let narrow = try MLP.make(params: Params(spec: MLP.spec, given: ["hidden": .int(8)]), inputShape: shape, classes: 10,
                              rng: RandomStream(seed: 1))
    let wide = try LeNet.make(params: Params(spec: LeNet.spec, given: [:]), inputShape: shape, classes: 10, rng: RandomStream(seed: 2))
    let w = wide.widestValuePerImage(shape: shape)
    #expect(w > 784, "a convolution's feature maps are wider than the image")
    #expect(narrow.widestValuePerImage(shape: shape) < w)
    #expect(Mixture(members: [narrow, wide]).widestValuePerImage(shape: shape) == w)
  }

  @Test("without weights each row's member is one rng.int(below:) draw, as before weights existed")
  func uniformDraw() throws {
    let (x, la, lb) = try disputed()
    let tiled = x.gather(rows: Array(repeating: 0, count: 500))
    var draws = RandomStream(seed: 8)
    let expected = (0..<500).map { _ in draws.int(below: 2) == 0 ? la : lb }
    for mixture in [Mixture(members: [a, b]), Mixture(members: [a, b], weights: [1, 1]), Mixture(members: [a, b], weights: [2.5, 2.5])] {
      var rng = RandomStream(seed: 8)
      #expect(mixture.probabilities == nil)
      #expect(mixture.predict(tiled, rng: &rng) == expected)
    }
  }

  @Test("with weights [3, 1] answers come from the members with probabilities 3/4 and 1/4: chi-square over 4,000 queries")
  func weightedAnswers() throws {
    let (x, la, lb) = try disputed()
    let mixture = Mixture(members: [a, b], weights: [3, 1])
    #expect(mixture.probabilities == [0.75, 0.25])
    var rng = RandomStream(seed: 3)
    let tiled = x.gather(rows: Array(repeating: 0, count: 4000))
    let answers = mixture.predict(tiled, rng: &rng)
    let na = answers.filter { $0 == la }.count, nb = answers.filter { $0 == lb }.count
    #expect(na + nb == 4000)
    let da = Double(na) - 3000, db = Double(nb) - 1000
    let chi2 = da * da / 3000 + db * db / 1000
    #expect(chi2 < 10.83, "χ² = \(chi2) with 1 degree of freedom (p < 0.001 beyond 10.83); \(na) : \(nb)")
    // Uniform would be far off: 2000 : 2000 gives χ² ≈ 1333.
    #expect(na > 2800 && nb > 800)
  }

  @Test("a member of weight 0 never answers; three members follow their weights")
  func zeroWeight() throws {
    let (x, la, lb) = try disputed()
    let tiled = x.gather(rows: Array(repeating: 0, count: 1000))
    var rng = RandomStream(seed: 5)
    #expect(Mixture(members: [a, b], weights: [0, 2]).predict(tiled, rng: &rng).allSatisfy { $0 == lb })
    #expect(Mixture(members: [a, b], weights: [7, 0]).predict(tiled, rng: &rng).allSatisfy { $0 == la })
    let three = Mixture(members: [a, b, a], weights: [1, 0, 1])
    #expect(three.probabilities == [0.5, 0, 0.5])
    #expect(three.predict(tiled, rng: &rng).allSatisfy { $0 == la })
  }

  @Test("with weights its input gradient is the weighted mean of the members' gradients")
  func weightedGradient() throws {
    let ga = gradient(a), gb = gradient(b)
    let mixed = gradient(Mixture(members: [a, b], weights: [3, 1]))
    for (m, (u, v)) in zip(mixed.scalars, zip(ga.scalars, gb.scalars)) {
      #expect(abs(m - (0.75 * u + 0.25 * v)) < 1e-6)
    }
    let only = gradient(Mixture(members: [a, b], weights: [0, 1]))
    #expect(zip(only.scalars, gb.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    // Equal weights are the uniform mixture, bit for bit.
    #expect(gradient(Mixture(members: [a, b], weights: [4, 4])).scalars == gradient(Mixture(members: [a, b])).scalars)
  }

  @Test("BIM on a mixture makes one clean query per sample and one gradient per step (keep=last, no early stop)")
  func queryCount() throws {
    let mixture = Mixture(members: [a, b], eligible: .mixture)
    let split = tinySplit(for: a)
    let result = try runRegistered("bim", on: mixture, split: split,
                                   given: ["samples": .int(6), "steps": .int(7), "early": .bool(false), "launches": .int(50)])
    #expect(!result.samples.isEmpty)
    #expect(result.samples.allSatisfy { $0.queries == 1 && $0.gradients == 7 })
    // Launch-scored: multiples of 1/50.
    #expect(result.samples.allSatisfy { ($0.success * 50).rounded() == $0.success * 50 })
  }

  @Test("eligible=members keeps only samples every member classifies correctly")
  func eligibility() {
    var rng = RandomStream(seed: 9)
    let images = rng.uniformTensor([200, 1, 4, 4])
    var noise = RandomStream(seed: 0)
    let la = a.predict(images, rng: &noise), lb = b.predict(images, rng: &noise)
    let correct = Mixture(members: [a, b], eligible: .members).classifiesCorrectly(images, labels: la, rng: &noise)
    #expect(correct == zip(la, lb).map { $0 == $1 })
  }
}
