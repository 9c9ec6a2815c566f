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

  public static let specs: [ComponentSpec] = [mnist]

  public static func named(_ spelling: String) -> ComponentSpec? {
    specs.first { $0.matches(spelling) }
  }
}
