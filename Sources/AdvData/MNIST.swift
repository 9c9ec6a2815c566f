import AdvTensor
import Foundation

/// MNIST in the IDX format: a directory with `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each optionally gzip-compressed
/// (`.gz`); the `train-images.idx3-ubyte` spelling of some mirrors is accepted too.
public enum MNIST {
  static let stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

  /// Loads the four files of `directory`.
  public static func load(from directory: String) throws -> Dataset {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
      throw DataError.notFound(path: directory, hint: "point 'from' at a directory holding MNIST's four IDX files, or use 'load mnist' for the embedded subset")
    }
    guard isDir.boolValue else {
      throw DataError.notFound(path: directory, hint: "'from' expects a directory holding MNIST's four IDX files, not a file")
    }
    let paths = try stems.map { try locate($0, in: directory) }
    return try load(paths: paths, origin: "mnist:" + (directory as NSString).standardizingPath)
  }

  /// The real 5,000-image subset shipped with adv (4,000 train / 1,000 test).
  public static func embedded() throws -> Dataset {
    guard let dir = Bundle.module.url(forResource: "mnist-5k", withExtension: nil) else {
      throw DataError.missingResource("mnist-5k")
    }
    let paths = try stems.map { try locate($0, in: dir.path) }
    return try load(paths: paths, origin: "mnist:embedded-5k")
  }

  static func locate(_ stem: String, in directory: String) throws -> String {
    let dotted = stem.replacingOccurrences(of: "-idx", with: ".idx")
    for name in [stem, stem + ".gz", dotted, dotted + ".gz"] {
      let path = (directory as NSString).appendingPathComponent(name)
      if FileManager.default.fileExists(atPath: path) { return path }
    }
    throw DataError.notFound(path: (directory as NSString).appendingPathComponent(stem + "[.gz]"),
                             hint: "the directory must hold MNIST's four IDX files (\(stems.joined(separator: ", ")), plain or .gz)")
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
