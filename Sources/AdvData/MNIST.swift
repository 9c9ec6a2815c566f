import AdvTensor
import Foundation

/// MNIST in the IDX format: a directory with `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each optionally gzip-compressed
/// (`.gz`); the `train-images.idx3-ubyte` spelling of some mirrors is accepted too.
public enum MNIST {
  static let stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

  /// The four files `load` opens in a directory, each plain or gzip-compressed, under the
  /// standard name or the mirrors' dotted one; the embedded subset stands in without `from`.
  public static let files = DataFiles(
    requirements: stems.map { stem in
      let dotted = stem.replacingOccurrences(of: "-idx", with: ".idx")
      return DataFiles.Requirement(names: [stem, stem + ".gz", dotted, dotted + ".gz"], label: "'\(stem)' (plain or .gz)")
    },
    embedded: true,
    contents: "MNIST's four IDX files (\(stems.joined(separator: ", ")), plain or .gz)")

  /// Loads the four files of `directory`.
  public static func load(from directory: String) throws -> Dataset {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
      throw DataError.notFound(path: directory, hint: "point 'from' at a directory holding MNIST's four IDX files, or use 'load mnist' for the embedded subset")
    }
    guard isDir.boolValue else {
      throw DataError.notFound(path: directory, hint: "'from' expects a directory holding MNIST's four IDX files, not a file")
    }
    return try load(paths: locate(in: directory), origin: "mnist:" + (directory as NSString).standardizingPath)
  }

  /// The real 5,000-image subset shipped with adv (4,000 train / 1,000 test).
  public static func embedded() throws -> Dataset {
    guard let dir = Bundle.module.url(forResource: "mnist-5k", withExtension: nil) else {
      throw DataError.missingResource("mnist-5k")
    }
    return try load(paths: locate(in: dir.path), origin: "mnist:embedded-5k")
  }

  /// The paths of the four files in `directory`, in `stems` order.
  static func locate(in directory: String) throws -> [String] {
    try files.paths(in: directory, suffix: "[.gz]").map { $0[0] }
  }

  static func load(paths: [String], origin: String) throws -> Dataset {
    let trainX = try IDX.images(paths[0]), trainY = try IDX.labels(paths[1], classes: 10)
    let testX = try IDX.images(paths[2]), testY = try IDX.labels(paths[3], classes: 10)
    guard trainX.shape[0] == trainY.count else {
      throw DataError.countMismatch(images: paths[0], imageCount: trainX.shape[0], labels: paths[1], labelCount: trainY.count)
    }
    guard testX.shape[0] == testY.count else {
      throw DataError.countMismatch(images: paths[2], imageCount: testX.shape[0], labels: paths[3], labelCount: testY.count)
    }
    return Dataset(name: "mnist", origin: origin, classes: 10,
                   train: Split(images: trainX, labels: trainY), test: Split(images: testX, labels: testY))
  }
}
