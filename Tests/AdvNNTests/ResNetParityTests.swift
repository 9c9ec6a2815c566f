import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

/// ResNet-18 against PyTorch's torchvision layout: both engines fill every `state_dict` tensor
/// with the closed-form rule of `scripts/make_resnet_parity_fixture.py`; the fixture holds
/// PyTorch's eval-mode logits and input gradients for four embedded test images.
@Suite("PyTorch parity: ResNet-18")
struct ResNetParityTests {
  /// The rule, in Double then rounded to Float, as the script computes it.
  static func formula(_ name: String, _ shape: [Int]) -> Tensor {
    let n = shape.reduce(1, *)
    let t = Double(name.unicodeScalars.reduce(0) { $0 + Int($1.value) })
    let s = (0..<n).map { sin(0.731 * Double($0) + 0.117 * t) }
    let v: [Double]
    if name.hasSuffix("running_var") {
      v = s.map { 0.5 + 0.5 * abs($0) }
    } else if name.hasSuffix("running_mean") {
      v = s.map { 0.1 * $0 }
    } else if shape.count >= 2 {
      let fanIn = Double(shape.dropFirst().reduce(1, *))
      v = s.map { $0 * (2 / fanIn).squareRoot() }
    } else if name.contains(".bn") || name.hasPrefix("bn") || name.contains("downsample.1") {
      v = name.hasSuffix("weight") ? s.map { 1 + 0.2 * $0 } : s.map { 0.1 * $0 }
    } else {
      v = s.map { 0.1 * $0 }
    }
    return Tensor(v.map { Float($0) }, shape: shape)
  }

  @Test("eval-mode logits and input gradients match PyTorch's")
  func parity() throws {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/resnet18-formula", withExtension: "safetensors"))
    let fixture = try SafeTensors(contentsOf: url.path)
    let net = try ResNet18.make(params: Params(spec: ResNet18.spec, given: [:]), inputShape: [1, 28, 28], classes: 10,
                                rng: RandomStream(seed: 0))
    var tensors: [String: Tensor] = [:]
    for (name, value) in net.stateDict.tensors { tensors[name] = Self.formula(name, value.shape) }
    try net.load(tensors)
    let x = try #require(fixture.tensors["inputs"])
    let labels = try #require(fixture.integers["labels"])
    let tape = Tape()
    let input = tape.variable(x)
    var rng = RandomStream(seed: 1)
    let logits = net.logits(input, rng: &rng)
    let grad = tape.gradients(of: crossEntropy(logits, labels: labels, reduction: .sum))[input]
    #expect(relativeError(logits.value, try #require(fixture.tensors["logits"])) < 1e-4)
    let reference = try #require(fixture.tensors["input_grad"])
    #expect((grad - reference).maxAbs() <= 1e-4 * reference.maxAbs())
  }
}
