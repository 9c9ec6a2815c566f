import CZlib
import AdvTensor
import Foundation

/// Readers for the IDX format of MNIST (LeCun et al.), plain or gzip-compressed.
///
/// An IDX file is a big-endian header — magic `0x0000 TT DD` (TT = 0x08 for unsigned bytes, DD =
/// number of dimensions), then DD 32-bit sizes — followed by the data in row-major order. Bytes
/// after the data are ignored.
enum IDX {
  static let imagesMagic: UInt32 = 0x0000_0803
  static let labelsMagic: UInt32 = 0x0000_0801

  /// Deflate expands at most about 1032:1, so a gzip file of `n` bytes holds at most this many
  /// times `n` bytes of data: a header claiming more is damaged, whatever the stream holds.
  static let maximumGzipRatio = 1032

  /// The header and data of an IDX file (decompressed when it is gzip; zlib reads plain files
  /// unchanged). The header's claimed size is checked against what the file can hold before
  /// anything is read into memory, and no more than the claimed data is read.
  static func read(_ path: String, magic: UInt32) throws -> (dims: [Int], bytes: [UInt8]) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataError.notFound(path: path, hint: "check the path, or use 'load mnist' without 'from' for the embedded subset")
    }
    if isDirectory.boolValue { throw DataError.unreadable(path: path, reason: "it is a directory") }
    let fileSize = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    guard let file = gzopen(path, "rb") else {
      throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    defer { gzclose(file) }
    /// Up to `count` more bytes (fewer at the end of the data).
    func next(_ count: Int) throws -> [UInt8] {
      var out: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: min(count, 1 << 16))
      while out.count < count {
        let want = min(chunk.count, count - out.count)
        let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(want)) }
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
    let head = try next(4)
    guard head.count == 4 else { throw DataError.truncated(path: path, expectedBytes: 4, foundBytes: head.count) }
    let found = bigEndian(head, 0)
    guard found == magic else { throw DataError.badMagic(path: path, found: found, expected: magic) }
    let rank = Int(magic & 0xFF)
    let sizes = try next(4 * rank)
    guard sizes.count == 4 * rank else {
      throw DataError.badHeader(path: path, reason: "the header needs \(4 + 4 * rank) bytes, the file has \(4 + sizes.count)")
    }
    let dims = (0..<rank).map { Int(bigEndian(sizes, 4 * $0)) }
    var expected = 1
    for d in dims {
      let (product, overflow) = expected.multipliedReportingOverflow(by: d)
      guard !overflow else {
        throw DataError.badHeader(path: path, reason: "its dimensions \(dims) multiply to more bytes than any file holds")
      }
      expected = product
    }
    let offset = 4 + 4 * rank
    // A plain file is read as is (gzdirect), so its data is what follows the header; a gzip
    // file can expand to at most `maximumGzipRatio` times its size.
    let capacity = gzdirect(file) != 0 ? fileSize - offset : fileSize.multipliedReportingOverflow(by: maximumGzipRatio).partialValue
    if expected > capacity {
      if gzdirect(file) != 0 { throw DataError.truncated(path: path, expectedBytes: expected, foundBytes: max(0, capacity)) }
      throw DataError.badHeader(path: path, reason: "its dimensions \(dims) claim \(expected) bytes of data, more than a gzip file of \(fileSize) bytes can hold")
    }
    let data = try next(expected)
    guard data.count == expected else { throw DataError.truncated(path: path, expectedBytes: expected, foundBytes: data.count) }
    return (dims, data)
  }

  static func bigEndian(_ b: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(b[offset]) << 24 | UInt32(b[offset + 1]) << 16 | UInt32(b[offset + 2]) << 8 | UInt32(b[offset + 3])
  }

  /// Images as an `[N, 1, H, W]` tensor with pixels scaled to [0, 1].
  static func images(_ path: String) throws -> Tensor {
    let (dims, bytes) = try read(path, magic: imagesMagic)
    let n = dims[0], h = dims[1], w = dims[2]
    guard n > 0, h > 0, w > 0 else {
      throw DataError.badHeader(path: path, reason: "it holds \(n) images of \(h)x\(w) pixels; a data set needs at least one image of at least one pixel")
    }
    var t = Tensor(uninitialized: [n, 1, h, w])
    t.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = Float(bytes[i]) / 255 }
    }
    return t
  }

  static func labels(_ path: String, classes: Int) throws -> [Int] {
    let (_, bytes) = try read(path, magic: labelsMagic)
    let labels = bytes.map(Int.init)
    if let bad = labels.firstIndex(where: { $0 >= classes }) {
      throw DataError.badLabel(path: path, index: bad, value: labels[bad], classes: classes)
    }
    return labels
  }
}
