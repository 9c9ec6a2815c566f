import CZlib

/// An 8-bit RGB raster, row-major, three bytes a pixel, (0, 0) at the top left: the canvas of
/// image grids and decision maps, written out as PNG.
public struct RGBImage: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// `width * height * 3` bytes: R, G, B of pixel (x, y) at `3 * (y * width + x)`.
  public var pixels: [UInt8]

  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3, "three bytes per pixel")
    self.width = width; self.height = height; self.pixels = pixels
  }

  /// An image of one colour.
  public init(width: Int, height: Int, fill: RGB = .white) {
    precondition(width >= 0 && height >= 0, "a size is not negative")
    self.width = width; self.height = height
    pixels = [UInt8](repeating: 0, count: width * height * 3)
    fillRect(x: 0, y: 0, width: width, height: height, color: fill)
  }

  /// A grey image from intensities in [0, 1], row-major: 0 is black, 1 white, values outside
  /// are clamped and NaN is black.
  public init(grayscale: [Float], width: Int, height: Int) {
    self.init(chw: grayscale, channels: 1, height: height, width: width)
  }

  /// An image from a tensor's CHW floats in [0, 1] (the engine's layout): one channel is grey,
  /// three are R, G, B. Values are clamped, NaN is 0, and rounded to the nearest of 256 levels.
  public init(chw: [Float], channels: Int, height: Int, width: Int) {
    precondition(channels == 1 || channels == 3, "an image has 1 or 3 channels")
    precondition(chw.count == channels * height * width, "CHW floats: channels × height × width")
    func byte(_ v: Float) -> UInt8 { v.isNaN ? 0 : UInt8((min(max(v, 0), 1) * 255).rounded()) }
    let plane = height * width
    var pixels = [UInt8](repeating: 0, count: plane * 3)
    for i in 0..<plane {
      for c in 0..<3 { pixels[3 * i + c] = byte(chw[(channels == 1 ? 0 : c) * plane + i]) }
    }
    self.init(width: width, height: height, pixels: pixels)
  }

  public subscript(x x: Int, y y: Int) -> RGB {
    get {
      let i = 3 * (y * width + x)
      return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }
    set {
      let i = 3 * (y * width + x)
      pixels[i] = newValue.r; pixels[i + 1] = newValue.g; pixels[i + 2] = newValue.b
    }
  }

  /// Each pixel repeated `k` × `k` times (nearest neighbour), so small digits stay sharp.
  public func scaled(by k: Int) -> RGBImage {
    precondition(k >= 1, "a scale is at least 1")
    if k == 1 { return self }
    var out = [UInt8](repeating: 0, count: width * k * height * k * 3)
    let row = width * k * 3
    for y in 0..<height {
      var line = [UInt8]()
      line.reserveCapacity(row)
      for x in 0..<width {
        let i = 3 * (y * width + x)
        for _ in 0..<k { line += pixels[i..<(i + 3)] }
      }
      for r in 0..<k { out.replaceSubrange((y * k + r) * row..<((y * k + r + 1) * row), with: line) }
    }
    return RGBImage(width: width * k, height: height * k, pixels: out)
  }

  /// Paints a rectangle, clipped to the image.
  public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
    let x0 = max(x, 0), x1 = min(x + w, width), y0 = max(y, 0), y1 = min(y + h, height)
    guard x0 < x1, y0 < y1 else { return }
    for yy in y0..<y1 {
      for xx in x0..<x1 { self[x: xx, y: yy] = color }
    }
  }

  /// A one-pixel outline just outside the rectangle (x, y, w, h), clipped.
  public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
    fillRect(x: x - 1, y: y - 1, width: w + 2, height: 1, color: color)
    fillRect(x: x - 1, y: y + h, width: w + 2, height: 1, color: color)
    fillRect(x: x - 1, y: y, width: 1, height: h, color: color)
    fillRect(x: x + w, y: y, width: 1, height: h, color: color)
  }

  /// A filled disc of radius `r` centred at (cx, cy), clipped.
  public mutating func fillCircle(cx: Double, cy: Double, r: Double, color: RGB) {
    let x0 = Int((cx - r).rounded(.down)), x1 = Int((cx + r).rounded(.up))
    let y0 = Int((cy - r).rounded(.down)), y1 = Int((cy + r).rounded(.up))
    for yy in stride(from: max(y0, 0), through: min(y1, height - 1), by: 1) {
      for xx in stride(from: max(x0, 0), through: min(x1, width - 1), by: 1) {
        let dx = Double(xx) + 0.5 - cx, dy = Double(yy) + 0.5 - cy
        if dx * dx + dy * dy <= r * r { self[x: xx, y: yy] = color }
      }
    }
  }

  /// Copies `image` with its top-left corner at (x, y), clipped.
  public mutating func draw(_ image: RGBImage, x: Int, y: Int) {
    let x0 = max(x, 0), x1 = min(x + image.width, width)
    guard x0 < x1 else { return }
    for yy in stride(from: max(y, 0), to: min(y + image.height, height), by: 1) {
      let src = 3 * ((yy - y) * image.width + (x0 - x)), dst = 3 * (yy * width + x0)
      let n = 3 * (x1 - x0)
      pixels.replaceSubrange(dst..<(dst + n), with: image.pixels[src..<(src + n)])
    }
  }

  /// The image as a PNG file: signature, IHDR (8-bit RGB, no interlace), one IDAT holding the
  /// zlib-compressed rows, each with filter type 0 (none), and IEND, every chunk with its CRC.
  ///
  /// - Precondition: width and height are at least 1 (PNG has no empty images).
  public func png() -> [UInt8] {
    precondition(width >= 1 && height >= 1, "a PNG is at least 1×1")
    var raw = [UInt8]()
    raw.reserveCapacity((width * 3 + 1) * height)
    for y in 0..<height {
      raw.append(0)
      raw += pixels[(y * width * 3)..<((y + 1) * width * 3)]
    }
    var ihdr = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
    ihdr += [8, 2, 0, 0, 0]  // bit depth, colour type RGB, deflate, filter method 0, no interlace
    var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    file += pngChunk("IHDR", ihdr)
    file += pngChunk("IDAT", zlibCompressed(raw))
    file += pngChunk("IEND", [])
    return file
  }
}

func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

/// Length, type, data, and the CRC-32 of type and data.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
  let typeAndData = Array(type.utf8) + data
  let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
  return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(UInt32(crc))
}

/// `data` as a zlib stream (level 9).
func zlibCompressed(_ data: [UInt8]) -> [UInt8] {
  var length = compressBound(uLong(data.count))
  var out = [UInt8](repeating: 0, count: Int(length))
  let status = out.withUnsafeMutableBufferPointer { dst in
    data.withUnsafeBufferPointer { src in compress2(dst.baseAddress, &length, src.baseAddress, uLong(src.count), 9) }
  }
  // compressBound sized the buffer, so only memory exhaustion can fail here.
  precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
  return Array(out.prefix(Int(length)))
}
