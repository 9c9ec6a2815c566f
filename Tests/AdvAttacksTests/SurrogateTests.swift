import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

/// Papernot et al.'s substitute training (Jacobian-based augmentation) and Variance Mimicking.
@Suite("surrogates")
struct SurrogateTests {
  @Test("surrogates train without augmentation unless asked, whatever their architecture's default")
  func noAugmentationByDefault() {
    for arch in [ResNet18.spec, BSNL.spec] {
      let spec = ComponentSpec.merging(arch)(SurrogateSettings.spec)
      #expect(TrainingConfig(Params(spec: spec, given: [:], dataset: "mnist")).augmentation.isIdentity, "\(arch.name)")
      #expect(!TrainingConfig(Params(spec: spec, given: ["augment": .bool(true)], dataset: "mnist")).augmentation.isIdentity)
    }
  }

  /// Surrogate settings for an MLP of `hidden` units, `rounds` rounds, `vm` noisy copies.
  /// An MLP surrogate trained as Papernot et al. trained theirs (SGD, momentum 0.9; the MLP's
  /// own optimiser is Adam).
  func params(hidden: Int = 16, rounds: Int, epochs: Int, batch: Int = 128, vm: Int = 0) -> Params {
    let spec = ComponentSpec.merging(MLP.spec)(SurrogateSettings.spec)
    return Params(spec: spec, given: ["hidden": .int(hidden), "rounds": .int(rounds), "epochs": .int(epochs),
                                      "batch": .int(batch), "vm": .int(vm), "optimizer": .string("sgd"), "momentum": .real(0.9)])
  }

  func mlp(_ params: Params, inputShape: [Int], classes: Int) -> (RandomStream) throws -> Network {
    { rng in try MLP.make(params: params, inputShape: inputShape, classes: classes, rng: rng) }
  }

  /// A fixed oracle: the brightness decile of the image (10 classes), with a query counter.
  final class BrightnessOracle {
    var queries = 0
    var calls: [Int] = []
    func labels(_ x: Tensor) -> [Int] {
      let n = x.shape[0], d = x.count / n
      queries += n
      calls.append(n)
      return x.withUnsafeBufferPointer { p in
        (0..<n).map { r in min(9, Int((0..<d).reduce(Float(0)) { $0 + p[r * d + $1] } / Float(d) * 40)) }
      }
    }
  }

  @Test("λ's sign follows Eq. 4: λ·(−1)^⌊ρ/τ⌋")
  func lambdaSchedule() {
    #expect((0..<6).map { SurrogateTrainer.lambda(0.1, round: $0, tau: 2) } == [0.1, 0.1, -0.1, -0.1, 0.1, 0.1])
    #expect((0..<3).map { SurrogateTrainer.lambda(0.1, round: $0, tau: 1) } == [0.1, -0.1, 0.1])
  }

  @Test("the data set doubles each round and every point is labelled by exactly one oracle query")
  func doubling() throws {
    let data = try MNIST.embedded().subset(train: 0, test: 40, seed: 2)
    let p = params(rounds: 3, epochs: 1)
    let oracle = BrightnessOracle()
    let (_, stats) = try SurrogateTrainer(params: p).train(
      make: mlp(p, inputShape: data.imageShape, classes: 10), seed: data.test.images,
      oracle: oracle.labels, rng: RandomStream(seed: 1))
    #expect(stats.roundSizes == [40, 80, 160])
    #expect(stats.labellingQueries == 160 && stats.vmQueries == 0)
    #expect(oracle.queries == 160)
  }

  @Test("an augmented point moves by exactly λ per pixel in the sign of ∂p_y/∂x (finite differences), clipped to [0, 1]")
  func augmentationStep() throws {
    let p = params(hidden: 6, rounds: 1, epochs: 0)
    let net = try MLP.make(params: p, inputShape: [1, 4, 4], classes: 3, rng: RandomStream(seed: 5))
    var values = (0..<16).map { Float($0 % 7) / 7 * 0.6 + 0.2 }
    values[0] = 0.01  // moves below 0 if λ pushes it down: clipped
    values[1] = 0.99
    let x = Tensor(values, shape: [1, 1, 4, 4])
    let y = 2
    var rng = RandomStream(seed: 9)
    func probability(_ image: Tensor) -> Double {
      var r = RandomStream(seed: 0)
      let z = net.logits(image, rng: &r).scalars.map(Double.init)
      let top = z.max() ?? 0
      let e = z.map { exp($0 - top) }
      return e[y] / e.reduce(0, +)
    }
    for lambda: Float in [0.05, -0.05] {
      let moved = try SurrogateTrainer.augment(net, images: x, labels: [y], lambda: lambda, rng: &rng)
      var checked = 0
      for j in 0..<16 {
        var up = values, down = values
        up[j] += 1e-3
        down[j] -= 1e-3
        let fd = (probability(Tensor(up, shape: x.shape)) - probability(Tensor(down, shape: x.shape))) / 2e-3
        guard abs(fd) > 1e-4 else { continue }  // sign not resolvable in Float32
        let expected = min(max(values[j] + lambda * (fd > 0 ? 1 : -1), 0), 1)
        #expect(abs(moved.scalars[j] - expected) < 1e-6, "pixel \(j), λ \(lambda)")
        checked += 1
      }
      #expect(checked >= 12)
    }
  }

