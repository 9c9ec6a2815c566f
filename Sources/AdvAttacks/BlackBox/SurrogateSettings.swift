import AdvNN
import AdvTensor

/// The settings of `model NAME = surrogate ARCH of ORACLE` (attacks.md §7–§8): Papernot et al.'s
/// substitute training with Jacobian-based data-set augmentation, and Variance Mimicking.
public enum SurrogateSettings {
  /// How Variance Mimicking trains on the noisy copies of a mini-batch (attacks.md §8).
  public enum VMMode: String, ParamChoice {
    /// One training step per copy, as the paper's Algorithm 1 writes it [reading].
    case steps
    /// The clean batch and its copies in one step (the paper's "expanded mini-batch").
    case expanded
  }

  public static let seedSplit = ParamKey.real(
    "seed_split", default: 0.2, range: 0.001...0.999,
    doc: "fraction of the test split the attacker starts from; the rest is the evaluation pool [paper: 0.2]")
  public static let rounds = ParamKey.int(
    "rounds", default: 5, range: 1...20, doc: "substitute training rounds ρ_max, the data set doubling between rounds [paper: 5]")
  public static let lambda = ParamKey.real(
    "lambda", default: 0.1, range: 0...1, doc: "Jacobian augmentation step λ in pixel units [paper: 0.1]")
  public static let tau = ParamKey.int(
    "tau", default: 2, range: 1...100, doc: "λ changes sign every τ rounds, λ_ρ = λ·(−1)^⌊ρ/τ⌋ [paper: 2]")
  public static let vm = ParamKey.int(
    "vm", default: 0, range: 0...1000, doc: "Variance Mimicking: noisy copies per mini-batch, each labelled by the oracle (0: off) [paper: 10]")
  public static let vmMode = ParamKey<VMMode>.choice(
    "vm_mode", default: .steps, doc: "steps: one training step per noisy copy [paper, Algorithm 1]; expanded: one step on the batch and its copies")
  public static let vmClip = ParamKey.bool(
    "vm_clip", default: true, doc: "clip noisy copies to [0, 1] before the oracle labels them [reading]")
  public static let vmRelabel = ParamKey.bool(
    "vm_relabel", default: true,
    doc: "query the oracle again on the clean batch every epoch [paper, Algorithm 1]; false reuses the round's labels")

  // Training of each round: the paper's epochs and rate (App. G1); every other training
  // parameter is the architecture's own (resnet18 on MNIST: SGD with momentum 0.9, batch 128,
  // Table V; bsn-l: Adam, batch 128, Table VII).
  public static let epochs = TrainingConfig.epochs.withDefault(10).documented(
    "training epochs of each round, from scratch [paper: 10 for a resnet18 surrogate, 20 for bsn-l]")
  public static let lr = TrainingConfig.lr.withDefault(0.01).documented("learning rate [paper: 0.01]")
  public static let augment = TrainingConfig.augment.withDefault(false).documented(
    "augment each round's training points with 'shift', 'flip' and 'rotate' [paper: no augmentation for surrogates]")

  public static let spec = ComponentSpec(
    kind: .procedure, name: "surrogate",
    doc: "a substitute of ARCH trained from ORACLE's hard labels with Jacobian-based augmentation (Papernot et al.), optionally with Variance Mimicking; ARCH's other parameters, training ones included, keep ARCH's defaults",
    params: [seedSplit.spec, rounds.spec, lambda.spec, tau.spec, vm.spec, vmMode.spec, vmClip.spec, vmRelabel.spec,
             epochs.spec, lr.spec, augment.spec])
}
