import AdvReport
import CZlib
import Testing

/// A PNG reader for exactly what the encoder may write: 8-bit RGB, not interlaced, filter
/// type 0 on every row. Written from the PNG specification, independent of the encoder.
enum PNGReader {
  struct Failure: Error, CustomStringConvertible { var description: String }

  static func u32(_ b: ArraySlice<UInt8>) -> UInt32 {
    b.reduce(0) { ($0 << 8) | UInt32($1) }
  }

  /// Decodes `file`, checking the signature, chunk order and every chunk's CRC.
  static func decode(_ file: [UInt8]) throws -> RGBImage {
    guard file.starts(with: [137, 80, 78, 71, 13, 10, 26, 10]) else { throw Failure(description: "no PNG signature") }
    var at = 8
    var chunks: [(type: String, data: [UInt8])] = []
    while at < file.count {
      guard at + 12 <= file.count else { throw Failure(description: "truncated chunk at \(at)") }
      let length = Int(u32(file[at..<(at + 4)]))
      guard at + 12 + length <= file.count else { throw Failure(description: "chunk overruns the file") }
      let typeAndData = Array(file[(at + 4)..<(at + 8 + length)])
      let crc = typeAndData.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
      guard crc == u32(file[(at + 8 + length)..<(at + 12 + length)]) else { throw Failure(description: "bad CRC") }
      chunks.append((String(decoding: typeAndData.prefix(4), as: UTF8.self), Array(typeAndData.dropFirst(4))))
      at += 12 + length
    }
    guard chunks.first?.type == "IHDR", chunks.last?.type == "IEND", chunks.last?.data.isEmpty == true else {
      throw Failure(description: "chunks are not IHDR … IEND")
    }
    let ihdr = chunks[0].data
    guard ihdr.count == 13, Array(ihdr[8..<13]) == [8, 2, 0, 0, 0] else { throw Failure(description: "not 8-bit RGB, plain") }
    let width = Int(u32(ihdr[0..<4])), height = Int(u32(ihdr[4..<8]))
    let compressed = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
    var raw = [UInt8](repeating: 0, count: height * (3 * width + 1))
    var rawLength = uLong(raw.count)
    let status = raw.withUnsafeMutableBufferPointer { dst in
      compressed.withUnsafeBufferPointer { uncompress(dst.baseAddress, &rawLength, $0.baseAddress, uLong($0.count)) }
    }
    guard status == Z_OK, rawLength == uLong(raw.count) else { throw Failure(description: "IDAT does not inflate to the image") }
    var pixels: [UInt8] = []
    for y in 0..<height {
      let row = y * (3 * width + 1)
      guard raw[row] == 0 else { throw Failure(description: "row \(y) uses filter \(raw[row])") }
      pixels += raw[(row + 1)..<(row + 1 + 3 * width)]
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }
}

@Suite("RGB images and PNG")
struct PNGTests {
  @Test("a PNG decodes back to the encoder's pixels, every chunk's CRC correct")
  func roundTrip() throws {
    let width = 13, height = 7
    let pixels = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 5) }
    let image = RGBImage(width: width, height: height, pixels: pixels)
    #expect(try PNGReader.decode(image.png()) == image)
  }

  @Test("a corrupted PNG byte is caught by the reader's CRC check")
  func corruption() throws {
    var file = RGBImage(width: 3, height: 2, fill: RGB(1, 2, 3)).png()
    file[20] ^= 0xff  // inside IHDR's data
    #expect(throws: PNGReader.Failure.self) { try PNGReader.decode(file) }
  }

  @Test("grey and CHW floats become bytes: 0 black, 1 white, outside [0, 1] clamped, NaN black")
  func floats() {
    let grey = RGBImage(grayscale: [0, 1, 0.5, -3, 7, .nan], width: 3, height: 2)
    #expect(grey.pixels == [0, 0, 0, 255, 255, 255, 128, 128, 128, 0, 0, 0, 255, 255, 255, 0, 0, 0])
    // Two pixels; planes R, G, B.
    let colour = RGBImage(chw: [1, 0, 0, 1, 0.2, 0], channels: 3, height: 1, width: 2)
    #expect(colour[x: 0, y: 0] == RGB(255, 0, 51))
    #expect(colour[x: 1, y: 0] == RGB(0, 255, 0))
  }

  @Test("nearest-neighbour scaling repeats every pixel k by k times")
  func scaling() {
    let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
    let big = image.scaled(by: 3)
    #expect(big.width == 6 && big.height == 3)
    for y in 0..<3 {
      for x in 0..<6 { #expect(big[x: x, y: y] == image[x: x / 3, y: 0]) }
    }
  }
}
