import AdvNN
import AdvTensor

/// An adversarial attack: its declaration and the algorithm on a batch of samples.
///
/// An attack holds only its algorithm. The shared driver (`AttackRunner`) selects samples,
/// runs the attack in batches, clips to [0, 1], re-checks success, counts queries and fills
/// the record (Foolbox's `__call__` does the same).
public protocol Attack {
  /// Name, doc and parameters with the paper's defaults.
  static var spec: ComponentSpec { get }

  init(params: Params)

  /// Attacks `images` (`[N, C, H, W]` in [0, 1]) whose true labels are `labels`. Every query
  /// must go through `adversarial`, which keeps the best misclassified candidate per sample.
  func run(_ adversarial: inout AdversarialBatch, rng: inout RandomStream) throws
}

/// Why an attack could not run.
public enum AttackError: Error, CustomStringConvertible {
  case noSamples(model: String)
  case unknownAttack(String)

  public var description: String {
    switch self {
    case .noSamples(let m): return "model '\(m)' classifies no test image correctly, so there is nothing to attack"
    case .unknownAttack(let a): return "unknown attack '\(a)'"
    }
  }
}
