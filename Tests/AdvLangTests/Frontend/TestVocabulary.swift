import AdvLang
import AdvTensor

/// Vocabularies for front-end tests, independent of the engine's registries.
///
/// `documented` mirrors the declarations grammar.md documents (lenet and mlp with the
/// engine's `trainingParams` defaults, bim, and the data sets of `Datasets.specs`);
/// `extended` adds `bsn-2` and a `cwl2` stand-in so suggestions between similar names can be
/// tested.
enum TestVocabulary {
  /// Mirror of `trainingParams` in AdvNN/Architectures/Registry.swift.
  static func trainingParams(epochs: Int, batch: Int, optimizer: String, lr: Double,
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

  static let lenet = ComponentSpec(
    kind: .architecture, name: "lenet", aliases: ["lenet5", "lenet-5"],
    doc: "LeNet-5 style CNN (2 conv + 3 dense layers, ReLU, max pooling); reference: 0.955 on the embedded MNIST subset",
    params: trainingParams(epochs: 15, batch: 128, optimizer: "adam", lr: 1e-3))

  static let mlp = ComponentSpec(
    kind: .architecture, name: "mlp",
    doc: "multi-layer perceptron with one hidden layer of 100 ReLU units (784-100-10 on MNIST)",
    params: trainingParams(epochs: 5, batch: 128, optimizer: "adam", lr: 1e-3))

  static let bim = ComponentSpec(
    kind: .attack, name: "bim", aliases: ["linf-bim", "basic-iterative"],
    doc: "Basic Iterative Method (L∞): signed cross-entropy gradient steps projected onto the ε-ball",
    params: [
      .real("eps", default: 32.0 / 255, range: 0...1, doc: "L∞ budget in pixel units [paper: 8, 16, 32 /255]"),
      .real("alpha", default: 0.05, range: 0...1, doc: "step size in pixel units [paper: 0.05]"),
      .int("steps", default: 100, range: 1...100_000, doc: "iterations [paper: 100]"),
      .int("samples", default: 500, range: 1...100_000,
           doc: "number of correctly classified test samples attacked [paper: 500 for BIM]"),
    ])

  static let mnist = ComponentSpec(
    kind: .dataset, name: "mnist",
    doc: "MNIST digits, 1x28x28; without 'from' the embedded real 5,000-image subset (4,000 train / 1,000 test)",
    params: [
      .int("train", default: 0, range: 0...1_000_000, doc: "keep a stratified, seeded subset of N training images (0: all)"),
      .int("test", default: 0, range: 0...1_000_000, doc: "keep a stratified, seeded subset of N test images (0: all)"),
    ])

  static let cifar10 = ComponentSpec(
    kind: .dataset, name: "cifar10", aliases: ["cifar-10", "cifar"],
    doc: "CIFAR-10 binary version, 3x32x32, 10 classes; needs 'from \"DIR\"'",
    params: mnist.params)

  static let pcam = ComponentSpec(
    kind: .dataset, name: "pcam", aliases: ["patchcamelyon"],
    doc: "PatchCamelyon HDF5 files, 96x96x3 patches seen as 3x32x32, 2 classes; read lazily; needs 'from \"DIR\"'",
    params: mnist.params + [
      .choice("reduce", default: "resize", options: ["resize", "centercrop"],
              doc: "96x96 to 32x32: antialiased bilinear resize, or the centre crop that defines the label"),
      .int("size", default: 32, range: 8...96, doc: "side of the images the models see [paper: 32]"),
    ])

  /// Test-only stand-ins for names that are close to others.
  static let bsn2 = ComponentSpec(
    kind: .architecture, name: "bsn-2", aliases: ["bsn2"], doc: "binary stochastic MLP (test stand-in)",
    params: trainingParams(epochs: 10, batch: 64, optimizer: "sgd", lr: 0.01))

  static let cwl2 = ComponentSpec(
    kind: .attack, name: "cwl2", doc: "Carlini-Wagner L2 (test stand-in)",
    params: [
      .int("steps", default: 1000, range: 1...100_000, doc: "optimisation steps"),
      .real("c", default: 1, range: 0...1e6, doc: "initial constant"),
      .int("samples", default: 500, range: 1...100_000, doc: "samples attacked"),
    ])

  /// The vocabulary grammar.md's generated tables document.
  static let documented = Vocabulary(architectures: [lenet, mlp], attacks: [bim], datasets: [mnist, cifar10, pcam])

  /// The vocabulary of most front-end tests and of the `.adv` script tests.
  static let extended = Vocabulary(architectures: [lenet, mlp, bsn2], attacks: [bim, cwl2], datasets: [mnist, cifar10, pcam])
}
