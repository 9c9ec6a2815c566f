import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Testing

/// Attacks see only the `Model` protocol: a model that is not a `Network` is attacked by every
/// registered attack without touching the attack files.
@Suite("attacks on any model")
struct ModelConformanceTests {
  static let names = Attacks.all.map { $0.spec.name }

  @Test("the logit average of a network with itself is attacked exactly as the network, bit for bit", arguments: names)
  func selfMixture(name: String) throws {
    // (z + z) / 2 = z and its gradient halves and sums back exactly, so any difference would come
    // from an attack or the driver treating a `Network` specially.
    let net = tinyLinearNetwork(seed: 5)
    let split = tinySplit(for: net)
    let alone = try runRegistered(name, on: net, split: split, given: ["samples": .int(3)])
    let mixed = try runRegistered(name, on: LogitAverage(members: [net, net]), split: split, given: ["samples": .int(3)])
    #expect(alone.samples == mixed.samples)
    #expect(alone.adversarials.map { $0?.scalars } == mixed.adversarials.map { $0?.scalars })
  }

  @Test("the logit average of two networks is attacked: images in [0, 1], queries counted, some adversarial", arguments: names)
  func twoNetworkMixture(name: String) throws {
    let mixture = LogitAverage(members: [tinyLinearNetwork(seed: 5), tinyLinearNetwork(seed: 6)])
    let split = tinySplit(for: mixture)
    let result = try runRegistered(name, on: mixture, split: split, given: ["samples": .int(4)])
    #expect(result.samples.count == 4)
    #expect(result.asr > 0, "\(name) fooled the mixture on no sample")
    #expect(result.samples.allSatisfy { $0.queries > 0 })
    for image in result.adversarials.compactMap({ $0 }) {
      #expect(image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
  }
}
