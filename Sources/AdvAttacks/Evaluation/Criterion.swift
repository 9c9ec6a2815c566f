/// Decides whether a model's answer makes an input adversarial (Foolbox's `Criterion`).
///
/// The evaluation driver owns the criterion: `AdversarialBatch` asks it which queries are
/// candidates, decision-based attacks ask it (through the batch) which side of the boundary a
/// candidate lies on, and the re-check and the launches score with it. A targeted criterion is
/// one more conforming type.
public protocol Criterion: Sendable {
  /// Whether an input of a sample whose true label is `label`, answered `predicted`, is adversarial.
  func isAdversarial(label: Int, predicted: Int) -> Bool
}

extension Criterion {
  /// Row by row: `labels[i]` against `predictions[i]`.
  public func isAdversarial(labels: [Int], predictions: [Int]) -> [Bool] {
    precondition(labels.count == predictions.count, "\(labels.count) labels for \(predictions.count) predictions")
    return zip(labels, predictions).map { isAdversarial(label: $0, predicted: $1) }
  }
}

/// Untargeted: any label but the true one (`argmax(logits) ≠ y`), Foolbox's `Misclassification`.
/// Every attack of the paper uses it (attacks.md §0).
public struct Misclassification: Criterion {
  public init() {}

  public func isAdversarial(label: Int, predicted: Int) -> Bool { predicted != label }
}
