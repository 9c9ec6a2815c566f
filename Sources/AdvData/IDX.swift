import CZlib
import AdvTensor
import Foundation

/// Readers for the IDX format of MNIST (LeCun et al.), plain or gzip-compressed.
///
/// An IDX file is a big-endian header — magic `0x0000 TT DD` (TT = 0x08 for unsigned bytes, DD =
/// number of dimensions), then DD 32-bit sizes — followed by the data in row-major order.
enum IDX {
  static let imagesMagic: UInt32 = 0x0000_0803
  static let labelsMagic: UInt32 = 0x0000_0801

  /// The whole file, decompressed when it is gzip (zlib reads plain files unchanged).
  static func readBytes(_ path: String) throws -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else {
      throw DataError.notFound(path: path, hint: "check the path, or use 'load mnist' without 'from' for the embedded subset")
    }
    guard let file = gzopen(path, "rb") else {
      throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    defer { gzclose(file) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
      if n < 0 {
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? "decompression failed"
        throw DataError.unreadable(path: path, reason: "\(message) (the gzip stream is damaged or cut short)")
      }
      if n == 0 { break }
      out.append(contentsOf: chunk[0..<Int(n)])
    }
    return out
  }

  static func bigEndian(_ b: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8 | UInt32(b[offset + 3])
  }

  /// Parses the header, checks the magic number and the data size; returns dims and data offset.
  static func header(_ bytes: [UInt8], path: String, magic: UInt32) throws -> (dims: [Int], offset: Int) {
    guard bytes.count >= 4 else { throw DataError.truncated(path: path, expectedBytes: 4, foundBytes: bytes.count) }
    let found = bigEndian(bytes, 0)
    guard found == magic else { throw DataError.badMagic(path: path, found: found, expected: magic) }
    let rank = Int(magic & 0xFF)
    let offset = 4 + 4 * rank
    guard bytes.count >= offset else {
      throw DataError.badHeader(path: path, reason: "the header needs \(offset) bytes, the file has \(bytes.count)")
    }
    let dims = (0..<rank).map { Int(bigEndian(bytes, 4 + 4 * $0)) }
    let expected = dims.reduce(1, *)
    guard bytes.count - offset >= expected else {
      throw DataError.truncated(path: path, expectedBytes: expected, foundBytes: bytes.count - offset)
    }
    return (dims, offset)
  }

  /// Images as an `[N, 1, H, W]` tensor with pixels scaled to [0, 1].
  static func images(_ path: String) throws -> Tensor {
    let bytes = try readBytes(path)
    let (dims, offset) = try header(bytes, path: path, magic: imagesMagic)
    let n = dims[0], h = dims[1], w = dims[2]
    var t = Tensor(uninitialized: [n, 1, h, w])
    t.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = Float(bytes[offset + i]) / 255 }
    }
    return t
  }

  static func labels(_ path: String, classes: Int) throws -> [Int] {
    let bytes = try readBytes(path)
    let (dims, offset) = try header(bytes, path: path, magic: labelsMagic)
    let labels = (0..<dims[0]).map { Int(bytes[offset + $0]) }
    if let bad = labels.firstIndex(where: { $0 >= classes }) {
      throw DataError.badLabel(path: path, index: bad, value: labels[bad], classes: classes)
    }
    return labels
  }
}
