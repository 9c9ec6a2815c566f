import AdvData
import AdvNN
import AdvTensor
import Foundation

/// The evaluation driver (attacks.md §1; Foolbox's final `__call__`): seeded selection of
/// correctly classified test samples, the attack in batches, clipping to [0, 1], the re-check
/// (or the launches on a stochastic target) with the criterion, and the distances of the record.
///
/// It owns the settings every attack shares, `samples`, `launches` and `batch`
/// (`Evaluation+Settings.swift`), the criterion and the distance; attacks hold only their
/// algorithm and see the model only through `AdversarialBatch`, which counts the queries.
public struct Evaluation: Sendable {
  /// Correctly classified test samples to attack.
  public var samples: Int
  /// Re-launches of each returned image on a stochastic target.
  public var launches: Int
  /// Samples attacked together.
  public var batch: Int
  /// Which answers are adversarial; the paper's attacks are untargeted.
  public var criterion: any Criterion = Misclassification()
  /// The distance each sample's record reports.
  public var distance: any Distance = L2PerPixel()

  /// Settings given in Swift; `launches` and `batch` default to their declarations.
  public init(samples: Int, launches: Int = Params()[Evaluation.launches], batch: Int = Params()[Evaluation.batch]) {
    self.samples = samples
    self.launches = launches
    self.batch = batch
  }

  /// The settings of `params`, resolved against `attack`'s declaration (its paper default of
  /// `samples` where none is given).
  public init(_ params: Params, for attack: any Attack.Type) {
    self.init(samples: params[Evaluation.samples(for: attack)], launches: params[Evaluation.launches],
              batch: params[Evaluation.batch])
  }

  /// Up to `samples` positions of `split` in seeded random order that `model` classifies
  /// correctly. Correct means the true label, whatever the criterion: the paper attacks only
  /// samples its models get right (attacks.md §1.1).
  public func selectSamples(_ model: any Model, split: Split, seed: UInt64) -> [Int] {
    var order = RandomStream(seed: seed, stream: 0x5A4D)
    var noise = RandomStream(seed: seed, stream: 0x5A4E)
    let permutation = order.permutation(split.count)
    let correct = model.classifiesCorrectly(split.images, labels: split.labels, rng: &noise)
    var chosen: [Int] = []
    for i in permutation where correct[i] {
      chosen.append(i)
      if chosen.count == samples { break }
    }
    return chosen
  }

  /// Runs `attack` (built from `params`) on `samples` correctly classified samples of `split`.
  /// A stochastic target re-launches each returned image `launches` times under its inference
  /// policy and scores the fraction adversarial (attacks.md §1.2); a deterministic one is
  /// re-checked once.
  public func run(_ attack: any Attack, params: Params, on model: any Model, split: Split, seed: UInt64,
                  label: String = "attack") throws -> AttackResult {
    let start = Date()
    let chosen = selectSamples(model, split: split, seed: seed)
    let progress = Progress(label, total: chosen.count, unit: .count("samples"))
    defer { progress.finish() }
    var rng = RandomStream(seed: seed, stream: 0xA77A)
    let done = try self.attack(attack, on: model, positions: chosen, split: split, rng: &rng) { progress.update($0, note: $1) }
    return AttackResult(attack: type(of: attack).spec.name, params: Evaluation.recorded(params, of: type(of: attack)),
                        samples: done.map(\.outcome), seconds: Date().timeIntervalSince(start), requestedSamples: samples,
                        adversarials: done.map(\.image))
  }

  /// Attacks the samples at `positions` of `split`, `batch` at a time, and scores each returned
  /// image (launches on a stochastic model, one re-check otherwise; `scoreLaunches: false` leaves
  /// the scoring to the caller, success 0 and no adversarial label). Batch k draws from streams derived from `rng` and its
  /// first position's offset, `offset` plus its place in `positions`, so a caller attacking in
  /// several calls gives each call its own streams.
  public func attack(_ attack: any Attack, on model: any Model, positions: [Int], split: Split,
                     rng: inout RandomStream, offset: Int = 0, scoreLaunches: Bool = true,
                     progress: @escaping (Int, String) -> Void = { _, _ in }) throws -> [(outcome: SampleOutcome, image: Tensor?)] {
    var out: [(outcome: SampleOutcome, image: Tensor?)] = []
    var first = 0
    var successes = 0.0
    // `ASR so far 0.62`: the mean success over the samples scored so far (none before the first batch ends).
    func asr() -> String {
      first == 0 || !scoreLaunches ? "" : String(format: "ASR so far %.2f", successes / Double(first))
    }
    while first < positions.count {
      let part = Array(positions[first..<min(first + batch, positions.count)])
      let (x, y) = split.batch(part)
      let stream = UInt64(offset + first)
      var adv = AdversarialBatch(model: model, images: x, labels: y, rng: rng.derived(stream), criterion: criterion)
      let done = first, size = part.count, soFar = asr()
      adv.onProgress = { f in
        let batch = String(format: "samples %d-%d at %.0f%%", done + 1, done + size, f * 100)
        progress(done + Int(f * Double(size)), soFar.isEmpty ? batch : soFar + ", " + batch)
      }
      try attack.run(&adv, rng: &rng)
      // The attack keeps its images within [0, 1]; clipping here makes that a guarantee.
      let images = adv.best.map { $0?.clamped(0, 1) }
      let returned = part.indices.filter { images[$0] != nil }
      var noise = rng.derived(1_000_000 + stream)
      let scores: [LaunchScore?] = scoreLaunches
        ? try launchScores(model, images: returned.compactMap { images[$0] }, labels: returned.map { y[$0] },
                           launches: model.isStochastic ? launches : 1, rng: &noise)
        : [LaunchScore?](repeating: nil, count: returned.count)
      var k = 0
      for (row, i) in part.enumerated() {
        let index = split.sourceIndices[i], queries = adv.queries[row], gradients = adv.gradientCalls[row]
        guard let image = images[row] else {
          out.append((SampleOutcome(index: index, label: y[row], returned: false, success: 0,
                                    l2PerPixel: nil, queries: queries, gradients: gradients, adversarialLabel: nil), nil))
          continue
        }
        out.append((SampleOutcome(index: index, label: y[row], returned: true, success: scores[k]?.success ?? 0,
                                  l2PerPixel: distance(image, x, row: row), queries: queries, gradients: gradients,
                                  adversarialLabel: scores[k]?.label), image))
        successes += scores[k]?.success ?? 0
        k += 1
      }
      first += part.count
      progress(first, asr())
    }
    return out
  }

