import AdvTensor

/// Antialiased bilinear resampling (PIL's / torchvision's `Resize` for images): a separable
/// triangle filter whose support widens with the downscaling factor, so every input pixel
/// contributes. For 96 → 32 each output pixel is the (1, 2, 3, 2, 1)/9-weighted mean of five
/// input pixels per axis.
enum Resample {
  /// Weights: for each output index, (first input index, weights).
  static func weights(input: Int, output: Int) -> [(Int, [Float])] {
    let scale = Double(input) / Double(output)
    let support = max(scale, 1)
    return (0..<output).map { i in
      let center = (Double(i) + 0.5) * scale
      let lo = max(0, Int((center - support).rounded(.down)))
      let hi = min(input, Int((center + support).rounded(.up)))
      var w: [Float] = []
      for j in lo..<hi {
        let x = (Double(j) + 0.5 - center) / support
        w.append(Float(max(0, 1 - abs(x))))
      }
      let total = w.reduce(0, +)
      return (lo, w.map { $0 / max(total, 1e-12) })
    }
  }

  /// Resizes one HxWxC byte image (channels last, as stored) into CxOHxOW bytes, each rounded to
  /// the nearest 8-bit value as PIL (and so torchvision on PIL images) returns them.
  static func resize(_ src: UnsafeBufferPointer<UInt8>, h: Int, w: Int, c: Int,
                     to oh: Int, _ ow: Int, into dst: UnsafeMutableBufferPointer<UInt8>, offset: Int) {
    let rows = weights(input: h, output: oh), cols = weights(input: w, output: ow)
    for ch in 0..<c {
      for (i, (r0, rw)) in rows.enumerated() {
        for (j, (c0, cw)) in cols.enumerated() {
          var s: Float = 0
          for (a, wa) in rw.enumerated() {
            var line: Float = 0
            let base = ((r0 + a) * w) * c + ch
            for (b, wb) in cw.enumerated() { line += wb * Float(src[base + (c0 + b) * c]) }
            s += wa * line
          }
          dst[offset + (ch * oh + i) * ow + j] = UInt8(max(0, min(255, s.rounded())))
        }
      }
    }
  }
}
