import AdvNN
import AdvTensor

/// An adversarial attack: its declaration and the algorithm on a batch of samples.
///
/// An attack holds only its algorithm. The evaluation driver (`Evaluation`) selects samples,
/// runs the attack in batches, clips to [0, 1], re-checks success with its criterion, counts
/// queries and fills the record (Foolbox's `__call__` does the same); its settings `samples`,
/// `launches` and `batch` join every attack's declaration in `Attacks.specs`.
public protocol Attack {
  /// Name, doc and the attack's own parameters with the paper's defaults.
  static var spec: ComponentSpec { get }

  /// How many samples the paper attacked with it: the default of the driver's `samples`
  /// (attacks.md §1.1).
  static var defaultSamples: Int { get }

  init(params: Params)

  /// Attacks the images of `adversarial` (`[N, C, H, W]` in [0, 1]) with their true labels.
  /// Every query goes through `adversarial`, which keeps the best adversarial candidate per
  /// sample and counts queries; the model itself is not reachable from here.
  func run(_ adversarial: inout AdversarialBatch, rng: inout RandomStream) throws
}
