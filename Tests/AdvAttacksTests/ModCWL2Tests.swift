import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

@Suite("Image transforms")
struct ImageTransformTests {
  func apply(_ t: ImageTransform, _ x: [Float], channels: Int = 1) -> [Float] {
    var y = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { t.apply(px.baseAddress!, $0.baseAddress!, channels: channels) } }
    return y
  }

  @Test("a quarter turn counter-clockwise moves the top-right pixel to the top-left, exactly")
  func quarterTurn() {
    let x: [Float] = [1, 2, 3,
                      4, 5, 6,
                      7, 8, 9]
    let y = apply(ImageTransform(height: 3, width: 3, degrees: 90, dx: 0, dy: 0), x)
    #expect(zip(y, [3, 6, 9, 2, 5, 8, 1, 4, 7] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(y)")
  }

  @Test("a shift moves whole pixels and fills with zeros")
  func shift() {
    let x: [Float] = [1, 2, 3,
                      4, 5, 6]
    #expect(apply(ImageTransform(height: 2, width: 3, degrees: 0, dx: 1, dy: 0), x) == [0, 1, 2, 0, 4, 5])
    #expect(apply(ImageTransform(height: 2, width: 3, degrees: 0, dx: 0, dy: -1), x) == [4, 5, 6, 0, 0, 0])
  }

  @Test("bilinear sampling: exact swaps, and zero weight for what falls outside the image")
  func bilinear() {
    // 180° about the centre of a 1x2 image swaps the two pixels.
    let swapped = apply(ImageTransform(height: 1, width: 2, degrees: 180, dx: 0, dy: 0), [1, 3])
    #expect(abs(swapped[0] - 3) < 1e-6 && abs(swapped[1] - 1) < 1e-6)
    // 45° on a 3x3 image of ones: the centre stays 1; the top-left output reads the input at
    // row 1 − √2 ≈ −0.414, column 1: 0.586 of pixel (0, 1) and 0.414 from outside (zero).
    let y = apply(ImageTransform(height: 3, width: 3, degrees: 45, dx: 0, dy: 0), [Float](repeating: 1, count: 9))
    #expect(abs(y[4] - 1) < 1e-6)
    #expect(abs(y[0] - Float(2 - 2.0.squareRoot())) < 1e-5, "\(y[0])")
  }

  @Test("the adjoint is the transpose: <R x, g> = <x, Rᵀ g>")
  func adjoint() {
    var rng = RandomStream(seed: 3)
    for _ in 0..<5 {
      let t = ImageTransform.random(height: 7, width: 9, maxShift: 3, rng: &rng)
      let x = (0..<126).map { _ in rng.normal() }, g = (0..<126).map { _ in rng.normal() }
      let rx = apply(t, x, channels: 2)
      var rtg = [Float](repeating: 0, count: 126)
      g.withUnsafeBufferPointer { pg in rtg.withUnsafeMutableBufferPointer { t.accumulateAdjoint(pg.baseAddress!, into: $0.baseAddress!, channels: 2) } }
      let lhs = zip(rx, g).map { Double($0 * $1) }.reduce(0, +)
      let rhs = zip(x, rtg).map { Double($0 * $1) }.reduce(0, +)
      #expect(abs(lhs - rhs) < 1e-4 * max(1, abs(lhs)), "\(lhs) vs \(rhs)")
    }
  }
}

@Suite("ModCWL2")
struct ModCWL2Tests {
  /// The PyTorch-trained LeNet of the BIM fixture and the embedded MNIST test split.
  static let lenet: (Network, Split) = {
    let url = Bundle.module.url(forResource: "Fixtures/lenet-bim", withExtension: "safetensors")!
    let fixture = try! SafeTensors(contentsOf: url.path)
    let net = try! LeNet.make(params: Params(spec: LeNet.spec, given: [:]), inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 0))
    try! net.load(fixture.tensors)
    return (net, try! MNIST.embedded().test)
  }()

  @Test("k=0 is CWL2, to the bit")
  func kZero() throws {
    let (net, split) = Self.lenet
    let given: [String: ParamValue] = ["search": .string("off"), "c": .real(1), "steps": .int(30)]
    let cw = Params(spec: CWL2.spec, given: given)
    var mod = given
    mod["k"] = .int(0)
    let modParams = Params(spec: ModCWL2.spec, given: mod)
    let a = try Evaluation(samples: 8).run(CWL2(params: cw), params: cw, on: net, split: split, seed: 2)
    let b = try Evaluation(samples: 8).run(ModCWL2(params: modParams), params: modParams, on: net, split: split, seed: 2)
    #expect(a.samples == b.samples)
    #expect(a.adversarials.map { $0?.scalars } == b.adversarials.map { $0?.scalars })
  }

  @Test("ModCWL2's adversarials survive a random rotation and shift more often than CWL2's (100 samples, LeNet)")
  func survivesTransforms() throws {
    let (net, split) = Self.lenet
    let given: [String: ParamValue] = ["search": .string("off"), "c": .real(1), "steps": .int(200), "lr": .real(0.05)]
    let cw = Params(spec: CWL2.spec, given: given)
    let mod = Params(spec: ModCWL2.spec, given: given)
    let a = try Evaluation(samples: 100).run(CWL2(params: cw), params: cw, on: net, split: split, seed: 5)
    let b = try Evaluation(samples: 100).run(ModCWL2(params: mod), params: mod, on: net, split: split, seed: 5)
    /// Over (adversarial, transform) pairs whose transformed clean image the model still
    /// classifies correctly (10 transforms per sample), the fraction whose transformed
    /// adversarial is misclassified.
    func survival(_ r: AttackResult) throws -> Double {
      var rng = RandomStream(seed: 9)
      var kept = 0, total = 0
      for (sample, image) in zip(r.samples, r.adversarials) {
        guard let image, sample.success == 1 else { continue }
        // `index` names the image in the data set; its position in the split may differ.
        let position = try #require(split.sourceIndices.firstIndex(of: sample.index))
        let clean = split.images.slice(position..<(position + 1))
        var batch = [Float](repeating: 0, count: 20 * 784)
        for q in 0..<10 {
          let t = ImageTransform.random(height: 28, width: 28, maxShift: 10, rng: &rng)
          image.withUnsafeBufferPointer { px in batch.withUnsafeMutableBufferPointer { t.apply(px.baseAddress!, $0.baseAddress! + q * 784, channels: 1) } }
          clean.withUnsafeBufferPointer { px in batch.withUnsafeMutableBufferPointer { t.apply(px.baseAddress!, $0.baseAddress! + (10 + q) * 784, channels: 1) } }
        }
        var noise = RandomStream(seed: 1)
        let predicted = net.predict(Tensor(batch, shape: [20, 1, 28, 28]), rng: &noise)
        for q in 0..<10 where predicted[10 + q] == sample.label {
          total += 1
          if predicted[q] != sample.label { kept += 1 }
        }
      }
      return Double(kept) / Double(max(total, 1))
    }
    let plain = try survival(a), robust = try survival(b)
    #expect(a.asr > 0.5 && b.asr > 0.5, "both attacks work: \(a.asr), \(b.asr)")
    #expect(robust > plain + 0.05, "survival: ModCWL2 \(robust) vs CWL2 \(plain); ASR \(b.asr) vs \(a.asr)")
  }
}
