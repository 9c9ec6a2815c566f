import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Foundation

/// The fixed workloads of `make bench`, timed in our engine (`adv bench`). `scripts/bench_torch.py`
/// runs the same workloads in PyTorch; the Makefile prints the ratios.
public enum Benchmarks {
  public struct Timing: Sendable {
    public let workload: String
    public let seconds: Double
    /// Quality beside the time (attack workloads): `asr=… l2x1000=…`.
    public var note: String = ""
    /// Peak resident memory of the process while the workload ran (megabytes).
    public var peakMB: Double?

    /// The line `adv bench` prints and scripts/bench_ratios.py reads:
    /// `ours WORKLOAD seconds=S [NOTE] [rss_mb=M]`.
    public var line: String {
      String(format: "ours %@ seconds=%.4f", workload, seconds) + (note.isEmpty ? "" : " " + note)
        + (peakMB.map { String(format: " rss_mb=%.0f", $0) } ?? "")
    }
  }

  /// The first line of `adv bench`'s output: the processor and the kernels oneDNN chose.
  public static var header: String { "# " + Machine.description }

  /// A workload's median time and the process's peak memory while it ran, warm-up included.
  struct Measurement {
    var seconds: Double
    var peakMB: Double?
  }

  public static let workloads = ["lenet-epoch", "bim100", "resnet18-epoch", "bsn-l-epoch", "bnn-d-epoch", "bnn-d-query",
                                 "launches", "cwl2", "boundary", "surrogate-round"]

