import AdvTensor

/// Training hyper-parameters shared by every architecture trained by backpropagation.
/// Each architecture lists them with its own paper defaults.
public func trainingParams(epochs: Int, batch: Int, optimizer: TrainingConfig.OptimizerName, lr: Double,
                           momentum: Double = 0.9, weightDecay: Double = 0,
                           lrStep: Int = 0, gamma: Double = 0.1, normalize: Bool = true,
                           augment: Bool = false) -> [ParamSpec] {
  typealias K = TrainingConfig
  return [
    K.epochs.withDefault(epochs).spec, K.batch.withDefault(batch).spec, K.optimizer.withDefault(optimizer).spec,
    K.lr.withDefault(lr).spec, K.momentum.withDefault(momentum).spec, K.weightDecay.withDefault(weightDecay).spec,
    K.lrStep.withDefault(lrStep).spec, K.gamma.withDefault(gamma).spec, K.normalize.withDefault(normalize).spec,
    K.augment.withDefault(augment).spec, K.shift.spec, K.flip.spec, K.rotate.spec,
  ]
}

/// Defaults that hold on both colour data sets (CIFAR-10 and PCam): per-channel normalisation
/// computed on the training split (stochastic-nets.md §1), each one's augmentation reading
/// (Augmentation.swift), plus the given training settings.
func colourDefaults(_ values: [String: ParamValue], pcam: [String: ParamValue] = [:]) -> [String: [String: ParamValue]] {
  var cifar = values
  cifar["normalize"] = .bool(true)
  cifar["shift"] = .int(4)
  cifar["flip"] = .string("h")
  var p = cifar
  p["shift"] = .int(0)
  p["flip"] = .string("hv")
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