  /// Elements one intermediate value of a launch batch may hold (128 MB).
  public static let floatsPerCall = 1 << 25

  /// For each image, the fraction of `launches` independent queries (each under the model's
  /// inference policy) whose answer is adversarial; see `launchScores`.
  public func launchSuccess(_ model: any Model, images: [Tensor], labels: [Int], launches: Int,
                            passesPerLaunch: Int? = nil, rng: inout RandomStream, maxRows: Int = 2000) throws -> [Double] {
    try launchScores(model, images: images, labels: labels, launches: launches, passesPerLaunch: passesPerLaunch,
                     rng: &rng, maxRows: maxRows).map(\.success)
  }

  /// For each image, the fraction of `launches` independent queries (each under the model's
  /// inference policy) whose answer is adversarial, and the answer most of them gave (ties go to
  /// the smallest class index; a deterministic model's one answer). The launches of as many whole
  /// images as fit in one call (or, for a wide network, of part of one image), all passes of each
  /// launch, run as one batch of launches × passes rows. The labels come from the same answers
  /// as the successes: no query is added, and the random draws are those `launchSuccess` made
  /// before labels were kept.
  public func launchScores(_ model: any Model, images: [Tensor], labels: [Int], launches: Int,
                           passesPerLaunch: Int? = nil, rng: inout RandomStream, maxRows: Int = 2000) throws -> [LaunchScore] {
    guard !images.isEmpty else { return [] }
    if !model.isStochastic {
      // One decision per image, from the block-invariant path queries also use.
      let predicted = model.predict(Tensor.concatenate(images), rng: &rng)
      return zip(criterion.isAdversarial(labels: labels, predictions: predicted), predicted).map {
        LaunchScore(success: $0 ? 1 : 0, label: $1)
      }
    }
    let passes = passesPerLaunch ?? model.passes
    // Forward rows per launch: a mixture's members each answer every row.
    let perLaunch = passesPerLaunch ?? model.forwardPassesPerAnswer
    // Rows per call: at most `maxRows`, and few enough that one intermediate value stays within
    // `Self.floatsPerCall` (a binarised ResNet's widest layer is 80 floats per input pixel), so
    // one image's launches may be split over calls. Every launch is independent.
    let widest = model.widestValuePerImage(shape: Array(images[0].shape.dropFirst()))
    let rowsPerCall = max(1, min(maxRows, Self.floatsPerCall / widest))
    let perImage = launches * perLaunch
    let launchesPerCall = perImage <= rowsPerCall ? rowsPerCall / perImage * launches : max(1, rowsPerCall / max(perLaunch, 1))
    var hits = [Int](repeating: 0, count: images.count)
    // votes[image][class]: how many launches of the image gave that answer.
    var votes = [[Int]](repeating: [], count: images.count)
    let total = images.count * launches
    var start = 0
    while start < total {
      try Interrupt.check()
      let end = min(start + launchesPerCall, total)
      // Launch k (in start..<end) is launch k % launches of image k / launches.
      let first = start / launches, last = (end - 1) / launches
      let rows = (start..<end).map { $0 / launches - first }
      let tiled = Tensor.concatenate(Array(images[first...last])).gather(rows: rows)
      let tape = Tape.inference()
      let logits = model.logits(tape.constant(tiled), passes: passes, rng: &rng).value
      let predicted = logits.argmaxRows()
      for (k, answer) in zip(start..<end, predicted) {
        let image = k / launches
        if votes[image].isEmpty { votes[image] = [Int](repeating: 0, count: logits.shape[1]) }
        votes[image][answer] += 1
        if criterion.isAdversarial(label: labels[image], predicted: answer) { hits[image] += 1 }
      }
      start = end
    }
    return zip(hits, votes).map { hit, count in
      // The first largest count: ties go to the smallest class index.
      var majority = 0
      for c in count.indices where count[c] > count[majority] { majority = c }
      return LaunchScore(success: Double(hit) / Double(launches), label: majority)
    }
  }
}

/// What the launches of one image gave (attacks.md §1.2).
public struct LaunchScore: Sendable, Equatable {
  /// s_i: the fraction of the launches whose answer is adversarial (0 or 1 on a deterministic model).
  public let success: Double
  /// The answer most launches gave, ties to the smallest class index; on a deterministic model its
  /// one answer.
  public let label: Int

  public init(success: Double, label: Int) {
    self.success = success
    self.label = label
  }
}
