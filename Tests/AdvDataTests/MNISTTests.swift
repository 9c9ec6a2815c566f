import AdvData
import AdvTensor
import Foundation
import Testing

@Suite("MNIST IDX reader")
final class MNISTTests {
  let dir: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("adv-idx-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  deinit { try? FileManager.default.removeItem(atPath: dir) }

  func idx(magic: UInt32, dims: [UInt32], body: [UInt8]) -> Data {
    var bytes: [UInt8] = []
    for v in [magic] + dims { bytes += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    return Data(bytes + body)
  }

  /// Writes a tiny MNIST directory with `n` train and test images of 28x28; returns its path.
  func writeMNIST(n: Int, truncateTrainImages: Bool = false, swapLabels: Bool = false) throws -> String {
    let pixels = (0..<(n * 784)).map { UInt8($0 % 256) }
    var images = idx(magic: 0x803, dims: [UInt32(n), 28, 28], body: pixels)
    let labels = idx(magic: 0x801, dims: [UInt32(n)], body: (0..<n).map { UInt8($0 % 10) })
    if truncateTrainImages { images = images.prefix(images.count - 100) }
    try images.write(to: URL(fileURLWithPath: dir + "/train-images-idx3-ubyte"))
    try (swapLabels ? images : labels).write(to: URL(fileURLWithPath: dir + "/train-labels-idx1-ubyte"))
    try idx(magic: 0x803, dims: [UInt32(n), 28, 28], body: pixels).write(to: URL(fileURLWithPath: dir + "/t10k-images-idx3-ubyte"))
    try labels.write(to: URL(fileURLWithPath: dir + "/t10k-labels-idx1-ubyte"))
    return dir
  }

  @Test("the embedded subset holds 4,000 + 1,000 real digits, 400/100 per class")
  func embedded() throws {
    let d = try MNIST.embedded()
    #expect(d.train.images.shape == [4000, 1, 28, 28])
    #expect(d.test.images.shape == [1000, 1, 28, 28])
    #expect(Array(d.train.labels.prefix(12)) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
    #expect((0..<10).allSatisfy { c in d.test.labels.filter { $0 == c }.count == 100 })
    let pixels = d.train.images.scalars
    #expect(pixels.min() == 0 && pixels.max() == 1)
  }

  @Test("a plain IDX directory loads with pixels scaled to [0, 1]")
  func plainFiles() throws {
    let d = try MNIST.load(from: try writeMNIST(n: 3))
    #expect(d.train.images.shape == [3, 1, 28, 28])
    #expect(d.train.images[flat: 255] == 1)
    #expect(d.test.labels == [0, 1, 2])
  }

  @Test("a truncated file is reported with its path and sizes")
  func truncated() throws {
    let path = try writeMNIST(n: 2, truncateTrainImages: true)
    #expect(throws: DataError.truncated(path: path + "/train-images-idx3-ubyte", expectedBytes: 1568, foundBytes: 1468)) {
      try MNIST.load(from: path)
    }
  }

  @Test("an images file where labels belong is refused by its magic number")
  func wrongMagic() throws {
    let path = try writeMNIST(n: 2, swapLabels: true)
    #expect(throws: DataError.badMagic(path: path + "/train-labels-idx1-ubyte", found: 0x803, expected: 0x801)) {
      try MNIST.load(from: path)
    }
  }

  @Test("a missing directory names the path and suggests the embedded subset")
  func missing() {
    do {
      _ = try MNIST.load(from: "/nonexistent/mnist")
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".contains("cannot find '/nonexistent/mnist'"))
      #expect("\(error)".contains("'load mnist'"))
    }
  }

  @Test("stratified subsets keep class proportions and are seeded")
  func subsets() throws {
    let d = try MNIST.embedded()
    let a = try d.subset(train: 500, test: 100, seed: 3), b = try d.subset(train: 500, test: 100, seed: 3)
    #expect(a.train.count == 500 && a.test.count == 100)
    #expect((0..<10).allSatisfy { c in a.train.labels.filter { $0 == c }.count == 50 })
    #expect(a.train.sourceIndices == b.train.sourceIndices)
    #expect(throws: DataError.self) { try d.subset(train: 5000, test: 0, seed: 1) }
  }
}
