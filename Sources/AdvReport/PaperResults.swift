/// The paper's own numbers (Tan, Elovici, Binder, "Exploring the Back Alleys", arXiv 1912.03609),
/// shown beside ours in reports. Keys are our architecture and data-set names.
public enum PaperResults {
  /// Table I: clean test accuracy (stochastic models under average(10)), full official test sets.
  public static let cleanAccuracy: [String: [String: Double]] = [
    "resnet18": ["mnist": 0.988, "cifar10": 0.842, "pcam": 0.789],
    "mcsefron": ["mnist": 0.861, "cifar10": 0.372, "pcam": 0.671],
    "snn-m": ["mnist": 0.964, "cifar10": 0.391],
    "bsn-2": ["mnist": 0.962, "cifar10": 0.488, "pcam": 0.730],
    "bsn-4": ["mnist": 0.972, "cifar10": 0.542, "pcam": 0.733],
    "bsn-l": ["mnist": 0.990, "cifar10": 0.642, "pcam": 0.788],
    "bnn-d": ["mnist": 0.989, "cifar10": 0.876, "pcam": 0.798],
    "bnn-s": ["mnist": 0.967, "cifar10": 0.647, "pcam": 0.780],
  ]
}
