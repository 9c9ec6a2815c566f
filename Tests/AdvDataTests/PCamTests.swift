import AdvData
import AdvTensor
import Foundation
import Testing

/// Small PCam directories in the real layout, written through the HDF5 library.
final class PCamTests {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adv-pcam-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  init() throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: dir) }

  /// Record i: every pixel of channel c is (i·10 + c·50) % 256, except a 32x32 centre of value 200.
  func pixel(_ i: Int, _ r: Int, _ q: Int, _ c: Int) -> UInt8 {
    (32..<64).contains(r) && (32..<64).contains(q) ? 200 : UInt8((i * 10 + c * 50) % 256)
  }

  func write(_ split: String, count n: Int) throws {
    var x = [UInt8](repeating: 0, count: n * 96 * 96 * 3)
    for i in 0..<n { for r in 0..<96 { for q in 0..<96 { for c in 0..<3 { x[((i * 96 + r) * 96 + q) * 3 + c] = pixel(i, r, q, c) } } } }
    try HDF5Dataset.write(path: dir + "/camelyonpatch_level_2_split_\(split)_x.h5", name: "x", dims: [n, 96, 96, 3], values: x)
    try HDF5Dataset.write(path: dir + "/camelyonpatch_level_2_split_\(split)_y.h5", name: "y", dims: [n, 1, 1, 1],
                          values: (0..<n).map { UInt8($0 % 2) })
  }

  @Test("patches are read and centre-cropped to 3x32x32 with their labels")
  func centerCrop() throws {
    try write("train", count: 6)
    try write("test", count: 4)
    let d = try PCam.load(from: dir, train: 0, test: 0, seed: 1, reduce: .centercrop)
    #expect(d.train.images.shape == [6, 3, 32, 32])
    #expect(d.test.labels == [0, 1, 0, 1])
    #expect(d.train.images.scalars.allSatisfy { abs($0 - 200 / 255) < 1e-6 })
  }

  @Test("the antialiased resize averages each 3x3 block with (1,2,3,2,1)/9 weights, rounded to 8 bits as PIL does")
  func resize() throws {
    try write("train", count: 4)
    try write("test", count: 2)
    let d = try PCam.load(from: dir, train: 0, test: 0, seed: 1, reduce: .resize)
    #expect(d.test.images.shape == [2, 3, 32, 32])
    // Output (0, 0) of record 1, channel 2: a flat region of value 110.
    #expect(d.test.images[flat: 1 * 3072 + 2 * 1024] == Float(110) / 255)
    // Output row 10 straddles the centre's top edge (input row 32): rows 29…33 weigh 1,2,3,2,1,
    // of which rows 32 and 33 (weights 2 and 1) hold 200 for columns inside the centre:
    // 600 / 9 = 66.7, kept as the byte 67.
    #expect(d.test.bytes?.values[10 * 32 + 16] == 67)
    #expect(d.test.images[flat: 10 * 32 + 16] == Float(67) / 255)
  }

  @Test("patches are kept as bytes: a quarter of the floats' memory, converted row by row to the same values")
  func bytesStorage() throws {
    try write("train", count: 6)
    try write("test", count: 2)
    let d = try PCam.load(from: dir, train: 0, test: 0, seed: 1, reduce: .resize)
    let bytes = try #require(d.train.bytes)
    #expect(bytes.shape == [6, 3, 32, 32] && bytes.values.count == 6 * 3072)
    let all = d.train.images
    #expect(all.scalars == bytes.values.map { Float($0) / 255 })
    #expect(d.train.rows(2..<5).scalars == all.slice(2..<5).scalars)
    #expect(d.train.batch([5, 0, 3]).images.scalars == all.gather(rows: [5, 0, 3]).scalars)
    let kept = d.train.selecting([4, 1])
    #expect(kept.bytes != nil && kept.labels == [d.train.labels[4], d.train.labels[1]])
    #expect(kept.sourceIndices == [4, 1] && kept.images.scalars == all.gather(rows: [4, 1]).scalars)
    #expect(d.origin.contains("pixels=u8"))
  }

  @Test("a subset reads only the kept patches, stratified by label")
  func subset() throws {
    try write("train", count: 10)
    try write("test", count: 4)
    let d = try PCam.load(from: dir, train: 4, test: 2, seed: 3)
    #expect(d.train.count == 4 && d.test.count == 2)
    #expect(d.train.labels.filter { $0 == 1 }.count == 2)
  }

  @Test("a missing file and a file without dataset 'x' are reported by path")
  func errors() throws {
    #expect(throws: DataError.self) { try PCam.load(from: dir, train: 0, test: 0, seed: 1) }
    try write("train", count: 2)
    try write("test", count: 2)
    try HDF5Dataset.write(path: dir + "/camelyonpatch_level_2_split_test_x.h5", name: "images", dims: [2, 1], values: [0, 0])
    #expect(throws: DataError.badHeader(path: dir + "/camelyonpatch_level_2_split_test_x.h5", reason: "it has no dataset 'x'")) {
      try PCam.load(from: dir, train: 0, test: 0, seed: 1)
    }
  }
}
