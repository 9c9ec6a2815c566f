import AdvData
import AdvNN
import AdvTensor
import Foundation

/// What training a surrogate spent and produced (attacks.md §7, query accounting).
public struct SurrogateTraining: Sendable, Equatable {
  /// Oracle queries for labelling the seed set and every augmentation.
  public var labellingQueries = 0
  /// Oracle queries of Variance Mimicking (relabelled clean batches and noisy copies).
  public var vmQueries = 0
  /// Size of the training set in each round.
  public var roundSizes: [Int] = []
  public var seconds: Double = 0

  public var queries: Int { labellingQueries + vmQueries }

  public init() {}

  /// As a cache entry's metadata stores it.
  public var metadata: [String: String] {
    ["surrogate_labelling_queries": String(labellingQueries), "surrogate_vm_queries": String(vmQueries),
     "surrogate_round_sizes": roundSizes.map(String.init).joined(separator: ","), "surrogate_seconds": String(seconds)]
  }

  /// Read back from a cache entry's metadata; nil when it does not hold a surrogate's record.
  public init?(metadata: [String: String]) {
    guard let l = metadata["surrogate_labelling_queries"].flatMap(Int.init),
          let v = metadata["surrogate_vm_queries"].flatMap(Int.init),
          let sizes = metadata["surrogate_round_sizes"]?.split(separator: ",").compactMap({ Int($0) }), !sizes.isEmpty
    else { return nil }
    labellingQueries = l
    vmQueries = v
    roundSizes = sizes
    seconds = metadata["surrogate_seconds"].flatMap(Double.init) ?? 0
  }
}

/// Papernot et al.'s substitute training with Jacobian-based data-set augmentation (attacks.md
/// §7), and Variance Mimicking in place of its training step (§8, the paper's Algorithm 1).
///
///     S₀ = seed images, labelled by the oracle
///     for ρ in 0 ..< rounds:
///         F = fresh ARCH; train F on (S_ρ, labels)            (VM: + m noisy copies per batch)
///         if ρ < rounds − 1:
///             λ_ρ = λ · (−1)^⌊ρ/τ⌋
///             S_{ρ+1} = S_ρ ∪ { clip(x + λ_ρ · sign(∇ₓ softmax(F(x))_{O(x)}), 0, 1) }
///
/// Only the new points of a round are labelled (CleverHans' `jacobian_augmentation` tutorial
/// does the same), so the oracle sees each point once; the surrogate is re-initialised every
/// round ("training from scratch"); the augmentation after the last round would be unused and
/// is skipped. The oracle answers hard labels only, each row of a batch one query.
public struct SurrogateTrainer {
  public let rounds: Int
  public let lambda: Double
  public let tau: Int
  public let copies: Int
  public let mode: SurrogateSettings.VMMode
  public let clip: Bool
  public let relabel: Bool
  public let config: TrainingConfig

  public init(params: Params) {
    rounds = params[SurrogateSettings.rounds]
    lambda = params[SurrogateSettings.lambda]
    tau = params[SurrogateSettings.tau]
    copies = params[SurrogateSettings.vm]
    mode = params[SurrogateSettings.vmMode]
    clip = params[SurrogateSettings.vmClip]
    relabel = params[SurrogateSettings.vmRelabel]
    config = TrainingConfig(params)
  }

  /// λ_ρ = λ · (−1)^⌊ρ/τ⌋ (Eq. 4).
  public static func lambda(_ base: Double, round: Int, tau: Int) -> Double {
    (round / tau) % 2 == 0 ? base : -base
  }

  /// Trains the surrogate: `make` builds a fresh network from a stream, `oracle` labels a batch.
  public func train(make: (RandomStream) throws -> Network, seed images: Tensor,
                    oracle: (Tensor) throws -> [Int], rng: RandomStream,
                    label: String = "surrogate") throws -> (Network, SurrogateTraining) {
    precondition(rounds >= 1)
    let start = Date()
    var stats = SurrogateTraining()
    var points = images
    var labels = try oracle(points)
    stats.labellingQueries += points.shape[0]
    var net: Network? = nil
    for round in 0..<rounds {
      let step = try self.round(round, make: make, points: points, labels: labels, oracle: oracle, rng: rng,
                                augmenting: round < rounds - 1, label: "\(label) round \(round + 1)/\(rounds)", stats: &stats)
      net = step.net
      if let added = step.added {
        points = Tensor.concatenate([points, added])
        labels += step.addedLabels
      }
    }
    stats.seconds = Date().timeIntervalSince(start)
    guard let net else { preconditionFailure("at least one round trains") }
    return (net, stats)
  }

  /// Round `round` of `train`: a fresh surrogate from `make` trained on (`points`, `labels`)
  /// (with Variance Mimicking when `vm` > 0); when `augmenting`, the Jacobian-augmented points
  /// (λ_round) and their oracle labels. `rng` is `train`'s stream; `stats` counts the queries
  /// and records the round's size.
  public func round(_ round: Int, make: (RandomStream) throws -> Network, points: Tensor, labels: [Int],
                    oracle: (Tensor) throws -> [Int], rng: RandomStream, augmenting: Bool, label: String,
                    stats: inout SurrogateTraining) throws -> (net: Network, added: Tensor?, addedLabels: [Int]) {
    let fresh = try make(rng.derived(0x5100 + UInt64(round)))
    var stream = rng.derived(0x5200 + UInt64(round))
    let split = Split(images: points, labels: labels)
    if copies == 0 {
      _ = try AdvNN.train(fresh, on: split, config: config, rng: &stream, label: label)
    } else {
      stats.vmQueries += try trainMimickingVariance(fresh, on: split, oracle: oracle, rng: stream, label: label)
    }
    stats.roundSizes.append(points.shape[0])
    guard augmenting else { return (fresh, nil, []) }
    var noise = rng.derived(0x5300 + UInt64(round))
    let step = Float(Self.lambda(lambda, round: round, tau: tau))
    let added = try Self.augment(fresh, images: points, labels: labels, lambda: step, rng: &noise)
    let addedLabels = try oracle(added)
    stats.labellingQueries += added.shape[0]
    return (fresh, added, addedLabels)
  }

