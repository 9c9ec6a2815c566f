import AdvData
import AdvTensor
import Foundation

/// MC-SEFRON (Jeyasothy et al. 2019), the paper's single-layer spiking classifier, trained by its
/// own spike-time-error rule (snn.md §2), not by backpropagation.
///
/// Parameters: `weights` `[C, P, 301]` (one weight function per synapse and class, P = d·RF) and
/// `thresholds` `[C]`. The forward pass used by attacks returns the simulated logits of
/// snn.md §2.9 (negated interpolated first-spike times); their arg max is the reference decision
/// whenever some class fires. Where no class fires the reference makes no decision; the arg max
/// then names the class that came closest to firing.
public enum MCSEFRON: Architecture {
  static let rf = ParamKey.int("rf", default: 5, range: 3...32, doc: "Gaussian receptive fields per input value [paper: 5 MNIST, 3 CIFAR-10; 6 PCam: reference default]")
  static let lr = ParamKey.real("lr", default: 0.1, range: 0...100, doc: "learning rate λ [paper: 0.1 MNIST, 0.5 CIFAR-10 and PCam]")
  static let epochs = ParamKey.int("epochs", default: 100, range: 0...10_000, doc: "passes over the training set, in data-set order [reference default]")
  static let margin = ParamKey.int("margin", default: 5, range: 0...399, doc: "required gap T_m (time steps) between correct and wrong classes [reference]")
  static let samples = ParamKey.int("samples", default: 0, range: 0...10_000_000, doc: "train on the first n training images (0: all) [paper: 10000 CIFAR-10, 30000 PCam]")
  static let grad = ParamKey.choice("grad", default: "full", options: ["full", "paper"], doc: "attack gradient: 'paper' = straight-through spike times only, 'full' adds the weight-function slope")

  public static let spec = ComponentSpec(
    kind: .architecture, name: "mcsefron", aliases: ["mc-sefron", "sefron"],
    doc: "MC-SEFRON spiking classifier: Gaussian receptive-field spike coding, time-varying weights, spike-time-error rule, earliest spike decides",
    params: [
      rf.spec,
      lr.spec,
      epochs.spec,
      margin.spec,
      samples.spec,
      grad.spec,
    ],
    datasetDefaults: [
      "cifar10": ["rf": .int(3), "lr": .real(0.5), "samples": .int(10_000)],
      "pcam": ["rf": .int(6), "lr": .real(0.5), "samples": .int(30_000)],
    ])

  static func engine(_ net: Network) -> MCSEFRONEngine {
    MCSEFRONEngine(features: net.inputShape.reduce(1, *), fields: net.params[MCSEFRON.rf], classes: net.classes,
                   margin: net.params[MCSEFRON.margin])
  }

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
      throw ArchitectureError.unsupportedInput(architecture: spec.name, inputShape: inputShape, expected: "CxHxW images")
    }
    let engine = MCSEFRONEngine(features: inputShape.reduce(1, *), fields: params[MCSEFRON.rf], classes: classes,
                                margin: params[MCSEFRON.margin])
    let slope = params[MCSEFRON.grad] == "full"
    let parameters: [(String, Tensor)] = [
      ("weights", Tensor(zeros: [classes, engine.presynaptic, MCSEFRONEngine.grid])),
      ("thresholds", Tensor(zeros: [classes])),
    ]
    return Network(architecture: spec.name, params: params, inputShape: inputShape, classes: classes,
                   parameters: parameters) { x, p, _, _ in
      let wantsGradient = x.tape.keepsValues
      let (value, jacobian) = engine.logits(x.value, weights: p["weights"].value, thresholds: p["thresholds"].value,
                                            jacobian: wantsGradient, weightSlope: slope)
      guard let jacobian else { return x.tape.constant(value) }
      return withJacobian(x, value: value, jacobian: jacobian)
    }
  }

  /// The reference decision of `net` for `images`: the earliest class, ties by interpolated
  /// crossing; −1 where no class fires.
  public static func decide(_ net: Network, _ images: Tensor) -> [Int] {
    let e = engine(net)
    return e.decide(spikes: e.encode(images), count: images.shape[0], weights: net.values[0], thresholds: net.values[1])
  }

  /// Initialisation from the first sample of each class, then `epochs` passes of the
  /// spike-time-error rule in data-set order (no shuffling, as in the reference).
  public static func train(_ net: Network, on split: Split, params: Params, rng: inout RandomStream,
                           label: String) throws -> TrainingLog? {
    let start = Date()
    let e = engine(net)
    let limit = params[MCSEFRON.samples]
    let n = limit > 0 ? min(limit, split.count) : split.count
    let images = n == split.count ? split.images : split.rows(0..<n)
    let spikes = e.encode(images)
    let epochs = params[MCSEFRON.epochs], rate = Float(params[MCSEFRON.lr]), p = e.presynaptic
    var log = TrainingLog()
    log.measure = "training error"
    let progress = Progress(label, total: max(epochs * n, 1), unit: .epochs(per: n, step: "sample"))
    defer { progress.finish() }
    var thresholds = net.values[1]
    try net.values[0].withUnsafeMutableBufferPointer { pw in
      try thresholds.withUnsafeMutableBufferPointer { pt in
        try spikes.withUnsafeBufferPointer { ps in
          var seen = Set<Int>()
          for i in 0..<n where !seen.contains(split.labels[i]) {
            seen.insert(split.labels[i])
            e.initialise(class: split.labels[i], spikes: ps.baseAddress! + i * p, weights: pw.baseAddress!,
                         thresholds: pt.baseAddress!)
            if seen.count == e.classes { break }
          }
          let passes = Date()
          defer { log.timed("pass", count: epochs, seconds: Date().timeIntervalSince(passes)) }
          for epoch in 0..<epochs {
            var updates = 0, errors = 0
            for i in 0..<n {
              if i % 64 == 0 { try Interrupt.check() }
              let y = split.labels[i]
              let o = e.learn(spikes: ps.baseAddress! + i * p, label: y, rate: rate, weights: pw.baseAddress!,
                              thresholds: UnsafeBufferPointer(pt))
              if !o.updated.isEmpty { updates += 1 }
              let first = o.times.min() ?? 0
              if o.times[y] != first || o.times.filter({ $0 == first }).count > 1 { errors += 1 }
              if i % 50 == 49 || i == n - 1 {
                progress.update(epoch * n + i + 1, note: String(format: "%d updates, training error so far %.3f", updates,
                                                               Double(errors) / Double(i + 1)))
              }
            }
            // The rule's error: samples whose correct class did not fire strictly first.
            log.epochLoss.append(Double(errors) / Double(max(n, 1)))
          }
        }
      }
    }
    net.values[1] = thresholds
    log.seconds = Date().timeIntervalSince(start)
    return log
  }
}
