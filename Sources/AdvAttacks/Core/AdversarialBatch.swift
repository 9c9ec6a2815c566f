import AdvNN
import AdvTensor

/// Foolbox's `Adversarial` bookkeeping for a batch of samples (attacks.md §0.1), and the only
/// way an attack reaches the model.
///
/// On creation the model is queried once on the clean images; a sample already adversarial is
/// not attacked (its adversarial is the clean image, distance 0). Every later query whose answer
/// the criterion calls adversarial is a candidate; the candidate closest by `MeanSquaredError` is
/// kept. Queries and gradient calls are counted per sample.
public struct AdversarialBatch {
  /// Private so that every query is counted: attacks ask the batch, never the model.
  private let model: any Model
  /// Which answers are adversarial (the driver's criterion).
  public let criterion: any Criterion
  /// How candidates are compared: Foolbox 1.8's `Adversarial` keeps the smallest MSE.
  let candidateDistance = MeanSquaredError()
  public let originals: Tensor
  public let labels: [Int]
  public private(set) var best: [Tensor?]
  /// `candidateDistance` of each kept candidate (infinity while there is none).
  public private(set) var bestDistance: [Double]
  public private(set) var queries: [Int]
  public private(set) var gradientCalls: [Int]
  /// Samples the attack still works on (not yet adversarial, or `returnEarly` not set).
  public var active: [Bool]
  /// Whether a gradient pass may also answer a query (only when the model is deterministic, so
  /// a separate query pass would see the same logits). Attacks read it; tests switch it off.
  public var shareQueryPasses: Bool
  var rng: RandomStream
  /// Called by long attacks with the fraction of their work done on this batch (progress display).
  public var onProgress: ((Double) -> Void)?

  /// Reports that `fraction` of the attack's work on this batch is done.
  public func progress(_ fraction: Double) { onProgress?(fraction) }

  public var count: Int { labels.count }

  /// True when the model's answers are draws (a stochastic model under its policy): one
  /// adversarial answer is then no proof, and a gradient pass cannot stand in for a query.
  public var isStochastic: Bool { model.isStochastic }

  /// Rows a deterministic model decides labels in (`Model.predict`); attacks that batch
  /// candidates fill a block instead of leaving its padding unused.
  public var decisionBlock: Int { type(of: model).decisionBlock }

  public init(model: any Model, images: Tensor, labels: [Int], rng: RandomStream,
              criterion: any Criterion = Misclassification()) {
    self.model = model
    self.criterion = criterion
    originals = images
    self.labels = labels
    best = Array(repeating: nil, count: labels.count)
    bestDistance = Array(repeating: .infinity, count: labels.count)
    queries = Array(repeating: 0, count: labels.count)
    gradientCalls = Array(repeating: 0, count: labels.count)
    active = Array(repeating: true, count: labels.count)
    shareQueryPasses = !model.isStochastic
    self.rng = rng
    let initial = query(images, samples: Array(0..<labels.count))
    for (i, adversarial) in initial.enumerated() where adversarial { active[i] = false }
  }

  /// Forgets what the first query on the clean images found and makes every sample active again:
  /// on a stochastic target that answer is one draw, no evidence that the clean image is
  /// adversarial, and its distance 0 would beat every real candidate (Foolbox 3 attacks every
  /// sample). Queries already made stay counted.
  public mutating func forgetCleanAnswers() {
    for i in 0..<count {
      best[i] = nil
      bestDistance[i] = .infinity
      active[i] = true
    }
  }

  /// Whether the answer `predicted` makes a candidate of sample `i` adversarial: for
  /// decision-based attacks, which decide from `lookahead` labels which side they are on.
  public func isAdversarial(_ predicted: Int, sample i: Int) -> Bool {
    criterion.isAdversarial(label: labels[i], predicted: predicted)
  }

  /// The original images of `samples`, stacked.
  public func originals(_ samples: [Int]) -> Tensor { originals.gather(rows: samples) }

  /// Predicts `x` (one row per entry of `samples`), registers adversarial rows as candidates,
  /// and returns which rows were adversarial.
  @discardableResult
  public mutating func query(_ x: Tensor, samples: [Int]) -> [Bool] {
    register(x, predicted: model.predict(x, rng: &rng), samples: samples)
  }

  /// Labels of `x` with no bookkeeping. For attacks that evaluate several candidates of a
  /// sequential algorithm in one batch: they then `account` for exactly the rows the sequential
  /// algorithm would have queried, so counts and candidates do not depend on the batching.
  public mutating func lookahead(_ x: Tensor) -> [Int] {
    model.predict(x, rng: &rng)
  }

  /// Counts rows `rows` of `x` (predicted `predicted[row]`) as queries of `samples` (one per
  /// entry), registering the adversarial ones as candidates. Returns which were adversarial.
  @discardableResult
  public mutating func account(_ x: Tensor, rows: [Int], predicted: [Int], samples: [Int]) -> [Bool] {
    register(x, predicted: predicted, samples: samples, rows: rows)
  }

