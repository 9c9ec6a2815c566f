import AdvSpec
import AdvTensor
import Foundation

/// CIFAR-10, binary version (Krizhevsky 2009): `data_batch_1.bin` … `data_batch_5.bin` and
/// `test_batch.bin`, each a sequence of 3,073-byte records (label byte, then 1,024 red, 1,024
/// green and 1,024 blue bytes of a 32x32 image, row-major). Missing training batches are allowed
/// (a directory may hold only `data_batch_1.bin`); at least one training batch and the test batch
/// must exist.
public enum CIFAR10 {
  static let recordSize = 3073
  static let trainFiles = (1...5).map { "data_batch_\($0).bin" }

  /// The batches `load` opens in a directory: every training batch present (at least one),
  /// then the test batch. Not embedded: `load cifar10` needs `from`.
  public static let files = DataFiles(
    requirements: [.init(names: trainFiles, label: "'data_batch_1.bin' … 'data_batch_5.bin' (at least one)", readsEvery: true),
                   .init(names: ["test_batch.bin"])],
    embedded: false,
    contents: "CIFAR-10's binary batches (data_batch_1.bin … data_batch_5.bin and test_batch.bin, the 'binary version' download)")

  public static func load(from directory: String) throws -> Dataset {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
      throw DataError.notFound(path: directory, hint: "point 'from' at the directory of CIFAR-10's binary version (data_batch_1.bin … test_batch.bin)")
    }
    let paths = try files.paths(in: directory)
    let train = try Split.concatenating(paths[0].map(records))
    let test = try records(paths[1][0])
    let origin = "cifar10:" + (directory as NSString).standardizingPath + "[\(paths[0].count) batches]"
    return Dataset(name: "cifar10", origin: origin, classes: 10, train: train, test: test)
  }

  /// The records of one batch file.
  static func records(_ path: String) throws -> Split {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw DataError.unreadable(path: path, reason: "it is a directory")
    }
    guard let data = readFileBytes(path) else {
      if FileManager.default.fileExists(atPath: path) { throw DataError.unreadable(path: path, reason: "permission denied") }
      throw DataError.notFound(path: path, hint: "the CIFAR-10 directory must hold test_batch.bin")
    }
    guard !data.isEmpty, data.count % recordSize == 0 else {
      throw DataError.truncated(path: path, expectedBytes: (data.count / recordSize + 1) * recordSize, foundBytes: data.count)
    }
    let n = data.count / recordSize
    var images = Tensor(uninitialized: [n, 3, 32, 32])
    var labels = [Int](repeating: 0, count: n)
    try data.withUnsafeBufferPointer { bytes in
      try images.withUnsafeMutableBufferPointer { p in
        for i in 0..<n {
          let base = i * recordSize
          let label = Int(bytes[base])
          guard label < 10 else { throw DataError.badLabel(path: path, index: i, value: label, classes: 10) }
          labels[i] = label
          for j in 0..<3072 { p[i * 3072 + j] = Float(bytes[base + 1 + j]) / 255 }
        }
      }
    }
    return Split(images: images, labels: labels)
  }
}

extension Split {
  /// The splits one after another, indices renumbered.
  static func concatenating(_ parts: [Split]) throws -> Split {
    Split(images: Tensor.concatenate(parts.map(\.images)), labels: parts.flatMap(\.labels))
  }
}
