import AdvData
import AdvTensor
import Foundation

/// Hyper-parameters of supervised training, read from an architecture's resolved `Params`.
public struct TrainingConfig: Sendable, Hashable {
  public var epochs: Int
  public var batch: Int
  public var optimizer: String
  public var learningRate: Double
  public var momentum: Double
  public var weightDecay: Double
  public var lrStep: Int
  public var gamma: Double
  public var normalize: Bool
  public var annealSlope: Bool
  public var binaryNetRegime: Bool
  public var recalibrate: Bool
  /// The training-set augmentation (`augment=false`: none).
  public var augmentation: Augmentation

  public enum OptimizerName: String, ParamChoice { case adam, sgd }
  public enum Regime: String, ParamChoice { case binarynet, step }

  // The keys of the training settings. Every backprop architecture lists the first nine with its
  // own defaults (`trainingParams`); the last four only some declare, and their defaults here are
  // what an architecture without them gets.
  public static let epochs = ParamKey.int("epochs", default: 10, range: 0...10_000, doc: "training epochs")
  public static let batch = ParamKey.int("batch", default: 128, range: 1...65_536, doc: "mini-batch size")
  public static let optimizer = ParamKey<OptimizerName>.choice("optimizer", default: .adam, doc: "optimiser")
  public static let lr = ParamKey.real("lr", default: 1e-3, range: 0...10, doc: "learning rate")
  public static let momentum = ParamKey.real("momentum", default: 0.9, range: 0...0.999, doc: "SGD momentum (SGD only)")
  public static let weightDecay = ParamKey.real("weight_decay", default: 0, range: 0...1, doc: "L2 weight decay")
  public static let lrStep = ParamKey.int("lr_step", default: 0, range: 0...10_000,
                                          doc: "multiply lr by gamma every lr_step epochs (0: never)")
  public static let gamma = ParamKey.real("gamma", default: 0.1, range: 0...1, doc: "step schedule factor")
  public static let normalize = ParamKey.bool("normalize", default: false,
                                              doc: "per-channel mean/std of the training split, applied inside the model")
  public static let anneal = ParamKey.bool("anneal", default: false, doc: "slope annealing k = 1.005^(epoch-1) [paper: BSN-2, BSN-4]")
  public static let regime = ParamKey<Regime>.choice(
    "regime", default: .step,
    doc: "binarynet: lr 0.005, 0.001 from epoch 101, 0.0005 from epoch 142 [paper]; step: lr_step/gamma")
  public static let recalibrate = ParamKey.bool(
    "recalibrate", default: false, doc: "after training, recompute batch-norm statistics over the training split for the final weights")
  // Augmentation (Augmentation.swift): the paper's architectures augment by default, with each
  // data set's torchvision reading; `augment=false` trains on the images as they are.
  public static let augment = ParamKey.bool(
    "augment", default: false,
    doc: "augment the training images every epoch with 'shift', 'flip' and 'rotate' [paper: on, transforms not listed]")
  public static let shift = ParamKey.int(
    "shift", default: 2, range: 0...16,
    doc: "augmentation: random translation by up to N pixels, zero fill (RandomCrop with padding N) [reading: MNIST 2, CIFAR-10 4, PCam 0]")
  public static let flip = ParamKey<Augmentation.Flip>.choice(
    "flip", default: .none, doc: "augmentation: random horizontal (h) or horizontal and vertical (hv) flips [reading: MNIST none, CIFAR-10 h, PCam hv]")
  public static let rotate = ParamKey.real(
    "rotate", default: 0, range: 0...180, doc: "augmentation: random rotation by up to this many degrees, bilinear, zero fill")

  public init(_ p: Params) {
    augmentation = p[Self.augment] ? Augmentation(shift: p[Self.shift], flip: p[Self.flip], rotate: p[Self.rotate]) : Augmentation()
    recalibrate = p[Self.recalibrate]
    binaryNetRegime = p[Self.regime] == .binarynet
    annealSlope = p[Self.anneal]
    normalize = p[Self.normalize]
    epochs = p[Self.epochs]
    batch = p[Self.batch]
    optimizer = p[Self.optimizer].rawValue
    learningRate = p[Self.lr]
    momentum = p[Self.momentum]
    weightDecay = p[Self.weightDecay]
    lrStep = p[Self.lrStep]
    gamma = p[Self.gamma]
  }

  func makeOptimizer() -> any Optimizer {
    switch OptimizerName(rawValue: optimizer) ?? .adam {
    case .sgd: return SGD(learningRate: Float(learningRate), momentum: Float(momentum), weightDecay: Float(weightDecay))
    case .adam: return Adam(learningRate: Float(learningRate), weightDecay: Float(weightDecay))
    }
  }
}

