import AdvTensor

/// Every data set the language can load.
public enum Datasets {
  public static let mnist = ComponentSpec(
    kind: .dataset, name: "mnist",
    doc: "MNIST digits, 1x28x28; without 'from' the embedded real 5,000-image subset (4,000 train / 1,000 test)",
    params: [
      .int("train", default: 0, range: 0...1_000_000, doc: "keep a stratified, seeded subset of N training images (0: all)"),
      .int("test", default: 0, range: 0...1_000_000, doc: "keep a stratified, seeded subset of N test images (0: all)"),
    ])

  public static let cifar10 = ComponentSpec(
    kind: .dataset, name: "cifar10", aliases: ["cifar-10", "cifar"],
    doc: "CIFAR-10 binary version, 3x32x32, 10 classes; needs 'from \"DIR\"'",
    params: mnist.params)

  public static let specs: [ComponentSpec] = [mnist, cifar10]

  /// Loads the data set `spec` from `path` (or the embedded default, where there is one).
  public static func load(_ spec: ComponentSpec, from path: String?) throws -> Dataset {
    switch spec.name {
    case cifar10.name:
      guard let path else {
        throw DataError.notFound(path: "cifar10", hint: "CIFAR-10 is not embedded; use 'load cifar10 from \"DIR\"' with the binary version's directory")
      }
      return try CIFAR10.load(from: path)
    default:
      return try path.map { try MNIST.load(from: $0) } ?? MNIST.embedded()
    }
  }

  public static func named(_ spelling: String) -> ComponentSpec? {
    specs.first { $0.matches(spelling) }
  }
}
