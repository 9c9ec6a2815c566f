import AdvTensor
import Foundation

/// Training-set augmentation, drawn afresh for every image of every batch (stochastic-nets.md §1,
/// reading): the paper trains ResNet18 "with data augmentation on the training set" and its BSNs
/// and BNNs with "similar preprocessing", without listing the transforms. What torchvision users
/// write for each data set is the default:
///
/// | data set | `shift` | `flip` | torchvision |
/// |---|---|---|---|
/// | MNIST | 2 | none | `RandomCrop(28, padding=2)` |
/// | CIFAR-10 | 4 | h | `RandomCrop(32, padding=4)`, `RandomHorizontalFlip()` |
/// | PCam | 0 | hv | `RandomHorizontalFlip()`, `RandomVerticalFlip()` |
///
/// `shift` = s moves the image by a uniform whole offset in [-s, s] on each axis, filling with
/// zeros (exactly a random crop of the image padded by s zeros); `flip` mirrors with
/// probability 1/2 per axis; `rotate` = d turns by a uniform angle in [-d°, d°] about the centre
/// (bilinear, zero fill; torchvision's `RandomRotation(d)`, which is nearest by default). Applied
/// in pixel space, before the model's own normalisation, as torchvision's order is.
public struct Augmentation: Sendable, Hashable {
  public enum Flip: String, ParamChoice { case none, h, hv }

  public var shift: Int
  public var flip: Flip
  public var rotate: Double

  public init(shift: Int = 0, flip: Flip = .none, rotate: Double = 0) {
    self.shift = shift
    self.flip = flip
    self.rotate = rotate
  }

  /// No change at all.
  public var isIdentity: Bool { shift == 0 && flip == .none && rotate == 0 }

  /// Augments every image of the batch `x` (N×C×H×W) in place, drawing from `rng`: per image,
  /// the angle, the two offsets and the two flips, in that order.
  public func apply(_ x: inout Tensor, rng: inout RandomStream) {
    guard !isIdentity, x.shape.count == 4 else { return }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let plane = h * w
    var scratch = [Float](repeating: 0, count: c * plane)
    x.withUnsafeMutableBufferPointer { buffer in
      scratch.withUnsafeMutableBufferPointer { tmp in
        for i in 0..<n {
          let image = UnsafeMutableBufferPointer(rebasing: buffer[(i * c * plane)..<((i + 1) * c * plane)])
          let angle = rotate > 0 ? (rng.uniformDouble() * 2 - 1) * rotate * .pi / 180 : 0
          let dy = shift > 0 ? rng.int(below: 2 * shift + 1) - shift : 0
          let dx = shift > 0 ? rng.int(below: 2 * shift + 1) - shift : 0
          let flipX = flip != .none && rng.bernoulli(0.5)
          let flipY = flip == .hv && rng.bernoulli(0.5)
          if angle != 0 { Self.rotate(image, channels: c, h: h, w: w, by: angle, scratch: tmp) }
          if dx != 0 || dy != 0 || flipX || flipY {
            Self.move(image, channels: c, h: h, w: w, dy: dy, dx: dx, flipY: flipY, flipX: flipX, scratch: tmp)
          }
        }
      }
    }
  }

  /// out(y, x) = in(y', x') with y' = (flipY ? h-1-y : y) - dy and likewise x', zero outside.
  static func move(_ image: UnsafeMutableBufferPointer<Float>, channels c: Int, h: Int, w: Int, dy: Int, dx: Int,
                   flipY: Bool, flipX: Bool, scratch: UnsafeMutableBufferPointer<Float>) {
    _ = scratch.update(fromContentsOf: image)
    for ch in 0..<c {
      let base = ch * h * w
      for y in 0..<h {
        let sy = (flipY ? h - 1 - y : y) - dy
        let row = base + y * w
        guard sy >= 0 && sy < h else {
          for x in 0..<w { image[row + x] = 0 }
          continue
        }
        let srow = base + sy * w
        for x in 0..<w {
          let sx = (flipX ? w - 1 - x : x) - dx
          image[row + x] = sx >= 0 && sx < w ? scratch[srow + sx] : 0
        }
      }
    }
  }

  /// Turns the image by `angle` radians about its centre, sampling bilinearly, zero outside.
  static func rotate(_ image: UnsafeMutableBufferPointer<Float>, channels c: Int, h: Int, w: Int, by angle: Double,
                     scratch: UnsafeMutableBufferPointer<Float>) {
    _ = scratch.update(fromContentsOf: image)
    let (cy, cx) = (Double(h - 1) / 2, Double(w - 1) / 2)
    let (cosA, sinA) = (cos(angle), sin(angle))
    for y in 0..<h {
      for x in 0..<w {
        // The source of output pixel (y, x): the inverse rotation.
        let u = Double(x) - cx, v = Double(y) - cy
        let sx = cosA * u + sinA * v + cx, sy = -sinA * u + cosA * v + cy
        let x0 = Int(floor(sx)), y0 = Int(floor(sy))
        let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
        for ch in 0..<c {
          let base = ch * h * w
          func at(_ yy: Int, _ xx: Int) -> Float { yy >= 0 && yy < h && xx >= 0 && xx < w ? scratch[base + yy * w + xx] : 0 }
          let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
          let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
          image[base + y * w + x] = top * (1 - fy) + bottom * fy
        }
      }
    }
  }
}
