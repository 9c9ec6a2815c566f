import AdvData
import AdvNN
import AdvTensor
import Foundation

/// Outcome of one attacked sample (attacks.md §1.4).
public struct SampleOutcome: Sendable, Equatable {
  public let index: Int
  public let label: Int
  /// The attack returned an image (some query was misclassified).
  public let returned: Bool
  /// s_i: 1 or 0 for a deterministic target (re-checked on the returned image).
  public let success: Double
  /// d_i = ‖x_adv − x‖₂ / n, n = C·H·W; nil when nothing was returned.
  public let l2PerPixel: Double?
  public let mse: Double?
  public let queries: Int
  public let gradients: Int
}

/// The result of one `attack` statement.
public struct AttackResult: Sendable {
  public let attack: String
  public let params: Params
  public let samples: [SampleOutcome]
  public let seconds: Double
  /// Fewer correctly classified test images existed than were asked for.
  public let requestedSamples: Int

  /// ASR = mean of s_i (attacks.md §1.2).
  public var asr: Double {
    samples.isEmpty ? 0 : samples.reduce(0) { $0 + $1.success } / Double(samples.count)
  }

  /// Mean of d_i over samples that returned an image; nil when none did (attacks.md §1.3).
  public var meanL2PerPixel: Double? {
    let d = samples.compactMap(\.l2PerPixel)
    return d.isEmpty ? nil : d.reduce(0, +) / Double(d.count)
  }

  public var queries: Int { samples.reduce(0) { $0 + $1.queries } }

  /// The adversarial images, in sample order (nil where none was returned).
  public let adversarials: [Tensor?]
}

/// The evaluation protocol (attacks.md §1): seeded selection of correctly classified test
/// samples, the attack in batches, clipping to [0, 1], re-checked success and distances.
public enum AttackRunner {
  /// Up to `count` positions of `split` in seeded random order that `model` classifies correctly.
  public static func selectSamples(_ model: Network, split: Split, count: Int, seed: UInt64) -> [Int] {
    var order = RandomStream(seed: seed, stream: 0x5A4D)
    var noise = RandomStream(seed: seed, stream: 0x5A4E)
    let permutation = order.permutation(split.count)
    let predicted = model.predict(split.images, rng: &noise)
    var chosen: [Int] = []
    for i in permutation where predicted[i] == split.labels[i] {
      chosen.append(i)
      if chosen.count == count { break }
    }
    return chosen
  }

  /// Runs `attack` on `count` correctly classified samples of `split`. A stochastic target
  /// re-launches each returned image `launches` times under its inference policy and scores the
  /// fraction misclassified (attacks.md §1.2); a deterministic one is re-checked once.
  public static func run(_ attack: any Attack, params: Params, on model: Network, split: Split,
                         count: Int, seed: UInt64, launches: Int = 100, batch: Int = 100,
                         label: String = "attack") throws -> AttackResult {
    let start = Date()
    let chosen = selectSamples(model, split: split, count: count, seed: seed)
    var outcomes: [SampleOutcome] = []
    var adversarials: [Tensor?] = []
    let progress = Progress(label, total: chosen.count)
    defer { progress.finish() }
    var rng = RandomStream(seed: seed, stream: 0xA77A)
    var first = 0
    while first < chosen.count {
      let part = Array(chosen[first..<min(first + batch, chosen.count)])
      let (x, y) = split.batch(part)
      var adv = AdversarialBatch(model: model, images: x, labels: y, rng: rng.derived(UInt64(first)))
      let done = first, size = part.count
      adv.onProgress = { f in
        progress.update(done + Int(f * Double(size)), note: String(format: "(%.0f%% of samples %d-%d)", f * 100, done + 1, done + size))
      }
      try attack.run(&adv, rng: &rng)
      let returned = part.indices.filter { adv.best[$0] != nil }
      let images = returned.map { adv.best[$0]!.clamped(0, 1) }
      var noise = rng.derived(UInt64(1_000_000 + first))
      let success = try launchSuccess(model, images: images, labels: returned.map { y[$0] },
                                      launches: model.isStochastic ? launches : 1, rng: &noise)
      var k = 0
      for (row, i) in part.enumerated() {
        guard adv.best[row] != nil else {
          outcomes.append(SampleOutcome(index: split.sourceIndices[i], label: y[row], returned: false, success: 0,
                                        l2PerPixel: nil, mse: nil, queries: adv.queries[row], gradients: adv.gradientCalls[row]))
          adversarials.append(nil)
          continue
        }
        let image = images[k]
        let diff = image - x.slice(row..<(row + 1))
        let n = Double(image.count)
        let l2 = Double(diff.squaredNorm()).squareRoot()
        outcomes.append(SampleOutcome(index: split.sourceIndices[i], label: y[row], returned: true,
                                      success: success[k], l2PerPixel: l2 / n, mse: l2 * l2 / n,
                                      queries: adv.queries[row], gradients: adv.gradientCalls[row]))
        adversarials.append(image)
        k += 1
      }
      first += part.count
      progress.update(first)
    }
    return AttackResult(attack: type(of: attack).spec.name, params: params, samples: outcomes,
                        seconds: Date().timeIntervalSince(start), requestedSamples: count, adversarials: adversarials)
  }

  /// For each image, the fraction of `launches` independent queries (each under the model's
  /// inference policy) that misclassify it. All launches of a chunk of images, and all passes of
  /// each launch, run as one batch: images × launches × passes rows.
  public static func launchSuccess(_ model: Network, images: [Tensor], labels: [Int], launches: Int,
                                   rng: inout RandomStream, maxRows: Int = 2000) throws -> [Double] {
    guard !images.isEmpty else { return [] }
    if !model.isStochastic {
      // One decision per image, from the block-invariant path queries also use.
      let predicted = model.predict(Tensor.concatenate(images), rng: &rng)
      return predicted.indices.map { predicted[$0] != labels[$0] ? 1 : 0 }
    }
    let passes = model.isStochastic ? model.policy.passes : 1
    let perImage = launches * passes
    let chunk = max(1, maxRows / perImage)
    var out: [Double] = []
    var start = 0
    while start < images.count {
      try Interrupt.check()
      let end = min(start + chunk, images.count)
      // Row r of the tiled batch is launch r % launches of image start + r / launches.
      let rows = (start..<end).flatMap { i in Array(repeating: i - start, count: launches) }
      let tiled = Tensor.concatenate(Array(images[start..<end])).gather(rows: rows)
      let tape = Tape.inference()
      let predicted = model.logits(tape.constant(tiled), passes: passes, rng: &rng).value.argmaxRows()
      for i in start..<end {
        let base = (i - start) * launches
        let wrong = (0..<launches).filter { predicted[base + $0] != labels[i] }.count
        out.append(Double(wrong) / Double(launches))
      }
      start = end
    }
    return out
  }
}
