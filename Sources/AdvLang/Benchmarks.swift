import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Foundation

/// The fixed workloads of `make bench`, timed in our engine. `scripts/bench_torch.py` runs the
/// same workloads in PyTorch; the Makefile prints the ratios.
public enum Benchmarks {
  public struct Timing: Sendable {
    public let workload: String
    public let seconds: Double
  }

  /// Median of `repeats` timed runs after one untimed warm-up.
  static func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<repeats {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
  }

  /// (a) one LeNet epoch on the 4,000 embedded training images, batch 128, Adam 1e-3;
  /// (b) BIM, 100 iterations without early stop, on 100 test images as one batch.
  public static func run(repeats: Int = 3) throws -> [Timing] {
    let data = try MNIST.embedded()
    let params = Params(spec: LeNet.spec, given: ["epochs": .int(1), "batch": .int(128)])
    let net = try LeNet.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
    var rng = RandomStream(seed: 1)
    let epoch = try time(repeats) { _ = try train(net, on: data.train, config: TrainingConfig(params), rng: &rng) }

    let (x, y) = data.test.batch(Array(0..<100))
    let bimParams = Params(spec: BIM.spec, given: ["eps": .real(32.0 / 255), "early": .bool(false)])
    let bim = BIM(params: bimParams)
    let attack = try time(repeats) {
      var adv = AdversarialBatch(model: net, images: x, labels: y, rng: RandomStream(seed: 2))
      adv.active = Array(repeating: true, count: y.count)  // fixed work: every sample runs all 100 steps
      try bim.run(&adv, rng: &rng)
    }
    return [Timing(workload: "lenet-epoch", seconds: epoch), Timing(workload: "bim100", seconds: attack)]
  }
}
