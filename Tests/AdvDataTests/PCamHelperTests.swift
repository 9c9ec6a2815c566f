@testable import AdvData
import AdvTensor
import Foundation
import Testing

/// The file through which `adv read-pcam` hands PCam back to the process that asked (the helper
/// process itself is tested through `adv` in AdvLangTests' PCamHelperRunTests).
struct PCamHelperTests {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("adv-pcam-transfer-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bin").path

  func sample() -> Dataset {
    let train = Split(images: Tensor((0..<(3 * 3 * 4 * 4)).map { Float($0) / 7 }, shape: [3, 3, 4, 4]), labels: [0, 1, 1],
                      sourceIndices: [4, 9, 17])
    let test = Split(images: Tensor((0..<(2 * 3 * 4 * 4)).map { -Float($0) }, shape: [2, 3, 4, 4]), labels: [1, 0],
                     sourceIndices: [0, 3])
    return Dataset(name: "pcam", origin: "pcam:/data/ü reduce=resize", classes: 2, train: train, test: test)
  }

  @Test("a data set comes back from the transfer file exactly: images, labels, source indices, origin")
  func roundTrip() throws {
    defer { unlink(path) }
    let d = sample()
    try PCamHelper.writeTransfer(d, to: path)
    let back = try PCamHelper.readTransfer(path)
    #expect(back.origin == d.origin)
    #expect(back.classes == 2)
    #expect(back.train.images.shape == [3, 3, 4, 4])
    #expect(back.train.images.scalars == d.train.images.scalars)
    #expect(back.test.images.scalars == d.test.images.scalars)
    #expect(back.train.labels == [0, 1, 1] && back.test.labels == [1, 0])
    #expect(back.train.sourceIndices == [4, 9, 17] && back.test.sourceIndices == [0, 3])
  }

  @Test("a split kept as bytes crosses as bytes (a quarter of the floats' size)")
  func bytesRoundTrip() throws {
    defer { unlink(path) }
    let values = (0..<(3 * 3 * 4 * 4)).map { UInt8($0 % 256) }
    let train = Split(bytes: Split.Bytes(shape: [3, 3, 4, 4], values: values), labels: [1, 0, 1], sourceIndices: [2, 5, 8])
    let d = Dataset(name: "pcam", origin: "pcam:x", classes: 2, train: train, test: sample().test)
    try PCamHelper.writeTransfer(d, to: path)
    let back = try PCamHelper.readTransfer(path)
    #expect(back.train.bytes?.values == values && back.train.bytes?.shape == [3, 3, 4, 4])
    #expect(back.train.labels == [1, 0, 1] && back.train.sourceIndices == [2, 5, 8])
    #expect(back.test.bytes == nil && back.test.images.scalars == d.test.images.scalars)
  }

  @Test("a truncated transfer file is an error, not a crash or a huge allocation")
  func truncated() throws {
    defer { unlink(path) }
    try PCamHelper.writeTransfer(sample(), to: path)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    for cut in [0, 5, 20, 40, 100, bytes.count - 1] {
      try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
      #expect(throws: DataError.self) { try PCamHelper.readTransfer(path) }
    }
  }

  @Test("a DataError crosses the process boundary as JSON unchanged")
  func errorCoding() throws {
    let errors: [DataError] = [.badHeader(path: "/x.h5", reason: "r"), .subsetTooLarge(split: "train", requested: 5, available: 2),
                               .countMismatch(images: "a", imageCount: 1, labels: "b", labelCount: 2)]
    for e in errors {
      #expect(try JSONDecoder().decode(DataError.self, from: JSONEncoder().encode(e)) == e)
    }
  }
}