/// What training did, epoch by epoch.
public struct TrainingLog: Sendable {
  public var epochLoss: [Double] = []
  /// What `epochLoss` measures, as printed after training.
  public var measure = "loss"
  public var seconds: Double = 0
  /// Time per pass over the training set, by phase (`epoch`; the spiking learners' `layer 1
  /// STDP`, `R-STDP`, …), in the order they ran.
  public var passes: [(phase: String, count: Int, seconds: Double)] = []

  /// Records `count` passes of `phase` that together took `seconds`.
  public mutating func timed(_ phase: String, count: Int, seconds: Double) {
    guard count > 0 else { return }
    passes.append((phase, count, seconds))
  }

  /// `2.1 s per epoch`, or `layer 1 STDP 1.20 s, R-STDP 0.31 s per pass`.
  public var perPassDescription: String? {
    guard !passes.isEmpty else { return nil }
    func t(_ s: Double) -> String { s >= 10 ? String(format: "%.0f s", s) : s >= 1 ? String(format: "%.1f s", s) : String(format: "%.2f s", s) }
    if passes.count == 1 { return "\(t(passes[0].seconds / Double(passes[0].count))) per \(passes[0].phase)" }
    return passes.map { "\($0.phase) \(t($0.seconds / Double($0.count)))" }.joined(separator: ", ") + " per pass"
  }
}

/// The state of mini-batch training on one network: optimiser, learning-rate schedule, slope
/// annealing and the noise streams of stochastic units. `train(_:on:config:)` drives it over a
/// split; procedures that make their own batches (Variance Mimicking) call `step` themselves.
public struct MiniBatchTrainer {
  public let net: Network
  public let config: TrainingConfig
  var optimizer: any Optimizer
  var noise: RandomStream
  var latent: RandomStream

  /// `rng` is the training stream: the trainer draws its noise from `rng.derived(2)` and its
  /// latent-weight samples from `rng.derived(3)` (`train` shuffles with `rng.derived(1)`).
  public init(net: Network, config: TrainingConfig, rng: RandomStream) {
    self.net = net
    self.config = config
    optimizer = config.makeOptimizer()
    noise = rng.derived(2)
    latent = rng.derived(3)
  }

  /// Sets the epoch's learning rate and slope (epochs counted from 0).
  public mutating func beginEpoch(_ epoch: Int) {
    // Slope annealing (Chung et al.): k = 1.005^(epoch − 1), epochs counted from 1.
    if config.annealSlope { net.slope = powf(1.005, Float(epoch)) }
    if config.binaryNetRegime {
      // BinaryNet's CIFAR regime: 0.001 from epoch 101, 0.0005 from epoch 142 (counted from 1).
      optimizer.learningRate = Float(epoch >= 141 ? 0.0005 : epoch >= 100 ? 0.001 : config.learningRate)
    } else if config.lrStep > 0 && epoch > 0 && epoch % config.lrStep == 0 {
      optimizer.learningRate *= Float(config.gamma)
    }
  }

  /// One optimiser step on the mean cross-entropy of `x` against `y`; returns that loss.
  public mutating func step(_ x: Tensor, _ y: [Int]) -> Float {
    if !net.sampledLatentParameters.isEmpty { net.resampleLatent(rng: &latent) }
    let tape = Tape()
    let (p, vars) = net.bind(to: tape, trainable: true)
    let logits = net.forward(tape.constant(x), p, mode: .training, rng: &noise)
    let loss = crossEntropy(logits, labels: y)
    let grads = tape.gradients(of: loss)
    optimizer.step(&net.values, vars.map { grads[$0] })
    for (k, name) in net.names.enumerated() where net.clippedParameters.contains(name) {
      net.values[k] = net.values[k].clamped(-1, 1)
    }
    return loss.value.scalar
  }

  /// After the last epoch: the stored weights are the last latent samples (as the reference
  /// code leaves them), and batch-norm statistics are recomputed where the config asks.
  public mutating func finish(epochs: Int, on split: Split) throws {
    if epochs > 0 && !net.sampledLatentParameters.isEmpty { net.resampleLatent(rng: &latent) }
    if config.recalibrate { try recalibrateBatchNorm(net, on: split, batch: config.batch, rng: &noise) }
  }
}

/// One mini-batch step of `train`'s loop: the optimiser step(s) on the shuffled and augmented
/// batch `x`, `y`, returning the loss the running mean counts and its weight in that mean. The
/// default takes one step and weights its loss by the batch's size. Procedures that train
/// differently on each batch (Variance Mimicking relabels it and adds noisy copies) pass their
/// own and keep the loop: schedules, shuffling, augmentation, interrupts and progress.
public typealias BatchStep = (_ trainer: inout MiniBatchTrainer, _ x: Tensor, _ y: [Int]) throws -> (loss: Double, weight: Double)

