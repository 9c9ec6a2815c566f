import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

/// Our engine against PyTorch on the same LeNet weights (`scripts/make_bim_fixture.py`: LeNet
/// trained in PyTorch on the embedded subset, test accuracy 0.955, then BIM per attacks.md §2).
@Suite("PyTorch parity: LeNet and BIM")
struct PyTorchParityTests {
  let fixture: SafeTensors
  let net: Network
  let images: Tensor
  let labels: [Int]

  init() throws {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/lenet-bim", withExtension: "safetensors"))
    fixture = try SafeTensors(contentsOf: url.path)
    net = try LeNet.make(params: Params(spec: LeNet.spec, given: [:]), inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 0))
    try net.load(fixture.tensors)  // no normalisation: the PyTorch model has none
    images = try #require(fixture.tensors["images"])
    labels = try #require(fixture.integers["labels"])
  }

  @Test("logits match PyTorch's to 1e-4 relative")
  func logits() throws {
    var rng = RandomStream(seed: 1)
    let ours = net.logits(images, rng: &rng)
    #expect(relativeError(ours, try #require(fixture.tensors["logits"])) < 1e-4)
  }

  @Test("input gradients of the summed cross-entropy match PyTorch's")
  func inputGradient() throws {
    var rng = RandomStream(seed: 1)
    let tape = Tape()
    let x = tape.variable(images)
    let g = tape.gradients(of: crossEntropy(net.logits(x, rng: &rng), labels: labels, reduction: .sum))[x]
    let reference = try #require(fixture.tensors["input_grad"])
    let scale = reference.maxAbs()
    #expect((g - reference).maxAbs() < 1e-4 * scale)
  }

  @Test("BIM adversarials equal PyTorch's at eps 16/255 and 32/255", arguments: [16, 32])
  func bim(eps: Int) throws {
    let reference = try #require(fixture.tensors["adv_eps\(eps)"])
    let referenceSuccess = try #require(fixture.tensors["success_eps\(eps)"]).scalars
    let params = Params(spec: BIM.spec, given: ["eps": .real(Double(eps) / 255)])
    var rng = RandomStream(seed: 2)
    var adv = AdversarialBatch(model: net, images: images, labels: labels, rng: rng)
    try BIM(params: params).run(&adv, rng: &rng)
    var agree = 0, closeImages = 0
    for i in 0..<labels.count {
      let ours: Float = adv.best[i] == nil ? 0 : 1
      if ours == referenceSuccess[i] { agree += 1 }
      if let a = adv.best[i], referenceSuccess[i] == 1 {
        let r = reference.slice(i..<(i + 1))
        // A pixel whose gradient is within rounding of 0 may step the other way; the rest agree.
        let differing = (a - r).scalars.filter { abs($0) > 1e-5 }.count
        if Double(differing) / Double(a.count) < 0.01 { closeImages += 1 }
      }
    }
    let successes = referenceSuccess.filter { $0 == 1 }.count
    #expect(agree >= labels.count - 1, "success flags agree on \(agree) of \(labels.count)")
    #expect(closeImages >= successes - 1, "\(closeImages) of \(successes) adversarials equal PyTorch's")
  }
}
