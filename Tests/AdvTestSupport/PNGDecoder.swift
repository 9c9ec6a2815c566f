import CZlib
import Foundation

/// A PNG reader for tests, independent of the encoder under test: chunks with their CRCs, the
/// zlib stream inflated, every scanline filter (none, sub, up, average, Paeth) undone. 8-bit
/// grey, grey+alpha, RGB and RGBA, not interlaced (what the engine and Chromium write).
public struct DecodedPNG {
  public let width: Int
  public let height: Int
  /// RGBA, row-major.
  public let rgba: [UInt8]

  /// The pixel at (x, y) as (r, g, b, a).
  public func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
    let o = (y * width + x) * 4
    return (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3])
  }
}

public struct PNGDecodeError: Error, CustomStringConvertible {
  public let description: String
}

public func decodePNG(_ bytes: [UInt8]) throws -> DecodedPNG {
  func fail(_ s: String) -> PNGDecodeError { PNGDecodeError(description: s) }
  guard bytes.count > 8, Array(bytes[0..<8]) == [137, 80, 78, 71, 13, 10, 26, 10] else { throw fail("no PNG signature") }
  func u32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
  var at = 8
  var width = 0, height = 0, colorType = -1
  var idat: [UInt8] = []
  var ended = false
  while at + 12 <= bytes.count {
    let length = u32(at)
    guard at + 12 + length <= bytes.count else { throw fail("chunk runs past the end") }
    let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
    let body = Array(bytes[(at + 8)..<(at + 8 + length)])
    let stored = UInt(u32(at + 8 + length))
    let crc = bytes[(at + 4)..<(at + 8 + length)].withContiguousStorageIfAvailable { p in
      crc32(0, p.baseAddress, uInt(p.count))
    } ?? 0
    guard UInt(crc) == stored else { throw fail("bad CRC in \(type)") }
    switch type {
    case "IHDR":
      width = u32(at + 8)
      height = u32(at + 12)
      guard body[8] == 8, body[12] == 0 else { throw fail("only 8-bit, non-interlaced images") }
      colorType = Int(body[9])
    case "IDAT": idat += body
    case "IEND": ended = true
    default: break
    }
    at += 12 + length
    if ended { break }
  }
  guard ended, width > 0, height > 0 else { throw fail("no IHDR or IEND") }
  let channels: Int
  switch colorType {
  case 0: channels = 1
  case 2: channels = 3
  case 4: channels = 2
  case 6: channels = 4
  default: throw fail("colour type \(colorType) not read")
  }
  let stride = width * channels
  var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
  var rawLength = uLongf(raw.count)
  let status = raw.withUnsafeMutableBufferPointer { out in
    idat.withUnsafeBufferPointer { src in uncompress(out.baseAddress, &rawLength, src.baseAddress, uLong(src.count)) }
  }
  guard status == Z_OK, Int(rawLength) == raw.count else { throw fail("IDAT does not inflate to \(raw.count) bytes") }
  var pixels = [UInt8](repeating: 0, count: stride * height)
  for y in 0..<height {
    let filter = raw[y * (stride + 1)]
    for i in 0..<stride {
      let x = Int(raw[y * (stride + 1) + 1 + i])
      let a = i >= channels ? Int(pixels[y * stride + i - channels]) : 0
      let b = y > 0 ? Int(pixels[(y - 1) * stride + i]) : 0
      let c = (i >= channels && y > 0) ? Int(pixels[(y - 1) * stride + i - channels]) : 0
      let predicted: Int
      switch filter {
      case 0: predicted = 0
      case 1: predicted = a
      case 2: predicted = b
      case 3: predicted = (a + b) / 2
      case 4:
        let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      default: throw fail("unknown filter \(filter) in row \(y)")
      }
      pixels[y * stride + i] = UInt8((x + predicted) & 0xFF)
    }
  }
  var rgba = [UInt8](repeating: 255, count: width * height * 4)
  for p in 0..<(width * height) {
    let s = p * channels
    switch channels {
    case 1: rgba[p * 4] = pixels[s]; rgba[p * 4 + 1] = pixels[s]; rgba[p * 4 + 2] = pixels[s]
    case 2: rgba[p * 4] = pixels[s]; rgba[p * 4 + 1] = pixels[s]; rgba[p * 4 + 2] = pixels[s]; rgba[p * 4 + 3] = pixels[s + 1]
    default:
      for k in 0..<3 { rgba[p * 4 + k] = pixels[s + k] }
      if channels == 4 { rgba[p * 4 + 3] = pixels[s + 3] }
    }
  }
  return DecodedPNG(width: width, height: height, rgba: rgba)
}
