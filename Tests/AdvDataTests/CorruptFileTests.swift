import AdvData
import AdvTensor
import CHDF5
import CZlib
import Foundation
import Testing

/// Damaged data files, one failure class per test: each gives one error naming the file and
/// what is wrong, never a crash, and sizes the header claims are checked against the file
/// before anything of that size is allocated.
@Suite("Corrupt data files")
final class CorruptFileTests {
  let dir: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("adv-corrupt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  deinit { try? FileManager.default.removeItem(atPath: dir) }

  // MARK: IDX

  func idx(magic: UInt32, dims: [UInt32], body: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = []
    for v in [magic] + dims { bytes += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    return bytes + body
  }

  /// A valid two-image MNIST directory with `file` (a stem, or a stem + ".gz") replaced by `bytes`.
  func mnist(replacing file: String, with bytes: [UInt8], gzipped: Bool = false) throws -> String {
    let images = idx(magic: 0x803, dims: [2, 28, 28], body: [UInt8](repeating: 7, count: 2 * 784))
    let labels = idx(magic: 0x801, dims: [2], body: [1, 2])
    for (stem, data) in [("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels),
                         ("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)] {
      try Data(data).write(to: URL(fileURLWithPath: dir + "/" + stem))
    }
    if gzipped {
      try FileManager.default.removeItem(atPath: dir + "/" + file)
      writeGzip(bytes, to: dir + "/" + file + ".gz")
    } else {
      try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + file))
    }
    return dir
  }

  func writeGzip(_ bytes: [UInt8], to path: String) {
    guard let file = gzopen(path, "wb") else { return }
    _ = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
    gzclose(file)
  }

  @Test("an IDX file shorter than its magic number")
  func idxTooShort() throws {
    let d = try mnist(replacing: "train-images-idx3-ubyte", with: [0, 0])
    #expect(throws: DataError.truncated(path: d + "/train-images-idx3-ubyte", expectedBytes: 4, foundBytes: 2)) { try MNIST.load(from: d) }
  }

  @Test("an IDX header cut inside its sizes")
  func idxHeaderCut() throws {
    let d = try mnist(replacing: "t10k-images-idx3-ubyte", with: [0, 0, 8, 3, 0, 0, 0, 2, 0, 0])
    #expect(throws: DataError.badHeader(path: d + "/t10k-images-idx3-ubyte", reason: "the header needs 16 bytes, the file has 10")) {
      try MNIST.load(from: d)
    }
  }

  @Test("IDX sizes whose product overflows")
  func idxOverflow() throws {
    let d = try mnist(replacing: "train-images-idx3-ubyte", with: idx(magic: 0x803, dims: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], body: []))
    #expect(throws: DataError.badHeader(path: d + "/train-images-idx3-ubyte",
                                        reason: "its dimensions [4294967295, 4294967295, 4294967295] multiply to more bytes than any file holds")) {
      try MNIST.load(from: d)
    }
  }

  @Test("an IDX file claiming far more images than it holds is refused before reading")
  func idxHugeClaim() throws {
    let d = try mnist(replacing: "train-images-idx3-ubyte", with: idx(magic: 0x803, dims: [0x7FFF_FFFF, 28, 28], body: [1, 2, 3]))
    #expect(throws: DataError.truncated(path: d + "/train-images-idx3-ubyte", expectedBytes: 0x7FFF_FFFF * 784, foundBytes: 3)) {
      try MNIST.load(from: d)
    }
  }

  @Test("a gzip IDX file claiming more than any stream of its size can expand to")
  func gzipHugeClaim() throws {
    let d = try mnist(replacing: "train-images-idx3-ubyte", with: idx(magic: 0x803, dims: [1_000_000, 28, 28], body: [0]), gzipped: true)
    let path = d + "/train-images-idx3-ubyte.gz"
    let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    #expect(throws: DataError.badHeader(path: path, reason: "its dimensions [1000000, 28, 28] claim 784000000 bytes of data, more than a gzip file of \(size) bytes can hold")) {
      try MNIST.load(from: d)
    }
  }

  @Test("a gzip IDX stream cut short")
  func gzipCut() throws {
    let full = idx(magic: 0x801, dims: [2000], body: (0..<2000).map { UInt8($0 % 10) })
    let gz = dir + "/whole.gz"
    writeGzip(full, to: gz)
    let cut = [UInt8](try Data(contentsOf: URL(fileURLWithPath: gz)).prefix(30))
    try FileManager.default.removeItem(atPath: gz)
    let d = try mnist(replacing: "train-labels-idx1-ubyte", with: [])
    try FileManager.default.removeItem(atPath: d + "/train-labels-idx1-ubyte")
    try Data(cut).write(to: URL(fileURLWithPath: d + "/train-labels-idx1-ubyte.gz"))
    // zlib returns what the stream held before the cut: fewer bytes than the header promised.
    do {
      _ = try MNIST.load(from: d)
      Issue.record("a cut gzip stream loaded")
    } catch let error as DataError {
      #expect("\(error)".hasPrefix("'\(d)/train-labels-idx1-ubyte.gz' is truncated: its header promises 2000 bytes of data, found "), "\(error)")
    }
  }

  @Test("an IDX file of no images, or of images without pixels")
  func idxEmpty() throws {
    let d = try mnist(replacing: "t10k-images-idx3-ubyte", with: idx(magic: 0x803, dims: [0, 28, 28], body: []))
    #expect(throws: DataError.badHeader(path: d + "/t10k-images-idx3-ubyte",
                                        reason: "it holds 0 images of 28x28 pixels; a data set needs at least one image of at least one pixel")) {
      try MNIST.load(from: d)
    }
    let e = try mnist(replacing: "t10k-images-idx3-ubyte", with: idx(magic: 0x803, dims: [5, 0, 28], body: []))
    #expect(throws: DataError.badHeader(path: e + "/t10k-images-idx3-ubyte",
                                        reason: "it holds 5 images of 0x28 pixels; a data set needs at least one image of at least one pixel")) {
      try MNIST.load(from: e)
    }
  }

  @Test("an IDX label outside the classes")
  func idxBadLabel() throws {
    let d = try mnist(replacing: "train-labels-idx1-ubyte", with: idx(magic: 0x801, dims: [2], body: [3, 200]))
    #expect(throws: DataError.badLabel(path: d + "/train-labels-idx1-ubyte", index: 1, value: 200, classes: 10)) { try MNIST.load(from: d) }
  }

  @Test("a directory where an IDX file belongs")
  func idxDirectory() throws {
    let d = try mnist(replacing: "train-labels-idx1-ubyte", with: [])
    try FileManager.default.removeItem(atPath: d + "/train-labels-idx1-ubyte")
    try FileManager.default.createDirectory(atPath: d + "/train-labels-idx1-ubyte", withIntermediateDirectories: false)
    // The data set's file list finds files only: a directory there is a missing file, named.
    let error = #expect(throws: DataError.self) { try MNIST.load(from: d) }
    #expect(error?.description.hasPrefix("cannot find '\(d)/train-labels-idx1-ubyte[.gz]'") == true, "\(String(describing: error))")
  }

  // MARK: CIFAR-10

  func cifar(train: [UInt8], test: [UInt8]) throws -> String {
    try Data(train).write(to: URL(fileURLWithPath: dir + "/data_batch_1.bin"))
    try Data(test).write(to: URL(fileURLWithPath: dir + "/test_batch.bin"))
    return dir
  }

  func record(label: UInt8) -> [UInt8] { [label] + [UInt8](repeating: 9, count: 3072) }

  @Test("an empty CIFAR-10 batch")
  func cifarEmpty() throws {
    let d = try cifar(train: record(label: 1), test: [])
    #expect(throws: DataError.truncated(path: d + "/test_batch.bin", expectedBytes: 3073, foundBytes: 0)) { try CIFAR10.load(from: d) }
  }

  @Test("a CIFAR-10 label outside 0...9")
  func cifarBadLabel() throws {
    let d = try cifar(train: record(label: 1) + record(label: 10), test: record(label: 0))
    #expect(throws: DataError.badLabel(path: d + "/data_batch_1.bin", index: 1, value: 10, classes: 10)) { try CIFAR10.load(from: d) }
  }

  @Test("a directory where a CIFAR-10 batch belongs")
  func cifarDirectory() throws {
    let d = try cifar(train: record(label: 1), test: [])
    try FileManager.default.removeItem(atPath: d + "/test_batch.bin")
    try FileManager.default.createDirectory(atPath: d + "/test_batch.bin", withIntermediateDirectories: false)
    let error = #expect(throws: DataError.self) { try CIFAR10.load(from: d) }
    #expect(error?.description.hasPrefix("cannot find '\(d)/test_batch.bin'") == true, "\(String(describing: error))")
  }

  // MARK: HDF5 (PCam)

  func pcamPath(_ split: String, _ part: String) -> String { dir + "/camelyonpatch_level_2_split_\(split)_\(part).h5" }

  /// A valid two-record PCam directory.
  func pcam() throws -> String {
    for split in ["train", "test"] {
      try HDF5Dataset.write(path: pcamPath(split, "x"), name: "x", dims: [2, 32, 32, 3], values: [UInt8](repeating: 5, count: 2 * 3072))
      try HDF5Dataset.write(path: pcamPath(split, "y"), name: "y", dims: [2, 1, 1, 1], values: [0, 1])
    }
    return dir
  }

  /// A file whose dataset `name` has `dims` of `type`, its space never written (so the file
  /// holds none of the bytes the shape claims).
  func claiming(_ path: String, _ name: String, dims: [UInt64], type: hid_t) {
    _ = adv_h5_quiet()
    let file = H5Fcreate(path, adv_h5f_acc_trunc(), adv_h5p_default(), adv_h5p_default())
    let space = dims.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims.map { hsize_t($0) }, nil)
    let dataset = H5Dcreate2(file, name, type, space, adv_h5p_default(), adv_h5p_default(), adv_h5p_default())
    H5Dclose(dataset)
    H5Sclose(space)
    H5Fclose(file)
  }

  @Test("a file that is not HDF5")
  func hdf5Garbage() throws {
    let d = try pcam()
    try Data("not an hdf5 file at all".utf8).write(to: URL(fileURLWithPath: pcamPath("test", "y")))
    #expect(throws: DataError.unreadable(path: pcamPath("test", "y"), reason: "not an HDF5 file, or damaged")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
  }

  @Test("a PCam dataset claiming a huge shape it does not store")
  func hdf5HugeClaim() throws {
    let d = try pcam()
    claiming(pcamPath("train", "y"), "y", dims: [1 << 40, 1, 1, 1], type: adv_h5t_native_uchar())
    #expect(throws: DataError.badHeader(path: pcamPath("train", "y"),
                                        reason: "dataset 'y' claims a shape of [1099511627776, 1, 1, 1] (1099511627776 bytes), but the file stores only 0 bytes of it")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
  }

  @Test("a PCam shape whose product overflows")
  func hdf5Overflow() throws {
    let d = try pcam()
    // libhdf5 creates no such dataset, so the stored dimensions of a valid one are overwritten
    // (8-byte little-endian fields of the dataspace message; no checksum in this file format).
    let path = pcamPath("train", "x")
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    func le(_ values: [UInt64]) -> [UInt8] { values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } } }
    let old = le([2, 32, 32, 3]), new = le([1 << 40, 1 << 20, 3, 3])
    var replaced = 0
    var i = 0
    while i + old.count <= bytes.count {
      if Array(bytes[i..<(i + old.count)]) == old {
        bytes.replaceSubrange(i..<(i + old.count), with: new)
        replaced += 1
      }
      i += 1
    }
    #expect(replaced >= 1)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(throws: DataError.badHeader(path: pcamPath("train", "x"),
                                        reason: "dataset 'x' claims a shape of [1099511627776, 1048576, 3, 3], more bytes than any file holds")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
  }

  @Test("a PCam dataset of no records whose records would not fit in any file")
  func hdf5HugeRecords() throws {
    let d = try pcam()
    claiming(pcamPath("test", "x"), "x", dims: [0, 1 << 40, 1 << 40, 3], type: adv_h5t_native_uchar())
    #expect(throws: DataError.badHeader(path: pcamPath("test", "x"),
                                        reason: "dataset 'x' claims records of shape [1099511627776, 1099511627776, 3], more bytes than any file holds")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
  }

  @Test("a PCam dataset of another type than unsigned bytes")
  func hdf5WrongType() throws {
    let d = try pcam()
    claiming(pcamPath("test", "x"), "x", dims: [2, 32, 32, 3], type: H5T_NATIVE_FLOAT_g)
    #expect(throws: DataError.badHeader(path: pcamPath("test", "x"), reason: "dataset 'x' holds values of 4 bytes that are not unsigned bytes; expected uint8")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
  }

  @Test("a scalar PCam dataset")
  func hdf5Scalar() throws {
    let d = try pcam()
    claiming(pcamPath("test", "y"), "y", dims: [], type: adv_h5t_native_uchar())
    #expect(throws: DataError.badHeader(path: pcamPath("test", "y"), reason: "dataset 'y' has 0 dimensions; expected 1 to 32")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
  }

  @Test("PCam labels with more than one value per record, and no records")
  func hdf5Shapes() throws {
    let d = try pcam()
    try HDF5Dataset.write(path: pcamPath("train", "y"), name: "y", dims: [2, 2], values: [0, 1, 1, 0])
    #expect(throws: DataError.badHeader(path: pcamPath("train", "y"), reason: "dataset 'y' has shape [2, 2]; expected one label per record (N×1×1×1)")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
    _ = try pcam()
    claiming(pcamPath("test", "x"), "x", dims: [0, 32, 32, 3], type: adv_h5t_native_uchar())
    #expect(throws: DataError.badHeader(path: pcamPath("test", "x"), reason: "dataset 'x' has shape [0, 32, 32, 3]; expected N×H×W×3 with N ≥ 1 and H, W ≥ 32")) {
      try PCam.load(from: d, train: 0, test: 0, seed: 1)
    }
  }

  @Test("rows outside a dataset are refused before reading")
  func hdf5Rows() throws {
    _ = try pcam()
    let y = try HDF5Dataset(path: pcamPath("train", "y"), name: "y")
    #expect(throws: DataError.badHeader(path: pcamPath("train", "y"), reason: "rows 1..<4 are outside its 2 records")) { try y.readRows(1, count: 3) }
    #expect(throws: DataError.self) { try y.readRows(-1, count: 1) }
  }
}
