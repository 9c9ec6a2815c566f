import AdvData
import AdvNN
import AdvTensor
import Foundation

/// One target of a transfer: how often the kept adversarials fool it.
public struct TransferTargetResult: Sendable {
  /// s_i per kept adversarial: 0 or 1 on a deterministic target, the fooled fraction of the
  /// launches on a stochastic one (attacks.md §1.2).
  public let successes: [Double]
  /// The target's label of each kept adversarial: its answer on a deterministic target, the
  /// majority answer of the launches on a stochastic one.
  public let labels: [Int]
  /// Queries to the target: one per kept adversarial and launch.
  public let queries: Int

  /// The transfer rate: ASR of the kept adversarials on this target.
  public var asr: Double { successes.isEmpty ? 0 : successes.reduce(0, +) / Double(successes.count) }
}

/// The result of one `transfer` statement (attacks.md §6).
public struct TransferResult: Sendable {
  /// The samples attacked on the source, in the order attacked; `success` is the source's own
  /// score of the returned image (validity fraction on a stochastic source), `adversarialLabel`
  /// the source's answer in that check (the majority of its passes on a stochastic source).
  public let attacked: [SampleOutcome]
  /// Positions in `attacked` of the adversarials kept (valid on the source), at most `samples`.
  public let kept: [Int]
  /// The kept adversarials, in `kept` order.
  public let adversarials: [Tensor]
  public let targets: [TransferTargetResult]
  /// Eligible samples (correct under the source and every target) among those examined.
  public let eligible: Int
  /// Samples of the pool whose eligibility was examined (in seeded order, as far as needed; the
  /// whole pool when the adversarials ran out).
  public let examined: Int
  /// Fewer valid adversarials than asked for: the eligible samples ran out.
  public let exhausted: Bool
  public let seconds: Double

  /// The attack's ASR on the source over every sample attacked.
  public var sourceASR: Double {
    attacked.isEmpty ? 0 : attacked.reduce(0) { $0 + $1.success } / Double(attacked.count)
  }

  /// Mean L2 per pixel of the kept adversarials.
  public var meanL2PerPixel: Double? {
    let d = kept.compactMap { attacked[$0].l2PerPixel }
    return d.isEmpty ? nil : d.reduce(0, +) / Double(d.count)
  }

  /// Queries the attack made on the source.
  public var sourceQueries: Int { attacked.reduce(0) { $0 + $1.queries } }
}

/// Transfer attacks (attacks.md §6): adversarials crafted on a source, launched against targets.
///
///     for each eligible sample (correct under the source and every target), in seeded order:
///         a = attack(source, x, y)
///         valid = deterministic source: source misclassifies a
///                 stochastic source: more than `valid` of `passes` passes misclassify a
///         keep a if valid, until `samples` are kept
///     each target's transfer rate = ASR of the kept images (launches on a stochastic target)
///
/// Samples come from `pool` when given (a surrogate's evaluation pool: never the images it was
/// trained on), otherwise from the whole split.
public struct Transfer {
  public var samples: Int
  public var launches: Int
  public var valid: Double
  public var passes: Int
  public var validity: TransferSettings.Validity
  public var batch: Int

  public init(_ params: Params) {
    samples = params[TransferSettings.samples]
    launches = params[TransferSettings.launches]
    valid = params[TransferSettings.valid]
    passes = params[TransferSettings.passes]
    validity = params[TransferSettings.validity]
    batch = params[Evaluation.batch]
  }

