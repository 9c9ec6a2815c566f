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

  public static let workloads = ["lenet-epoch", "bim100", "resnet18-epoch", "bsn-l-epoch", "launches"]

  /// Median of `repeats` timed runs after one untimed warm-up.
  static func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<max(repeats, 1) {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
  }

  static func oneEpoch(_ arch: any Architecture.Type, _ data: Dataset, batch: Int, repeats: Int) throws -> Double {
    let params = Params(spec: arch.spec, given: ["epochs": .int(1), "batch": .int(batch)])
    let net = try arch.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
    var rng = RandomStream(seed: 1)
    return try time(repeats) { _ = try train(net, on: data.train, config: TrainingConfig(params), rng: &rng) }
  }

  /// Runs the workloads named in `only` (all when empty):
  /// - lenet-epoch: one LeNet epoch on the 4,000 embedded training images, batch 128, Adam 1e-3;
  /// - bim100: BIM, 100 iterations without early stop, on 100 test images as one batch;
  /// - resnet18-epoch / bsn-l-epoch: one epoch with the paper's MNIST batch size (128);
  /// - launches: 100 launches × average(10) of BSN-L on 1,000 test images (10⁶ forward passes).
  public static func run(repeats: Int = 3, only: Set<String> = []) throws -> [Timing] {
    let data = try MNIST.embedded()
    var out: [Timing] = []
    func want(_ w: String) -> Bool { only.isEmpty || only.contains(w) }
    if want("lenet-epoch") { out.append(Timing(workload: "lenet-epoch", seconds: try oneEpoch(LeNet.self, data, batch: 128, repeats: repeats))) }
    if want("bim100") {
      let net = try LeNet.make(params: Params(spec: LeNet.spec, given: [:]), inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
      let (x, y) = data.test.batch(Array(0..<100))
      let bim = BIM(params: Params(spec: BIM.spec, given: ["eps": .real(32.0 / 255), "early": .bool(false)]))
      var rng = RandomStream(seed: 2)
      let seconds = try time(repeats) {
        var adv = AdversarialBatch(model: net, images: x, labels: y, rng: RandomStream(seed: 2))
        adv.active = Array(repeating: true, count: y.count)  // fixed work: every sample runs all 100 steps
        try bim.run(&adv, rng: &rng)
      }
      out.append(Timing(workload: "bim100", seconds: seconds))
    }
    if want("resnet18-epoch") { out.append(Timing(workload: "resnet18-epoch", seconds: try oneEpoch(ResNet18.self, data, batch: 128, repeats: 1))) }
    if want("bsn-l-epoch") { out.append(Timing(workload: "bsn-l-epoch", seconds: try oneEpoch(BSNL.self, data, batch: 128, repeats: repeats))) }
    if want("launches") {
      let net = try BSNL.make(params: Params(spec: BSNL.spec, given: [:]), inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
      let images = (0..<data.test.count).map { data.test.images.slice($0..<($0 + 1)) }
      var rng = RandomStream(seed: 3)
      let seconds = try time(1) {
        _ = try AttackRunner.launchSuccess(net, images: images, labels: data.test.labels, launches: 100, rng: &rng)
      }
      out.append(Timing(workload: "launches", seconds: seconds))
    }
    return out
  }
}