  mutating func register(_ x: Tensor, predicted: [Int], samples: [Int], rows: [Int]? = nil) -> [Bool] {
    var adversarial = [Bool](repeating: false, count: samples.count)
    for (k, i) in samples.enumerated() {
      let row = rows?[k] ?? k
      queries[i] += 1
      guard isAdversarial(predicted[row], sample: i) else { continue }
      adversarial[k] = true
      let candidate = x.slice(row..<(row + 1))
      let distance = candidateDistance(candidate, originals, row: i)
      if distance < bestDistance[i] {
        bestDistance[i] = distance
        best[i] = candidate
      }
    }
    return adversarial
  }

  /// Makes rows of `x` the images returned for `samples` (one row each), whatever the queries
  /// found: for attacks that return their final iterate (Foolbox 3's fixed-budget attacks) rather
  /// than the closest adversarial query. Success is then decided by the re-check or launches.
  public mutating func returnImages(_ x: Tensor, samples: [Int]) {
    for (row, i) in samples.enumerated() {
      let image = x.slice(row..<(row + 1))
      bestDistance[i] = candidateDistance(image, originals, row: i)
      best[i] = image
    }
  }

  /// Gradient of the summed cross-entropy of `x` (rows = `samples`) against their true labels,
  /// with respect to `x`. Counts one gradient call per row.
  public mutating func lossGradient(_ x: Tensor, samples: [Int]) -> Tensor {
    for i in samples { gradientCalls[i] += 1 }
    let y = samples.map { labels[$0] }
    return model.inputGradient(x, rng: &rng) { (crossEntropy($0, labels: y, reduction: .sum), nil) }.gradient
  }

  /// One forward pass serving both a query and a gradient: registers `x` as queried (as
  /// `query` does) and returns the loss gradient with the adversarial rows. Only for
  /// deterministic models, where a separate query would see the same logits.
  /// With `stopAdversarial`, adversarial rows end here and their gradient is not counted as used.
  public mutating func gradientAndQuery(_ x: Tensor, samples: [Int], stopAdversarial: Bool)
    -> (gradient: Tensor, adversarial: [Bool]) {
    precondition(shareQueryPasses, "a stochastic model needs independent query and gradient passes")
    let y = samples.map { labels[$0] }
    let (logits, gradient) = model.inputGradient(x, rng: &rng) { (crossEntropy($0, labels: y, reduction: .sum), nil) }
    let adversarial = register(x, predicted: logits.argmaxRows(), samples: samples)
    for (row, i) in samples.enumerated() where !(stopAdversarial && adversarial[row]) { gradientCalls[i] += 1 }
    return (gradient, adversarial)
  }

  /// One query of `x` and the gradient of `Σ seed ⊙ logits` with respect to `x`, where the
  /// seed is computed from the logits by `seed` (rows of zeros need no gradient). On a
  /// deterministic model the gradient pass answers the query. On a stochastic one the query is
  /// its own pass, as Foolbox 1.8 makes it, unless `gradientPassAnswers`: the gradient pass's
  /// logits are themselves one answer under the inference policy (average(10): the mean of 10
  /// fresh passes), so they serve as the query, as in Foolbox 3, and a third of the work goes.
  /// Returns the logits (of the gradient pass), gradient and which rows the query found
  /// adversarial.
  public mutating func logitGradient(_ x: Tensor, samples: [Int], gradientPassAnswers: Bool = false,
                                     seed: (Tensor) -> Tensor) -> (logits: Tensor, gradient: Tensor, adversarial: [Bool]) {
    let separate = shareQueryPasses || gradientPassAnswers ? nil : query(x, samples: samples)
    for i in samples { gradientCalls[i] += 1 }
    let (logits, gradient) = model.inputGradient(x, rng: &rng) { ($0, seed($0.value)) }
    let adversarial = separate ?? register(x, predicted: logits.argmaxRows(), samples: samples)
    return (logits, gradient, adversarial)
  }

  /// The gradient of `Σ seed ⊙ logits` for images that are not queries of the attacked samples
  /// (transformed copies, say): nothing is registered as a candidate. Counts one gradient call
  /// per row for the sample in `samples` it belongs to. Rows go through the model in chunks of
  /// at most `Self.tapeImages` forward passes (a tape of a binarised ResNet holds tens of MB per
  /// image and pass), so `seed` gets each chunk's logits with the rows they belong to.
  public mutating func auxiliaryLogitGradient(_ x: Tensor, samples: [Int], seed: (Tensor, Range<Int>) -> Tensor)
    -> Tensor {
    for i in samples { gradientCalls[i] += 1 }
    let n = x.shape[0]
    let chunk = max(1, Self.tapeImages / max(model.forwardPassesPerAnswer, 1))
    var gradient = Tensor(uninitialized: x.shape)
    var start = 0
    while start < n {
      let rows = start..<min(start + chunk, n)
      let g = model.inputGradient(x.slice(rows), rng: &rng) { ($0, seed($0.value, rows)) }.gradient
      let d = g.count / rows.count
      g.withUnsafeBufferPointer { src in
        gradient.withUnsafeMutableBufferPointer { dst in
          dst.baseAddress!.advanced(by: rows.lowerBound * d).update(from: src.baseAddress!, count: src.count)
        }
      }
      start = rows.upperBound
    }
    return gradient
  }

  /// Forward passes one gradient tape of `auxiliaryLogitGradient` holds at most.
  public static let tapeImages = 64
}