  public func run(_ attack: any Attack, params: Params, source: any Model, targets: [any Model], split: Split,
                  pool: [Int]? = nil, seed: UInt64, label: String = "transfer") throws -> TransferResult {
    let start = Date()
    let positions = pool ?? Array(0..<split.count)
    var order = RandomStream(seed: seed, stream: 0x7A5F)
    let shuffled = order.permutation(positions.count).map { positions[$0] }
    // One answer of each model per candidate decides eligibility. Candidates are examined in
    // seeded order only as far as the attack needs them: a pool of 1,000 answered by a spiking
    // network and 10 passes of a binarised ResNet costs minutes, and 100 adversarials of a
    // deterministic source need about 100 eligible samples.
    var noise = RandomStream(seed: seed, stream: 0x7A60)
    var examined = 0, eligibleCount = 0
    var queue: [Int] = []
    func examine(atLeast wanted: Int) {
      while queue.count < wanted && examined < shuffled.count {
        let chunk = Array(shuffled[examined..<min(examined + max(2 * wanted, 16), shuffled.count)])
        let (images, labels) = split.batch(chunk)
        var correct = [Bool](repeating: true, count: chunk.count)
        for model in [source] + targets {
          for (i, ok) in model.classifiesCorrectly(images, labels: labels, rng: &noise).enumerated() where !ok { correct[i] = false }
        }
        let fresh = chunk.indices.filter { correct[$0] }.map { chunk[$0] }
        queue += fresh
        eligibleCount += fresh.count
        examined += chunk.count
      }
    }

    let evaluation = Evaluation(samples: samples, launches: launches, batch: batch)
    var attacked: [SampleOutcome] = []
    var kept: [Int] = []
    var adversarials: [Tensor] = []
    var rng = RandomStream(seed: seed, stream: 0x7A61)
    var checks = RandomStream(seed: seed, stream: 0x7A62)
    let progress = Progress(label, total: samples, unit: .count("valid adversarials"))
    defer { progress.finish() }
    var cursor = 0
    while kept.count < samples {
      // As many as are still missing (every one may be valid), at most a batch.
      let wanted = min(batch, samples - kept.count)
      examine(atLeast: wanted)
      guard !queue.isEmpty else { break }
      let part = Array(queue.prefix(wanted))
      queue.removeFirst(part.count)
      let done = try evaluation.attack(attack, on: source, positions: part, split: split, rng: &rng, offset: cursor,
                                       scoreLaunches: false)
      let returned = done.indices.filter { done[$0].image != nil }
      let scores = try validityScores(source, images: returned.compactMap { done[$0].image },
                                      labels: returned.map { done[$0].outcome.label }, rng: &checks)
      var score = [Double](repeating: 0, count: done.count)
      var answer = [Int?](repeating: nil, count: done.count)
      for (k, row) in returned.enumerated() { (score[row], answer[row]) = (scores[k].success, scores[k].label) }
      for (row, item) in done.enumerated() {
        let o = item.outcome
        attacked.append(SampleOutcome(index: o.index, label: o.label, returned: o.returned, success: score[row],
                                      l2PerPixel: o.l2PerPixel, queries: o.queries, gradients: o.gradients,
                                      adversarialLabel: answer[row]))
        let isValid = source.isStochastic ? score[row] > valid : score[row] == 1
        if let image = item.image, isValid, kept.count < samples {
          kept.append(attacked.count - 1)
          adversarials.append(image)
        }
      }
      cursor += part.count
      progress.update(kept.count, note: "\(attacked.count) attacked")
    }
    var results: [TransferTargetResult] = []
    var launchNoise = RandomStream(seed: seed, stream: 0x7A63)
    let keptLabels = kept.map { attacked[$0].label }
    for target in targets {
      let n = target.isStochastic ? launches : 1
      let s = try evaluation.launchScores(target, images: adversarials, labels: keptLabels, launches: n, rng: &launchNoise)
      results.append(TransferTargetResult(successes: s.map(\.success), labels: s.map(\.label), queries: adversarials.count * n))
    }
    return TransferResult(attacked: attacked, kept: kept, adversarials: adversarials, targets: results,
                          eligible: eligibleCount, examined: examined, exhausted: kept.count < samples,
                          seconds: Date().timeIntervalSince(start))
  }

  /// Each image's score on the source: 1 or 0 on a deterministic one; on a stochastic one the
  /// fraction of `passes` passes it fools, a pass being one forward pass (`single`, the reading
  /// of App. G2) or one answer under the source's policy (`policy`).
  func validityScores(_ source: any Model, images: [Tensor], labels: [Int], rng: inout RandomStream) throws -> [LaunchScore] {
    let evaluation = Evaluation(samples: images.count, launches: passes, batch: batch)
    guard source.isStochastic else {
      return try evaluation.launchScores(source, images: images, labels: labels, launches: 1, rng: &rng)
    }
    switch validity {
    case .policy:
      return try evaluation.launchScores(source, images: images, labels: labels, launches: passes, rng: &rng)
    case .single:
      return try evaluation.launchScores(source, images: images, labels: labels, launches: passes, passesPerLaunch: 1, rng: &rng)
    }
  }
}
