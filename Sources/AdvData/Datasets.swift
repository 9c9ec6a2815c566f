import AdvTensor
import Foundation

/// Every data set the language can load.
public enum Datasets {
  static let train = ParamKey.int("train", default: 0, range: 0...1_000_000,
                                  doc: "keep a stratified, seeded subset of N training images (0: all)")
  static let test = ParamKey.int("test", default: 0, range: 0...1_000_000,
                                 doc: "keep a stratified, seeded subset of N test images (0: all)")
  static let reduce = ParamKey<PCam.Reduction>.choice(
    "reduce", default: .resize, doc: "96x96 to 32x32: antialiased bilinear resize, or the centre crop that defines the label")
  static let size = ParamKey.int("size", default: 32, range: 8...96, doc: "side of the images the models see [paper: 32]")

  public static let mnist = ComponentSpec(
    kind: .dataset, name: "mnist",
    doc: "MNIST digits, 1x28x28; without 'from' the embedded real 5,000-image subset (4,000 train / 1,000 test)",
    params: [train.spec, test.spec], files: MNIST.files)

  public static let cifar10 = ComponentSpec(
    kind: .dataset, name: "cifar10", aliases: ["cifar-10", "cifar"],
    doc: "CIFAR-10 binary version, 3x32x32, 10 classes; needs 'from \"DIR\"'",
    params: mnist.params, files: CIFAR10.files)

  public static let pcam = ComponentSpec(
    kind: .dataset, name: "pcam", aliases: ["patchcamelyon"],
    doc: "PatchCamelyon HDF5 files, 96x96x3 patches seen as 3x32x32, 2 classes; read lazily; needs 'from \"DIR\"'",
    params: mnist.params + [reduce.spec, size.spec], files: PCam.files)

  public static let specs: [ComponentSpec] = [mnist, cifar10, pcam]

  /// Loads the data set `spec` from `path` (or the embedded default, where there is one) and
  /// keeps the stratified, seeded `train`/`test` subsets its parameters ask for.
  public static func load(_ spec: ComponentSpec, from path: String?, params: Params, seed: UInt64) throws -> Dataset {
    if spec.name == pcam.name {
      guard let path else {
        throw DataError.notFound(path: "pcam", hint: "PCam is not embedded; use 'load pcam from \"DIR\"' with the directory of its .h5 files")
      }
      // PCam subsets are chosen before reading, so only the kept patches are read; libhdf5
      // runs in a helper process where there is one (PCamHelper).
      return try PCamHelper.load(from: path, train: params[train], test: params[test], seed: seed,
                           reduce: params[reduce], size: params[size])
    }
    return try load(spec, from: path).subset(train: params[train], test: params[test], seed: seed)
  }

  static func load(_ spec: ComponentSpec, from path: String?) throws -> Dataset {
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
}

/// Whether `path` names a regular file (following symbolic links): what the readers open.
extension DataFiles {
  /// The files of each requirement in `directory` (regular files only), or a `notFound` error
  /// naming the first one missing (with `suffix`, such as `[.gz]`, after its name) and saying
  /// what `holder` must hold.
  func paths(in directory: String, suffix: String = "", holder: String = "the directory") throws -> [[String]] {
    switch locate(in: directory, isFile: isRegularFile) {
    case .success(let found):
      return found
    case .failure(let missing):
      throw DataError.notFound(path: (directory as NSString).appendingPathComponent(missing.requirements[0].names[0] + suffix),
                               hint: "\(holder) must hold \(contents)")
    }
  }
}

func isRegularFile(_ path: String) -> Bool {
  var info = stat()
  return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
}
