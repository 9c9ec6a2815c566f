import AdvData
import AdvNN
import AdvTensor
import Foundation
import Testing

/// Splits kept as 8-bit pixels (PCam's) train, normalise and score exactly as the same images
/// kept as floats, while only a part of them is ever converted at once.
@Suite("byte splits")
struct ByteSplitTests {
  /// The embedded MNIST images (train and test, 5,000: more than one conversion part) as a
  /// float split and as a byte split of the same values.
  func splits() throws -> (float: Split, bytes: Split) {
    let data = try MNIST.embedded()
    let images = Tensor.concatenate([data.train.images, data.test.images])
    let labels = data.train.labels + data.test.labels
    let values = images.scalars.map { UInt8(($0 * 255).rounded()) }
    let bytes = Split(bytes: Split.Bytes(shape: images.shape, values: values), labels: labels)
    #expect(images.count > Split.conversionRows * 784)
    return (Split(images: images, labels: labels), bytes)
  }

  @Test("normalisation statistics and accuracy are the same, bit for bit")
  func statisticsAndAccuracy() throws {
    let (f, b) = try splits()
    #expect(b.images.scalars == f.images.scalars)
    #expect(Normalization(statisticsOf: b) == Normalization(statisticsOf: f.images))
    let params = Params(spec: MLP.spec, given: ["hidden": .int(16)])
    let net = try MLP.make(params: params, inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 4))
    var r1 = RandomStream(seed: 5), r2 = RandomStream(seed: 5)
    #expect(accuracy(net, on: b, rng: &r1) == accuracy(net, on: f, rng: &r2))
  }

  @Test("training on the byte split gives the float split's losses and weights")
  func training() throws {
    let (f, b) = try splits()
    let part = Array(0..<600)
    var results: [([Double], [Float])] = []
    for split in [f.selecting(part), b.selecting(part)] {
      let params = Params(spec: MLP.spec, given: ["epochs": .int(2), "batch": .int(50), "hidden": .int(16)])
      let net = try MLP.make(params: params, inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 6))
      var rng = RandomStream(seed: 7)
      let log = try train(net, on: split, config: TrainingConfig(params), rng: &rng)
      results.append((log.epochLoss, net.values.flatMap(\.scalars)))
    }
    #expect(results[0].0 == results[1].0)
    #expect(results[0].1 == results[1].1)
    #expect(results[0].0[1] < results[0].0[0])
  }
}
