@testable import AdvNN
import AdvSpec
import AdvTensor
import Foundation
import Testing

/// Training-set augmentation: each transform against a direct construction of what torchvision
/// does (pad, then crop; mirror; a quarter turn), the draws' spread, and the defaults per data set.
struct AugmentationTests {
  /// A 2×H×W image whose every pixel is distinct.
  func image(_ h: Int, _ w: Int, channels c: Int = 2) -> [Float] { (0..<(c * h * w)).map { Float($0 + 1) } }

  /// Pad by `s` zeros, crop the H×W window whose top-left corner is (s - dy, s - dx): what
  /// `RandomCrop(padding=s)` does, written the long way.
  func padThenCrop(_ x: [Float], c: Int, h: Int, w: Int, s: Int, dy: Int, dx: Int) -> [Float] {
    let (ph, pw) = (h + 2 * s, w + 2 * s)
    var padded = [Float](repeating: 0, count: c * ph * pw)
    for ch in 0..<c { for y in 0..<h { for q in 0..<w { padded[(ch * ph + y + s) * pw + q + s] = x[(ch * h + y) * w + q] } } }
    var out = [Float](repeating: 0, count: c * h * w)
    for ch in 0..<c { for y in 0..<h { for q in 0..<w { out[(ch * h + y) * w + q] = padded[(ch * ph + y + s - dy) * pw + q + s - dx] } } }
    return out
  }

  @Test("a shift is a crop of the zero-padded image, for every offset in range")
  func shiftIsPaddedCrop() {
    let (c, h, w, s) = (2, 5, 7, 2)
    let x = image(h, w)
    for dy in -s...s {
      for dx in -s...s {
        var buffer = x
        var scratch = [Float](repeating: 0, count: x.count)
        buffer.withUnsafeMutableBufferPointer { b in
          scratch.withUnsafeMutableBufferPointer { t in
            Augmentation.move(b, channels: c, h: h, w: w, dy: dy, dx: dx, flipY: false, flipX: false, scratch: t)
          }
        }
        #expect(buffer == padThenCrop(x, c: c, h: h, w: w, s: s, dy: dy, dx: dx), "dy \(dy), dx \(dx)")
      }
    }
  }

  @Test("flips mirror each channel's rows (h) and columns (v)")
  func flips() {
    let (c, h, w) = (2, 3, 4)
    let x = image(h, w)
    var buffer = x
    var scratch = [Float](repeating: 0, count: x.count)
    buffer.withUnsafeMutableBufferPointer { b in
      scratch.withUnsafeMutableBufferPointer { t in
        Augmentation.move(b, channels: c, h: h, w: w, dy: 0, dx: 0, flipY: true, flipX: true, scratch: t)
      }
    }
    for ch in 0..<c { for y in 0..<h { for q in 0..<w {
      #expect(buffer[(ch * h + y) * w + q] == x[(ch * h + h - 1 - y) * w + w - 1 - q])
    } } }
  }

  @Test("a quarter turn moves every pixel exactly; a turn keeps the centre")
  func quarterTurn() {
    let (c, n) = (2, 5)
    let x = image(n, n)
    var buffer = x
    var scratch = [Float](repeating: 0, count: x.count)
    buffer.withUnsafeMutableBufferPointer { b in
      scratch.withUnsafeMutableBufferPointer { t in Augmentation.rotate(b, channels: c, h: n, w: n, by: .pi / 2, scratch: t) }
    }
    for ch in 0..<c { for y in 0..<n { for q in 0..<n {
      #expect(abs(buffer[(ch * n + y) * n + q] - x[(ch * n + n - 1 - q) * n + y]) < 1e-3)
    } } }
    var small = x
    small.withUnsafeMutableBufferPointer { b in
      scratch.withUnsafeMutableBufferPointer { t in Augmentation.rotate(b, channels: c, h: n, w: n, by: 0.3, scratch: t) }
    }
    #expect(abs(small[2 * n + 2] - x[2 * n + 2]) < 1e-4)
  }

  @Test("every offset and flip is drawn, about equally often, and the same seed draws the same batch")
  func draws() {
    let (h, w) = (9, 9)
    var one = [Float](repeating: 0, count: h * w)
    one[4 * w + 4] = 1  // a single lit pixel at the centre
    let n = 5_000
    let batch = Tensor(Array((0..<n).map { _ in one }.joined()), shape: [n, 1, h, w])
    let a = Augmentation(shift: 2, flip: .h)
    var x = batch, rng = RandomStream(seed: 3)
    a.apply(&x, rng: &rng)
    var counts = [Int: Int]()
    x.withUnsafeBufferPointer { p in
      for i in 0..<n {
        let k = (0..<(h * w)).first { p[i * h * w + $0] == 1 }!
        counts[k, default: 0] += 1
      }
    }
    // The centre pixel lands anywhere in the 5×5 window: 25 positions (a flip of the centre
    // column changes nothing), each 1/25 of the time.
    #expect(counts.count == 25)
    for (_, k) in counts { #expect(abs(Double(k) / Double(n) - 0.04) < 0.012) }
    var again = batch, same = RandomStream(seed: 3)
    a.apply(&again, rng: &same)
    #expect(again.scalars == x.scalars)
  }

  @Test("the paper's architectures augment by default with each data set's reading; lenet does not")
  func defaults() {
    for (arch, dataset, shift, flip) in [("bsn-l", "mnist", 2, "none"), ("resnet18", "cifar10", 4, "h"), ("bnn-d", "pcam", 0, "hv"),
                                         ("bsn-2", "cifar10", 4, "h")] {
      let spec = Architectures.named(arch)!.spec
      let config = TrainingConfig(Params(spec: spec, given: [:], dataset: dataset))
      #expect(config.augmentation == Augmentation(shift: shift, flip: Augmentation.Flip(rawValue: flip)!), "\(arch) on \(dataset)")
    }
    #expect(TrainingConfig(Params(spec: LeNet.spec, given: [:], dataset: "mnist")).augmentation.isIdentity)
    #expect(TrainingConfig(Params(spec: BSNL.spec, given: ["augment": .bool(false)], dataset: "mnist")).augmentation.isIdentity)
  }
}