  @Test("a surrogate of a trained network agrees with it well above chance, and more after 3 rounds than after 1")
  func agreement() throws {
    let data = try MNIST.embedded().subset(train: 1000, test: 500, seed: 3)
    let oracleParams = Params(spec: MLP.spec, given: ["epochs": .int(3), "hidden": .int(64)])
    let oracleNet = try MLP.make(params: oracleParams, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 4))
    var trainRNG = RandomStream(seed: 4, stream: 1)
    _ = try AdvNN.train(oracleNet, on: data.train, config: TrainingConfig(oracleParams), rng: &trainRNG)
    var noise = RandomStream(seed: 0)
    let oracle: (Tensor) -> [Int] = { oracleNet.predict($0, rng: &noise) }
    let seedImages = data.test.images.slice(0..<100)
    let pool = data.test.images.slice(100..<500)
    let truth = oracle(pool)
    func agreement(rounds: Int) throws -> Double {
      let p = params(hidden: 64, rounds: rounds, epochs: 10, batch: 32)
      let (net, _) = try SurrogateTrainer(params: p).train(
        make: mlp(p, inputShape: data.imageShape, classes: 10), seed: seedImages, oracle: oracle, rng: RandomStream(seed: 6))
      var r = RandomStream(seed: 0)
      let predicted = net.predict(pool, rng: &r)
      return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }
    let one = try agreement(rounds: 1), three = try agreement(rounds: 3)
    #expect(one > 0.3, "chance is 0.1")
    #expect(three > one + 0.02, "1 round \(one), 3 rounds \(three)")
  }

  @Test("Variance Mimicking queries the oracle exactly (1 + M) × batch times per step")
  func vmQueries() throws {
    let data = try MNIST.embedded().subset(train: 0, test: 64, seed: 2)
    let p = params(rounds: 1, epochs: 2, batch: 16, vm: 3)
    let oracle = BrightnessOracle()
    let (_, stats) = try SurrogateTrainer(params: p).train(
      make: mlp(p, inputShape: data.imageShape, classes: 10), seed: data.test.images,
      oracle: oracle.labels, rng: RandomStream(seed: 1))
    // 2 epochs × 4 batches × (1 clean relabelling + 3 noisy copies) × 16 images.
    #expect(stats.vmQueries == 2 * 4 * 4 * 16)
    #expect(stats.labellingQueries == 64)
    #expect(oracle.calls.dropFirst().allSatisfy { $0 == 16 })
  }

  @Test("Variance Mimicking's noise has the mini-batch's per-element unbiased variance")
  func vmNoiseVariance() {
    let x = Tensor((0..<(8 * 5)).map { Float(($0 * 37) % 23) / 23 }, shape: [8, 1, 1, 5])
    let columns = (0..<5).map { j in (0..<8).map { Double(x.scalars[$0 * 5 + j]) } }
    let expected = columns.map { c -> Double in
      let m = c.reduce(0, +) / 8
      return c.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 7
    }
    var rng = RandomStream(seed: 11)
    var sum = [Double](repeating: 0, count: 40), squares = sum
    let draws = 4000
    for _ in 0..<draws {
      let copy = SurrogateTrainer.noisyCopy(x, clip: false, rng: &rng)
      for e in 0..<40 {
        let v = Double(copy.scalars[e] - x.scalars[e])
        sum[e] += v
        squares[e] += v * v
      }
    }
    for e in 0..<40 {
      let mean = sum[e] / Double(draws)
      let variance = squares[e] / Double(draws) - mean * mean
      // 4,000 draws: the variance estimate has a relative standard deviation of √(2/4000) ≈ 2.2 %.
      #expect(abs(variance / expected[e % 5] - 1) < 0.1, "element \(e): \(variance) vs \(expected[e % 5])")
      #expect(abs(mean) < 4 * (expected[e % 5] / Double(draws)).squareRoot())
    }
  }
}
