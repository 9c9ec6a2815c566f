import AdvTensor
import Foundation

/// A rotation about the image centre (bilinear interpolation, zero outside the image) followed
/// by an integer translation (zero fill): the random transform R of ModCWL2 (attacks.md §4).
///
/// For a given angle and shift R is a fixed linear map of the pixel values, stored as four
/// source pixels and weights per output pixel (the same for every channel), so both R·x and
/// its adjoint Rᵀ·g (the gradient through R) are exact.
public struct ImageTransform: Sendable {
  public let height: Int
  public let width: Int
  /// Per output pixel: four source pixel indices (row-major in one plane) and their weights;
  /// a weight of 0 marks a source outside the image.
  var sources: [Int32]
  var weights: [Float]

  /// Rotation by `degrees` (counter-clockwise on the screen) about the centre, then a shift by
  /// `dx` columns and `dy` rows.
  public init(height: Int, width: Int, degrees: Double, dx: Int, dy: Int) {
    self.height = height
    self.width = width
    let n = height * width
    sources = Array(repeating: 0, count: 4 * n)
    weights = Array(repeating: 0, count: 4 * n)
    let theta = degrees * .pi / 180
    let cosT = cos(theta), sinT = sin(theta)
    let cy = Double(height - 1) / 2, cx = Double(width - 1) / 2
    for i in 0..<height {
      for j in 0..<width {
        let o = i * width + j
        // Undo the translation, then the rotation: where in the input this pixel comes from.
        let ri = i - dy, rj = j - dx
        guard ri >= 0, ri < height, rj >= 0, rj < width else { continue }
        let y = Double(ri) - cy, x = Double(rj) - cx
        // Rows grow downwards, so a counter-clockwise screen rotation by θ maps input (x, y) to
        // (x cos θ + y sin θ, −x sin θ + y cos θ); its inverse is applied here.
        let sx = cosT * x - sinT * y + cx
        let sy = sinT * x + cosT * y + cy
        let x0 = Int(floor(sx)), y0 = Int(floor(sy))
        let fx = sx - Double(x0), fy = sy - Double(y0)
        let corners = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                       (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
        for (k, (yy, xx, wgt)) in corners.enumerated() {
          guard yy >= 0, yy < height, xx >= 0, xx < width, wgt > 1e-12 else { continue }
          sources[4 * o + k] = Int32(yy * width + xx)
          weights[4 * o + k] = Float(wgt)
        }
      }
    }
  }

  /// A transform drawn as the paper describes: angle uniform in [−180°, 180°], then a shift of
  /// 0…`maxShift` whole pixels in one of the four axis directions.
  public static func random(height: Int, width: Int, maxShift: Int, rng: inout RandomStream) -> ImageTransform {
    let degrees = Double(rng.uniform()) * 360 - 180
    let direction = rng.int(below: 4)
    let shift = rng.int(below: maxShift + 1)
    let (dx, dy) = [(shift, 0), (-shift, 0), (0, shift), (0, -shift)][direction]
    return ImageTransform(height: height, width: width, degrees: degrees, dx: dx, dy: dy)
  }

  /// R·x for one image of `channels` planes: reads `input`, writes `output` (both C·H·W).
  public func apply(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, channels: Int) {
    let n = height * width
    sources.withUnsafeBufferPointer { s in
      weights.withUnsafeBufferPointer { w in
        for c in 0..<channels {
          let x = input + c * n, y = output + c * n
          for o in 0..<n {
            let b = 4 * o
            y[o] = w[b] * x[Int(s[b])] + w[b + 1] * x[Int(s[b + 1])] + w[b + 2] * x[Int(s[b + 2])] + w[b + 3] * x[Int(s[b + 3])]
          }
        }
      }
    }
  }

  /// Adds Rᵀ·g to `gradient` for one image of `channels` planes.
  public func accumulateAdjoint(_ g: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>, channels: Int, scale: Float = 1) {
    let n = height * width
    sources.withUnsafeBufferPointer { s in
      weights.withUnsafeBufferPointer { w in
        for c in 0..<channels {
          let gy = g + c * n, gx = gradient + c * n
          for o in 0..<n {
            let v = gy[o] * scale
            if v == 0 { continue }
            let b = 4 * o
            for k in 0..<4 where w[b + k] != 0 { gx[Int(s[b + k])] += w[b + k] * v }
          }
        }
      }
    }
  }
}
