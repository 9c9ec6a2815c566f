import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Foundation
import Testing

/// A surrogate round trains through the trainer's epoch and batch loop (`train`'s `step` hook).
/// The references below are the loops `SurrogateTrainer` ran before it used that hook, written
/// out with the trainer's public parts: the weights must come out equal bit for bit, so every
/// random draw (shuffles, augmentation, noisy copies) happens in the same order from the same
/// stream.
@Suite("surrogate training through the trainer's loop")
struct SurrogateTrainingLoopTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let vm: Int
    let mode: String
    let relabel: Bool
    var testDescription: String { vm == 0 ? "plain training" : "vm=\(vm) vm_mode=\(mode) vm_relabel=\(relabel)" }
  }

  /// An MLP surrogate with augmentation and input normalisation on (so both of their streams
  /// and the statistics are exercised) and a batch of 16 over 40 points (a partial last batch).
  func params(_ c: Case) -> Params {
    let spec = ComponentSpec.merging(MLP.spec)(SurrogateSettings.spec)
    return Params(spec: spec, given: [
      "hidden": .int(12), "rounds": .int(1), "epochs": .int(2), "batch": .int(16), "vm": .int(c.vm),
      "vm_mode": .string(c.mode), "vm_relabel": .bool(c.relabel), "augment": .bool(true), "shift": .int(2),
      "rotate": .real(10), "normalize": .bool(true), "optimizer": .string("sgd"), "momentum": .real(0.9),
    ])
  }

  /// The brightness decile of each image (10 classes).
  static func oracle(_ x: Tensor) -> [Int] {
    let n = x.shape[0], d = x.count / max(n, 1)
    return x.withUnsafeBufferPointer { p in
      (0..<n).map { r in min(9, Int((0..<d).reduce(Float(0)) { $0 + p[r * d + $1] } / Float(d) * 40)) }
    }
  }

  /// Round 0 as `SurrogateTrainer.round` trained it before the hook: `train`'s loop when there
  /// are no noisy copies, else Variance Mimicking's own loop. Returns the weights and the
  /// oracle queries spent on Variance Mimicking.
  func reference(_ s: SurrogateTrainer, _ p: Params, points: Tensor, labels: [Int], shape: [Int],
                 rng: RandomStream) throws -> (values: [Tensor], queries: Int) {
    let net = try MLP.make(params: p, inputShape: shape, classes: 10, rng: rng.derived(0x5100))
    let stream = rng.derived(0x5200)
    let split = Split(images: points, labels: labels)
    let config = s.config
    if config.normalize { net.normalization = Normalization(statisticsOf: split.images) }
    var trainer = MiniBatchTrainer(net: net, config: config, rng: stream)
    var shuffle = stream.derived(1)
    var draws = stream.derived(4)
    var augmenting = stream.derived(s.copies == 0 ? 4 : 5)
    var queries = 0
    let batches = (split.count + config.batch - 1) / config.batch
    for epoch in 0..<config.epochs {
      trainer.beginEpoch(epoch)
      let order = shuffle.permutation(split.count)
      for b in 0..<batches {
        let indices = Array(order[(b * config.batch)..<min((b + 1) * config.batch, split.count)])
        var (x, y) = split.batch(indices)
        config.augmentation.apply(&x, rng: &augmenting)
        guard s.copies > 0 else {
          _ = trainer.step(x, y)
          continue
        }
        if s.relabel {
          y = Self.oracle(x)
          queries += indices.count
        }
        let noisy = (0..<s.copies).map { _ in SurrogateTrainer.noisyCopy(x, clip: s.clip, rng: &draws) }
        let noisyLabels = noisy.map { Self.oracle($0) }
        queries += noisy.count * indices.count
        switch s.mode {
        case .steps:
          _ = trainer.step(x, y)
          for (copy, labels) in zip(noisy, noisyLabels) { _ = trainer.step(copy, labels) }
        case .expanded:
          _ = trainer.step(Tensor.concatenate([x] + noisy), y + noisyLabels.flatMap { $0 })
        }
      }
    }
    try trainer.finish(epochs: config.epochs, on: split)
    return (net.values, queries)
  }

  @Test("a surrogate round's weights and queries equal those of the loop it ran before, bit for bit",
        arguments: [Case(vm: 0, mode: "steps", relabel: true), Case(vm: 2, mode: "steps", relabel: true),
                    Case(vm: 3, mode: "expanded", relabel: false)])
  func sameAsBefore(_ c: Case) throws {
    let data = try MNIST.embedded().subset(train: 0, test: 40, seed: 2)
    let p = params(c)
    let s = SurrogateTrainer(params: p)
    let points = data.test.images, labels = Self.oracle(points)
    let rng = RandomStream(seed: 7)
    var stats = SurrogateTraining()
    let round = try s.round(0, make: { try MLP.make(params: p, inputShape: data.imageShape, classes: 10, rng: $0) },
                            points: points, labels: labels, oracle: Self.oracle, rng: rng, augmenting: false,
                            label: "surrogate", stats: &stats)
    let expected = try reference(s, p, points: points, labels: labels, shape: data.imageShape, rng: rng)
    #expect(stats.vmQueries == expected.queries)
    #expect(round.net.values.count == expected.values.count)
    #expect(zip(round.net.values, expected.values).allSatisfy { $0.scalars == $1.scalars })
    // The weights moved: the round trained.
    let fresh = try MLP.make(params: p, inputShape: data.imageShape, classes: 10, rng: rng.derived(0x5100))
    #expect(zip(round.net.values, fresh.values).contains { $0.scalars != $1.scalars })
  }
}