  /// Median of `repeats` timed runs after one untimed warm-up, with their peak memory, as
  /// scripts/bench_torch.py's `timed` measures them.
  static func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> Measurement {
    PeakMemory.reset()
    try body()
    var times: [Double] = []
    for _ in 0..<max(repeats, 1) {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return Measurement(seconds: times.sorted()[times.count / 2], peakMB: PeakMemory.megabytes)
  }

  static func oneEpoch(_ arch: any Architecture.Type, _ data: Dataset, batch: Int, repeats: Int) throws -> Measurement {
    // No augmentation: PyTorch's side (scripts/bench_torch.py) trains on the images as they are.
    // Nor the batch-norm recalibration pass that follows training by default for bnn-*: the
    // PyTorch twin's epoch is the training steps alone.
    var given: [String: ParamValue] = ["epochs": .int(1), "batch": .int(batch), "augment": .bool(false)]
    if arch.spec.params.contains(where: { $0.name == TrainingConfig.recalibrate.name }) { given["recalibrate"] = .bool(false) }
    let params = Params(spec: arch.spec, given: given)
    let net = try arch.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
    var rng = RandomStream(seed: 1)
    return try time(repeats) { _ = try train(net, on: data.train, config: TrainingConfig(params), rng: &rng) }
  }

  static func bnnQueries(_ data: Dataset) throws -> Timing {
    let net = try BNND.make(params: Params(spec: BNND.spec, given: [:]), inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
    var shifts = RandomStream(seed: 1)
    net.moveBatchNormsOffInitialValues(rng: &shifts)
    let batches = stride(from: 0, to: data.test.count, by: 10).map { data.test.images.slice($0..<min($0 + 10, data.test.count)) }
    func queries() {
      var rng = RandomStream(seed: 2)
      for b in batches { _ = net.logits(b, rng: &rng) }
    }
    // Processor time too: on a shared machine it moves less than the wall-clock time.
    func cpu() -> Double {
      var t = timespec()
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
      return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    // The two paths alternate (three runs each after a warm-up of each), so that a change in
    // the machine's speed meets both; medians.
    PeakMemory.reset()
    let before = net.binaryConvolutions
    var binaryRuns: [(wall: Double, cpu: Double)] = [], floatRuns: [(wall: Double, cpu: Double)] = []
    func run(kernels: Bool) -> (wall: Double, cpu: Double) {
      net.usesBinaryKernels = kernels
      let (c0, t0) = (cpu(), DispatchTime.now().uptimeNanoseconds)
      queries()
      return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, cpu() - c0)
    }
    _ = run(kernels: true)
    _ = run(kernels: false)
    let used = net.binaryConvolutions - before
    for _ in 0..<3 {
      binaryRuns.append(run(kernels: true))
      floatRuns.append(run(kernels: false))
    }
    let peakMB = PeakMemory.megabytes
    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    let (binary, binaryCPU) = (median(binaryRuns.map(\.wall)), median(binaryRuns.map(\.cpu)))
    let (float, floatCPU) = (median(floatRuns.map(\.wall)), median(floatRuns.map(\.cpu)))
    return Timing(workload: "bnn-d-query", seconds: binary,
                  note: String(format: "float_seconds=%.4f cpu_seconds=%.4f float_cpu_seconds=%.4f binary_convolutions=%d kernel=%@",
                               float, binaryCPU, floatCPU, used, BinaryConvolution.instructionSet),
                  peakMB: peakMB)
  }

  /// Runs the workloads named in `only` (all when empty):
  /// - lenet-epoch: one LeNet epoch on the 4,000 embedded training images, batch 128, Adam 1e-3;
  /// - bim100: BIM, 100 iterations without early stop, on 100 test images as one batch;
  /// - resnet18-epoch / bsn-l-epoch: one epoch with the paper's MNIST batch size (128);
  /// - bnn-d-epoch: one bnn-d epoch (binarynet layout), the paper's batch 256, Adam;
  /// - bnn-d-query: bnn-d's logits of the 1,000 test images in batches of 10 (as Boundary and
  ///   evaluations query a deterministic network), through the XNOR-popcount kernels and again
  ///   through the float convolutions (`float_seconds=`; the same logits). The network's
  ///   batch-norm shifts and statistics are moved off their initial zeros, as training leaves
  ///   them, so that no exact 0 sends a layer back to the float path;
  /// - launches: 100 launches × average(10) of BSN-L on 1,000 test images (10⁶ forward passes);
  /// - cwl2: CWL2 with binary search (5 steps × 1,000 iterations) on 100 test images, one batch;
  /// - boundary: the Boundary attack, 5,000 iterations, on 10 test images;
  /// - surrogate-round: one round of substitute training with Jacobian-based augmentation
  ///   (`SurrogateTrainer.round`, the surrogate settings' defaults: 10 epochs of SGD lr 0.01,
  ///   momentum 0.9, batch 128; λ = 0.1; lenet's input normalisation): test images 0..<200
  ///   labelled by the oracle, a fresh LeNet surrogate trained on them, the 200 augmented points
  ///   and their oracle labels. The oracle is an untrained LeNet (seed 0): the work does not
  ///   depend on its weights.
  /// The attacks run against a LeNet trained here (seed 7, `train lenet` defaults), written with
  /// the attacked test indices to `attackModel` so Foolbox attacks the same weights and images.
  public static func run(repeats: Int = 3, only: Set<String> = [], attackModel: String = ".build/bench-lenet.safetensors") throws -> [Timing] {
    let data = try MNIST.embedded()
    var out: [Timing] = []
    func timing(_ workload: String, _ m: Measurement, note: String = "") -> Timing {
      Timing(workload: workload, seconds: m.seconds, note: note, peakMB: m.peakMB)
    }
    func want(_ w: String) -> Bool { only.isEmpty || only.contains(w) }
    if want("lenet-epoch") { out.append(timing("lenet-epoch", try oneEpoch(LeNet.self, data, batch: 128, repeats: repeats))) }
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
      out.append(timing("bim100", seconds))
    }
    if want("resnet18-epoch") { out.append(timing("resnet18-epoch", try oneEpoch(ResNet18.self, data, batch: 128, repeats: 1))) }
    if want("bsn-l-epoch") { out.append(timing("bsn-l-epoch", try oneEpoch(BSNL.self, data, batch: 128, repeats: repeats))) }
    if want("bnn-d-epoch") { out.append(timing("bnn-d-epoch", try oneEpoch(BNND.self, data, batch: 256, repeats: 1))) }
    if want("bnn-d-query") { out.append(try bnnQueries(data)) }
    if want("launches") {
      let net = try BSNL.make(params: Params(spec: BSNL.spec, given: [:]), inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
      let images = (0..<data.test.count).map { data.test.images.slice($0..<($0 + 1)) }
      var rng = RandomStream(seed: 3)
      let seconds = try time(1) {
        _ = try Evaluation(samples: images.count).launchSuccess(net, images: images, labels: data.test.labels, launches: 100, rng: &rng)
      }
      out.append(timing("launches", seconds))
    }
    if want("cwl2") || want("boundary") {
      let params = Params(spec: LeNet.spec, given: [:])
      let net = try LeNet.make(params: params, inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 7, stream: 0x1417))
      var rng = RandomStream(seed: 7, stream: 0x7EA1)
      _ = try train(net, on: data.train, config: TrainingConfig(params), rng: &rng)
      // The first 100 test images the model classifies correctly, in test order.
      var noise = RandomStream(seed: 1)
      let predicted = net.predict(data.test.images, rng: &noise)
      let correct = (0..<data.test.count).filter { predicted[$0] == data.test.labels[$0] }
      let chosen = Array(correct.prefix(100))
      try Checkpoint.save(net, to: attackModel, metadata: [
        "arch": "lenet", "params": params.canonicalDescription, "bench_samples": chosen.map(String.init).joined(separator: ","),
      ])
      func attack(_ kind: any Attack.Type, _ given: [String: ParamValue], samples: Int, warmup: [String: ParamValue],
                  make: ((Params) -> any Attack)? = nil, extra: () -> String = { "" }) throws -> Timing {
        let rows = Array(chosen.prefix(samples))
        let (x, y) = data.test.batch(rows)
        let split = Split(images: x, labels: y, sourceIndices: rows.map { data.test.sourceIndices[$0] })
        let warm = Params(spec: kind.spec, given: warmup)
        _ = try Evaluation(samples: samples).run(kind.init(params: warm), params: warm, on: net, split: split, seed: 1)
        let p = Params(spec: kind.spec, given: given)
        var result: AttackResult?
        let seconds = try time(1) {
          result = try Evaluation(samples: samples).run(make?(p) ?? kind.init(params: p), params: p, on: net, split: split, seed: 1)
        }
        let l2 = (result?.meanL2PerPixel ?? .nan) * 1000
        return timing(kind.spec.name, seconds, note: String(format: "asr=%.4f l2x1000=%.4f", result?.asr ?? 0, l2) + extra())
      }
      if want("cwl2") {
        out.append(try attack(CWL2.self, ["search": .string("on")], samples: 100, warmup: ["steps": .int(2), "search_steps": .int(1)]))
      }
      if want("boundary") {
        // The mean L2 per pixel over time, every 50 steps (`trace=seconds:l2x1000,…`), so that
        // scripts/bench_ratios.py can say when ours reached Foolbox's final L2.
        final class Trace: @unchecked Sendable { var start = Date(); var points: [(Double, Double)] = [] }
        let trace = Trace()
        let pixels = Double(data.imageShape.reduce(1, *))
        out.append(try attack(Boundary.self, ["iterations": .int(5000)], samples: 10, warmup: ["iterations": .int(20)],
                              make: { p in
                                trace.start = Date()
                                trace.points = []
                                var b = Boundary(params: p)
                                b.observer = { step, distances in
                                  guard step % 50 == 0 || step == 1 else { return }
                                  let found = distances.filter { $0.isFinite }
                                  guard !found.isEmpty else { return }
                                  trace.points.append((Date().timeIntervalSince(trace.start),
                                                       found.reduce(0, +) / Double(found.count) / pixels * 1000))
                                }
                                return b
                              },
                              extra: { " trace=" + trace.points.map { String(format: "%.3f:%.4f", $0.0, $0.1) }.joined(separator: ",") }))
      }
    }
    if want("surrogate-round") {
      let oracle = try LeNet.make(params: Params(spec: LeNet.spec, given: [:]), inputShape: data.imageShape, classes: 10, rng: RandomStream(seed: 0))
      let params = Params(spec: ComponentSpec.merging(LeNet.spec)(SurrogateSettings.spec), given: [:])
      let trainer = SurrogateTrainer(params: params)
      let make = { (rng: RandomStream) in try LeNet.make(params: params, inputShape: data.imageShape, classes: 10, rng: rng) }
      let seed = data.test.images.slice(0..<200)
      var queries = RandomStream(seed: 4)
      let ask = { (x: Tensor) -> [Int] in oracle.predict(x, rng: &queries) }
      let seconds = try time(repeats) {
        var stats = SurrogateTraining()
        let labels = ask(seed)
        _ = try trainer.round(0, make: make, points: seed, labels: labels, oracle: ask, rng: RandomStream(seed: 5),
                              augmenting: true, label: "surrogate-round", stats: &stats)
      }
      out.append(timing("surrogate-round", seconds))
    }
    return out
  }
}