/// Mini-batch training with softmax cross-entropy, shuffling every epoch from `rng.derived(1)`,
/// augmenting each batch from `rng.derived(augmentationStream)` (when the config asks) and a
/// step learning-rate schedule (`lr ← lr·gamma` every `lr_step` epochs); `step` trains on each
/// batch. Stops with `Interrupted` between batches when Ctrl-C is pressed.
public func train(_ net: Network, on split: Split, config: TrainingConfig, rng: inout RandomStream,
                  label: String = "train", augmentationStream: UInt64 = 4,
                  step: BatchStep = { trainer, x, y in (Double(trainer.step(x, y)), Double(y.count)) }) throws -> TrainingLog {
  if config.normalize { net.normalization = Normalization(statisticsOf: split) }
  var trainer = MiniBatchTrainer(net: net, config: config, rng: rng)
  var log = TrainingLog()
  let start = Date()
  let batches = (split.count + config.batch - 1) / config.batch
  let progress = Progress(label, total: config.epochs * batches, unit: .epochs(per: batches, step: "batch"))
  defer { progress.finish() }
  var shuffle = rng.derived(1)
  var augmenting = rng.derived(augmentationStream)
  for epoch in 0..<config.epochs {
    trainer.beginEpoch(epoch)
    let order = shuffle.permutation(split.count)
    var total: Double = 0, weights: Double = 0
    for b in 0..<batches {
      try Interrupt.check()
      let indices = Array(order[(b * config.batch)..<min((b + 1) * config.batch, split.count)])
      var (x, y) = split.batch(indices)
      config.augmentation.apply(&x, rng: &augmenting)
      let (loss, weight) = try step(&trainer, x, y)
      total += loss * weight
      weights += weight
      progress.update(epoch * batches + b + 1, note: String(format: "loss %.4f", total / weights))
    }
    log.epochLoss.append(total / weights)
  }
  log.timed("epoch", count: config.epochs, seconds: Date().timeIntervalSince(start))
  try trainer.finish(epochs: config.epochs, on: split)
  log.seconds = Date().timeIntervalSince(start)
  return log
}

/// Recomputes every batch-norm layer's running statistics as the plain average over the
/// training split under the final weights. The exponential average kept during training mixes
/// statistics of earlier weights; in binarised networks, where a step flips many weight signs,
/// that mixture can be far from any real batch and inference collapses.
public func recalibrateBatchNorm(_ net: Network, on split: Split, batch: Int, rng: inout RandomStream) throws {
  guard !net.batchNorms.isEmpty else { return }
  for (_, r) in net.batchNorms { r.resetCumulative(true) }
  defer { for (_, r) in net.batchNorms { r.resetCumulative(false) } }
  var start = 0
  while start < split.count {
    try Interrupt.check()
    let end = min(start + batch, split.count)
    let tape = Tape.inference()
    let (p, _) = net.bind(to: tape, trainable: false)
    _ = net.forward(tape.constant(split.rows(start..<end)), p, mode: .training, rng: &rng)
    start = end
  }
}

/// Fraction of `split` that `net` classifies correctly.
/// A split kept as bytes is converted a part at a time.
public func accuracy(_ model: any Model, on split: Split, rng: inout RandomStream) -> Double {
  var predicted: [Int] = []
  if split.bytes == nil {
    predicted = model.predict(split.images, rng: &rng)
  } else {
    for start in stride(from: 0, to: split.count, by: Split.conversionRows) {
      predicted += model.predict(split.rows(start..<min(start + Split.conversionRows, split.count)), rng: &rng)
    }
  }
  let correct = zip(predicted, split.labels).filter { $0 == $1 }.count
  return Double(correct) / Double(max(split.count, 1))
}

extension Normalization {
  /// Statistics of a split's images, per channel, read a part at a time (the same sums, in the
  /// same order, as over the whole tensor).
  public init(statisticsOf split: Split) {
    guard split.bytes != nil else {
      self.init(statisticsOf: split.images)
      return
    }
    let shape = split.shape, c = shape[1], plane = shape.dropFirst(2).reduce(1, *)
    var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
    for start in stride(from: 0, to: split.count, by: Split.conversionRows) {
      Self.accumulate(split.rows(start..<min(start + Split.conversionRows, split.count)), sums: &sum, squares: &sq)
    }
    self.init(sums: sum, squares: sq, count: Double(split.count * plane))
  }
}