  /// Jacobian-based augmentation: each image moved by `lambda` per pixel in the sign of the
  /// gradient of the surrogate's softmax probability of the image's oracle label, clipped to
  /// [0, 1]. A stochastic surrogate's gradient goes through its inference policy.
  public static func augment(_ net: Network, images: Tensor, labels: [Int], lambda: Float,
                             rng: inout RandomStream, chunk: Int = 256) throws -> Tensor {
    let n = images.shape[0], d = images.count / max(n, 1)
    var out = Tensor(uninitialized: images.shape)
    var start = 0
    while start < n {
      try Interrupt.check()
      let rows = start..<min(start + chunk, n)
      let tape = Tape()
      let input = tape.variable(images.slice(rows))
      let logits = net.logits(input, rng: &rng)
      // ∂p_y/∂z = p_y (e_y − p): the seed that turns the logits' gradient into p_y's.
      let z = logits.value, k = z.shape[1]
      var seed = Tensor(zeros: z.shape)
      z.withUnsafeBufferPointer { pz in
        seed.withUnsafeMutableBufferPointer { ps in
          for (r, i) in rows.enumerated() {
            let row = pz.baseAddress! + r * k
            var top = -Float.infinity
            for j in 0..<k { top = max(top, row[j]) }
            var sum: Float = 0
            for j in 0..<k { sum += expf(row[j] - top) }
            let py = expf(row[labels[i]] - top) / sum
            for j in 0..<k { ps[r * k + j] = -py * expf(row[j] - top) / sum }
            ps[r * k + labels[i]] += py
          }
        }
      }
      let g = tape.gradients(of: logits, seed: seed)[input]
      g.withUnsafeBufferPointer { pg in
        images.withUnsafeBufferPointer { px in
          out.withUnsafeMutableBufferPointer { po in
            let base = rows.lowerBound * d
            for j in 0..<(rows.count * d) {
              let s: Float = pg[j] > 0 ? 1 : (pg[j] < 0 ? -1 : 0)
              po[base + j] = min(max(px[base + j] + lambda * s, 0), 1)
            }
          }
        }
      }
      start = rows.upperBound
    }
    return out
  }

  /// Variance Mimicking (the paper's Algorithm 1): after each clean mini-batch step, `copies`
  /// noisy copies of the batch, noise N(0, σ²_B) with σ²_B the batch's unbiased per-element
  /// variance, each labelled by a fresh oracle query; one step per copy (`steps`) or one step on
  /// the batch and all copies (`expanded`). Trains through `train`'s loop; the noise draws from
  /// `rng.derived(4)`, so augmentation draws from `rng.derived(5)`. Returns the oracle queries spent.
  func trainMimickingVariance(_ net: Network, on split: Split, oracle: (Tensor) throws -> [Int],
                              rng: RandomStream, label: String) throws -> Int {
    var stream = rng
    var draws = rng.derived(4)
    var queries = 0
    _ = try AdvNN.train(net, on: split, config: config, rng: &stream, label: label, augmentationStream: 5) { trainer, x, y in
      let rows = x.shape[0]
      var y = y
      if relabel {
        y = try oracle(x)
        queries += rows
      }
      let noisy = (0..<copies).map { _ in Self.noisyCopy(x, clip: clip, rng: &draws) }
      var noisyLabels: [[Int]] = []
      for copy in noisy {
        noisyLabels.append(try oracle(copy))
        queries += rows
      }
      // The running loss is the mean of the clean batches' losses (steps) or of the expanded
      // batches' (each batch counts once, whatever its size).
      switch mode {
      case .steps:
        let loss = trainer.step(x, y)
        for (copy, labels) in zip(noisy, noisyLabels) { _ = trainer.step(copy, labels) }
        return (Double(loss), 1)
      case .expanded:
        return (Double(trainer.step(Tensor.concatenate([x] + noisy), y + noisyLabels.flatMap { $0 })), 1)
      }
    }
    return queries
  }

  /// `x` plus Gaussian noise whose per-element variance is the unbiased variance of `x` over its
  /// rows (0 for a single row), clipped to [0, 1] when `clip`.
  public static func noisyCopy(_ x: Tensor, clip: Bool, rng: inout RandomStream) -> Tensor {
    let n = x.shape[0], d = x.count / max(n, 1)
    var std = [Float](repeating: 0, count: d)
    if n > 1 {
      x.withUnsafeBufferPointer { px in
        for j in 0..<d {
          var mean: Double = 0
          for r in 0..<n { mean += Double(px[r * d + j]) }
          mean /= Double(n)
          var ss: Double = 0
          for r in 0..<n {
            let e = Double(px[r * d + j]) - mean
            ss += e * e
          }
          std[j] = Float((ss / Double(n - 1)).squareRoot())
        }
      }
    }
    var out = Tensor(uninitialized: x.shape)
    out.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
    x.withUnsafeBufferPointer { px in
      out.withUnsafeMutableBufferPointer { po in
        for r in 0..<n {
          for j in 0..<d {
            let v = px[r * d + j] + std[j] * po[r * d + j]
            po[r * d + j] = clip ? min(max(v, 0), 1) : v
          }
        }
      }
    }
    return out
  }
}
