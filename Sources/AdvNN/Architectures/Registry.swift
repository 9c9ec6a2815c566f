import AdvTensor

/// Training hyper-parameters shared by every architecture trained by backpropagation.
/// Each architecture lists them with its own paper defaults.
public func trainingParams(epochs: Int, batch: Int, optimizer: String, lr: Double,
                           momentum: Double = 0.9, weightDecay: Double = 0,
                           lrStep: Int = 0, gamma: Double = 0.1, normalize: Bool = true) -> [ParamSpec] {
  [
    .int("epochs", default: epochs, range: 0...10_000, doc: "training epochs"),
    .int("batch", default: batch, range: 1...65_536, doc: "mini-batch size"),
    .choice("optimizer", default: optimizer, options: ["adam", "sgd"], doc: "optimiser"),
    .real("lr", default: lr, range: 0...10, doc: "learning rate"),
    .real("momentum", default: momentum, range: 0...0.999, doc: "SGD momentum (SGD only)"),
    .real("weight_decay", default: weightDecay, range: 0...1, doc: "L2 weight decay"),
    .int("lr_step", default: lrStep, range: 0...10_000, doc: "multiply lr by gamma every lr_step epochs (0: never)"),
    .real("gamma", default: gamma, range: 0...1, doc: "step schedule factor"),
    .bool("normalize", default: normalize, doc: "per-channel mean/std of the training split, applied inside the model"),
  ]
}

/// Defaults that hold on both colour data sets (CIFAR-10 and PCam): per-channel normalisation
/// computed on the training split (stochastic-nets.md §1) plus the given training settings.
func colourDefaults(_ values: [String: ParamValue], pcam: [String: ParamValue] = [:]) -> [String: [String: ParamValue]] {
  var cifar = values
  cifar["normalize"] = .bool(true)
  var p = cifar
  for (k, v) in pcam { p[k] = v }
  return ["cifar10": cifar, "pcam": p]
}

/// Every architecture the language can name, in the order `:help` lists them.
public enum Architectures {
  public static let all: [any Architecture.Type] = [LeNet.self, MLP.self, ResNet18.self, BSN2.self, BSN4.self, BSNL.self, BNND.self, BNNS.self, MCSEFRON.self, SNNM.self]

  public static var specs: [ComponentSpec] { all.map { $0.spec } }

  public static func named(_ spelling: String) -> (any Architecture.Type)? {
    all.first { $0.spec.matches(spelling) }
  }
}
