import AdvData
import AdvTensor
import Foundation
import Testing

@Suite("CIFAR-10 binary reader")
struct CIFAR10Tests {
  var sample: String { Bundle.module.url(forResource: "Fixtures/cifar10-sample", withExtension: nil)!.path }

  @Test("the real 20-image sample loads with its labels and pixel range")
  func realSample() throws {
    let d = try CIFAR10.load(from: sample)
    #expect(d.train.images.shape == [16, 3, 32, 32])
    #expect(d.train.labels == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1, 0, 9, 5, 7, 9, 8])
    #expect(d.test.labels == [5, 7, 8, 6])
    let pixels = d.test.images.scalars
    #expect(pixels.min()! >= 0 && pixels.max()! <= 1 && pixels.max()! > 0.9)
  }

  @Test("a truncated batch is reported with its size")
  func truncated() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adv-cifar-\(getpid())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data(repeating: 1, count: 3073 * 2).write(to: URL(fileURLWithPath: dir + "/data_batch_1.bin"))
    try Data(repeating: 1, count: 3073 + 100).write(to: URL(fileURLWithPath: dir + "/test_batch.bin"))
    #expect(throws: DataError.truncated(path: dir + "/test_batch.bin", expectedBytes: 6146, foundBytes: 3173)) {
      try CIFAR10.load(from: dir)
    }
  }

  @Test("a directory without batches says what it needs")
  func empty() throws {
    #expect(throws: DataError.self) { try CIFAR10.load(from: FileManager.default.temporaryDirectory.path) }
  }
}
