import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

@Suite("SNN_M")
struct SNNMTests {
  let never = SpikeEncoding.never

  @Test("DoG kernels have the hand-computed centre, edge and corner values and sum to zero")
  func dogKernels() {
    let on = SpikeEncoding.dogKernel(window: 3, 3.0 / 9, 6.0 / 9)
    #expect(abs(on[4] - 1) < 1e-5 && abs(on[1] + 0.155888) < 1e-5 && abs(on[0] + 0.094112) < 1e-5)
    let off = SpikeEncoding.dogKernel(window: 3, 6.0 / 9, 3.0 / 9)
    #expect(abs(off[4] + 6.414855) < 1e-4 && abs(off[1] - 1) < 1e-5 && abs(off[0] - 0.603714) < 1e-5)
    #expect(abs(SpikeEncoding.dogKernel(window: 7, 14.0 / 9, 7.0 / 9)[24] + 9.783319) < 1e-4)
    #expect(abs(SpikeEncoding.dogKernel(window: 13, 26.0 / 9, 13.0 / 9)[84] + 9.583232) < 1e-4)
    for (w, s1, s2) in SpikeEncoding.filters {
      let k = SpikeEncoding.dogKernel(window: w, s1, s2)
      #expect(abs(k.reduce(0, +)) < 1e-4 && k.max() == 1)
    }
  }

  @Test("intensity-to-latency puts the strongest values in the first bins, b per bin, and drops the rest")
  func latencyOrder() {
    var v: [Float] = [0, 9, 8, 7, 6, 0, 5, 4, 3, 2, 1, 0]
    var out = [UInt8](repeating: 0, count: v.count)
    SpikeEncoding.latency(&v, count: v.count, steps: 3, into: &out)
    #expect(out == [never, 0, 0, 0, 1, never, 1, 1, 2, 2, 2, never])
    var ten: [Float] = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    var bins = [UInt8](repeating: 0, count: 10)
    SpikeEncoding.latency(&ten, count: 10, steps: 3, into: &bins)
    #expect(bins == [0, 0, 0, 1, 1, 1, 2, 2, 2, never])
  }

  @Test("a black image gives no spikes; a bright square spikes only near its edges, strongest first")
  func preprocessing() {
    let black = SpikeEncoding.latency(SpikeEncoding.intensities(Tape.inference().constant(Tensor(zeros: [1, 1, 28, 28]))).value, steps: 15)
    #expect(black.allSatisfy { $0 == never })
    var square = Tensor(zeros: [1, 1, 28, 28])
    for y in 10..<15 { for x in 12..<17 { square[flat: y * 28 + x] = 1 } }
    let v = SpikeEncoding.intensities(Tape.inference().constant(square)).value
    let first = SpikeEncoding.latency(v, steps: 15)
    let spiking = first.indices.filter { first[$0] != never }
    #expect(!spiking.isEmpty)
    // Only positions within the largest DoG radius (6) of the square can respond.
    #expect(spiking.allSatisfy { i in
      let y = (i % 784) / 28, x = i % 28
      return y >= 4 && y < 21 && x >= 6 && x < 23
    })
    let nonzero = (0..<v.count).filter { v[flat: $0] != 0 }.count, b = nonzero / 15
    for t in 0..<15 { #expect(first.filter { $0 == UInt8(t) }.count == b) }
    let weakestEarly = spiking.filter { first[$0] == 0 }.map { v[flat: $0] }.min() ?? 0
    let strongestLate = spiking.filter { first[$0] == 14 }.map { v[flat: $0] }.max() ?? 0
    #expect(weakestEarly >= strongestLate)
  }

  @Test("filtering, the 50 threshold and the 17×17 local normalisation match a direct computation")
  func intensitiesDirect() {
    let h = 20, w = 18
    let x = randomTensor([1, 1, h, w], seed: 8, lo: 0, hi: 1)
    let v = SpikeEncoding.intensities(Tape.inference().constant(x)).value
    let bank = SpikeEncoding.bank
    func filtered(_ f: Int, _ y: Int, _ xx: Int) -> Double {
      guard y >= 0, y < h, xx >= 0, xx < w else { return 0 }
      var acc = 0.0
      for dy in -6...6 {
        for dx in -6...6 where y + dy >= 0 && y + dy < h && xx + dx >= 0 && xx + dx < w {
          acc += 255 * Double(x[flat: (y + dy) * w + xx + dx]) * Double(bank[flat: f * 169 + (dy + 6) * 13 + dx + 6])
        }
      }
      return acc < 50 ? 0 : acc
    }
    var checked = 0
    for f in 0..<6 {
      for (y, xx) in [(0, 0), (5, 7), (10, 3), (19, 17), (12, 12)] {
        var sum = 0.0
        for dy in -8...8 { for dx in -8...8 { sum += filtered(f, y + dy, xx + dx) } }
        let expected = filtered(f, y, xx) / (sum / 289 + 1e-12)
        let got = Double(v[flat: (f * h + y) * w + xx])
        #expect(abs(got - expected) <= 1e-3 * max(1, abs(expected)))
        if expected > 0 { checked += 1 }
      }
    }
    #expect(checked >= 5)
  }

  @Test("a neuron fires at the first step its potential exceeds the threshold")
  func fire() {
    // Five inputs spiking at steps 0…4 with weights making the potential 3, 14, 15, 16, 20.
    let conv = SpikingConv(Tensor([3, 11, 1, 1, 4], shape: [1, 5, 1, 1]))
    let input: [UInt8] = [0, 1, 2, 3, 4]
    let r = input.withUnsafeBufferPointer { conv.run($0.baseAddress!, height: 1, width: 1, steps: 5, threshold: 15) }
    #expect(r.first == [3] && r.atFirst == [16] && r.final == [20])
    let silent = input.withUnsafeBufferPointer { conv.run($0.baseAddress!, height: 1, width: 1, steps: 5, threshold: 20) }
    #expect(silent.first == [never])
  }

  @Test("features split between the cores give the same spikes and potentials as one core", arguments: [15, nil] as [Float?])
  func parallelRun(threshold: Float?) {
    // 40 features (three blocks of 16, the last partial), 8 channels, 5x5 kernels on 12x12 maps.
    var rng = RandomStream(seed: 21)
    let weights = rng.uniformTensor([40, 8, 5, 5], lo: 0, hi: 1)
    let conv = SpikingConv(weights)
    var input = [UInt8](repeating: never, count: 8 * 12 * 12)
    for i in input.indices where rng.uniform() < 0.4 { input[i] = UInt8(rng.uniform() * 15) }
    let one = input.withUnsafeBufferPointer { conv.run($0.baseAddress!, height: 12, width: 12, steps: 15, threshold: threshold) }
    let split = input.withUnsafeBufferPointer {
      conv.run($0.baseAddress!, height: 12, width: 12, steps: 15, threshold: threshold, parallel: true)
    }
    #expect(split.first == one.first && split.atFirst == one.atFirst && split.final == one.final)
    #expect(one.first.contains { $0 != never })
  }

  @Test("point-wise inhibition keeps the earliest feature, then the larger potential")
  func pointwiseInhibition() {
    // Two features at one position: A (f 0) fires at t = 2, B (f 1) at t = 1.
    let r = SpikingConv.Response(height: 1, width: 1, first: [2, 1], atFirst: [30, 16], final: [40, 50])
    #expect(r.winners(features: 2, k: 2, radius: 0, inhibit: true) == [Winner(feature: 1, y: 0, x: 0, first: 1)])
    let tie = SpikingConv.Response(height: 1, width: 1, first: [1, 1], atFirst: [17, 16], final: [40, 50])
    #expect(tie.winners(features: 2, k: 2, radius: 0, inhibit: true) == [Winner(feature: 0, y: 0, x: 0, first: 1)])
  }

  @Test("k-WTA picks earliest then strongest, one winner per map, and suppresses its neighbourhood")
  func kWinners() {
    // 3 features on a 1×5 strip; first-spike steps and potentials per (f, x).
    let first: [UInt8] = [
      1, 0, 3, never, 2,    // f 0
      0, 2, never, 1, 1,    // f 1
      never, 2, 2, 0, 4,    // f 2
    ]
    let pot: [Float] = [
      20, 30, 18, 0, 19,
      25, 21, 0, 40, 17,
      0, 22, 23, 16, 30,
    ]
    let r = SpikingConv.Response(height: 1, width: 5, first: first, atFirst: pot, final: pot)
    // Earliest spikes: (0, x1) pot 30, (1, x0) pot 25, (2, x3) pot 16, in that order.
    #expect(r.winners(features: 3, k: 3, radius: 0, inhibit: false).map { [$0.feature, $0.x] } == [[0, 1], [1, 0], [2, 3]])
    // Radius 1: (0, x1) removes x0…x2; (2, x3) wins next and removes x2…x4, which leaves f 1 nothing.
    #expect(r.winners(features: 3, k: 3, radius: 1, inhibit: false).map { [$0.feature, $0.x] } == [[0, 1], [2, 3]])
    #expect(r.winners(features: 3, k: 1, radius: 0, inhibit: false).count == 1)
  }

  @Test("STDP potentiates inputs that fired no later than the winner and depresses the others; anti-STDP flips it")
  func stdpDirection() {
    // One 2×2 kernel on a 2×2 input: pre spikes at t = 0, 3, never and 1; the winner fires at 2.
    let input: [UInt8] = [0, 3, never, 1]
    var conv = SpikingConv(Tensor(repeating: 0.5, shape: [1, 1, 2, 2]))
    let winner = Winner(feature: 0, y: 0, x: 0, first: 2)
    input.withUnsafeBufferPointer {
      conv.stdp(winners: [winner], input: $0.baseAddress!, height: 2, width: 2, ltp: 0.004, ltd: -0.003, stabilise: true, lo: 0, hi: 1)
    }
    let up: Float = 0.5 + 0.004 * 0.25, down: Float = 0.5 - 0.003 * 0.25
    #expect(conv.weights == [up, down, down, up])
    var anti = SpikingConv(Tensor(repeating: 0.5, shape: [1, 1, 2, 2]))
    input.withUnsafeBufferPointer {
      anti.stdp(winners: [winner], input: $0.baseAddress!, height: 2, width: 2, ltp: -0.004, ltd: 0.0005, stabilise: false, lo: 0.2, hi: 0.8)
    }
    let (depressed, raised): (Float, Float) = (0.5 - 0.004, 0.5 + 0.0005)
    #expect(anti.weights == [depressed, raised, raised, depressed])
    var edge = SpikingConv(Tensor([1, 0, 0.79, 0.21], shape: [1, 1, 2, 2]))
    input.withUnsafeBufferPointer {
      edge.stdp(winners: [winner], input: $0.baseAddress!, height: 2, width: 2, ltp: 0.1, ltd: -0.1, stabilise: false, lo: 0.2, hi: 0.8)
    }
    #expect(edge.weights.allSatisfy { $0 >= 0.2 && $0 <= 0.8 })
  }

  @Test("the STDP rate doubles every 500 samples up to 0.15, with a⁻ = −0.75 a⁺")
  func rateSchedule() {
    var s = STDPSchedule(ltp: 0.004, ltd: -0.003, cap: 0.15, every: 500)
    var seen: [Float] = []
    for i in 1...3500 {
      s.tick()
      if i % 500 == 0 { seen.append(s.ltp) }
    }
    #expect(seen == [0.008, 0.016, 0.032, 0.064, 0.128, 0.15, 0.15])
    #expect(abs(s.ltd + 0.1125) < 1e-7)
  }

  @Test("R-STDP rates adapt to a group's fractions of correct and wrong decisions")
  func rewardRates() {
    let base = RewardRates(reward: (0.004, -0.003), punish: (-0.004, 0.0005))
    let r = base.adapted(correct: 0.7, wrong: 0.2)
    #expect(abs(r.reward.ltp - 0.0008) < 1e-9 && abs(r.reward.ltd + 0.0006) < 1e-9)
    #expect(abs(r.punish.ltp + 0.0028) < 1e-9 && abs(r.punish.ltd - 0.00035) < 1e-9)
  }

  /// 16×16 images of one bar, horizontal (class 0) or vertical (class 1), at random positions.
  static func bars(_ n: Int, seed: UInt64) -> Split {
    var rng = RandomStream(seed: seed, stream: 5)
    var x = Tensor(zeros: [n, 1, 16, 16])
    var labels: [Int] = []
    for i in 0..<n {
      let vertical = rng.int(below: 2)
      let a = rng.int(below: 9), b = rng.int(below: 14)
      for j in 0..<8 {
        for t in 0..<2 {
          let (y, xx) = vertical == 1 ? (a + j, b + t) : (b + t, a + j)
          x[flat: i * 256 + y * 16 + xx] = 1
        }
      }
      labels.append(vertical)
    }
    return Split(images: x, labels: labels)
  }

  @Test("SNN_M learns horizontal against vertical bars well above chance")
  func toyLearning() throws {
    let train = Self.bars(500, seed: 1), test = Self.bars(200, seed: 2)
    let params = Params(spec: SNNM.spec, given: [
      "maps1": .int(8), "maps2": .int(20), "maps3": .int(20), "epochs1": .int(2), "epochs2": .int(2), "threshold2": .real(4),
      "rstdp_epochs": .int(30), "k1": .int(2), "k2": .int(2), "rate_every": .int(25),
      "reward_plus": .real(0.02), "reward_minus": .real(-0.015), "punish_plus": .real(-0.02), "punish_minus": .real(0.0025),
    ])
    let net = try SNNM.make(params: params, inputShape: [1, 16, 16], classes: 2, rng: RandomStream(seed: 3))
    var rng = RandomStream(seed: 4)
    let before = accuracy(net, on: test, rng: &rng)
    _ = try SNNM.train(net, on: train, params: params, rng: &rng, label: "bars")
    #expect(before < 0.75)
    #expect(accuracy(net, on: test, rng: &rng) >= 0.9)
  }

  @Test("the single-frame attack pass decides like the time-resolved network on the test split")
  func singleFrameParity() throws {
    let data = try MNIST.embedded().subset(train: 300, test: 300, seed: 7)
    let params = Params(spec: SNNM.spec, given: [
      "maps1": .int(12), "maps2": .int(40), "maps3": .int(40), "epochs1": .int(1), "epochs2": .int(1), "rstdp_epochs": .int(4),
      "rate_every": .int(50), "reward_plus": .real(0.02), "reward_minus": .real(-0.015), "punish_plus": .real(-0.02),
      "punish_minus": .real(0.0025),
    ], dataset: "mnist")
    let net = try SNNM.make(params: params, inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    _ = try SNNM.train(net, on: data.train, params: params, rng: &rng, label: "parity")
    let reference = SNNM.decideTimeResolved(net, data.test.images)
    let predicted = net.predict(data.test.images, rng: &rng)
    let deciding = reference.labels.indices.filter { reference.labels[$0] >= 0 }
    #expect(deciding.count >= 290)
    #expect(deciding.allSatisfy { reference.labels[$0] == predicted[$0] })
    // A trained network that uses many classes, so agreement is not trivial.
    #expect(Set(predicted).count >= 5)
    // Last-step conv3 potentials agree up to summation order.
    let tape = Tape.inference()
    let scores = net.logits(tape.constant(data.test.images.slice(0..<20)), rng: &rng)
    for i in 0..<20 {
      let pot = reference.potentials[i], per = pot.count / 10
      for c in 0..<10 {
        let top = pot[(c * per)..<((c + 1) * per)].max() ?? 0
        #expect(abs(scores.value[flat: i * 10 + c] - top) <= 1e-3 * max(1, top))
      }
    }
    let grad = Tape()
    let x = grad.variable(data.test.images.slice(0..<4))
    let g = grad.gradients(of: crossEntropy(net.logits(x, rng: &rng), labels: Array(data.test.labels[0..<4])))[x]
    #expect(g.maxAbs() > 0)
  }
}

@Suite("spiking checkpoints")
struct SpikingCheckpointTests {
  @Test("trained spiking networks save and load back with the same scores", arguments: ["mcsefron", "snn-m"])
  func roundTrip(name: String) throws {
    let arch = try #require(Architectures.named(name))
    let data = SNNMTests.bars(60, seed: 9)
    let given: [String: ParamValue] = name == "mcsefron"
      ? ["epochs": .int(2)]
      : ["maps1": .int(4), "maps2": .int(10), "maps3": .int(4), "epochs1": .int(1), "epochs2": .int(1), "rstdp_epochs": .int(2)]
    let params = Params(spec: arch.spec, given: given)
    let net = try arch.make(params: params, inputShape: [1, 16, 16], classes: 2, rng: RandomStream(seed: 1))
    let untrained = net.values
    var rng = RandomStream(seed: 2)
    #expect(try arch.train(net, on: data, params: params, rng: &rng, label: "t") != nil)
    #expect(zip(untrained, net.values).contains { $0.scalars != $1.scalars })
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid()).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Checkpoint.save(net, to: path)
    let copy = try arch.make(params: params, inputShape: [1, 16, 16], classes: 2, rng: RandomStream(seed: 5))
    try Checkpoint.restore(copy, from: SafeTensors(contentsOf: path))
    var r1 = RandomStream(seed: 3), r2 = RandomStream(seed: 3)
    #expect(net.logits(data.images, rng: &r1).scalars == copy.logits(data.images, rng: &r2).scalars)
  }

  @Test("colour images give one score per class: snn-m averages them to grey, mcsefron encodes every value")
  func colour() throws {
    let x = randomTensor([2, 3, 32, 32], seed: 4, lo: 0, hi: 1)
    for (name, given) in [("snn-m", ["maps1": ParamValue.int(6), "maps2": .int(8), "maps3": .int(20)]), ("mcsefron", [:])] {
      let arch = try #require(Architectures.named(name))
      let net = try arch.make(params: Params(spec: arch.spec, given: given, dataset: "cifar10"), inputShape: [3, 32, 32],
                              classes: 10, rng: RandomStream(seed: 1))
      var rng = RandomStream(seed: 2)
      #expect(net.logits(x, rng: &rng).shape == [2, 10])
    }
    #expect(Params(spec: MCSEFRON.spec, given: [:], dataset: "cifar10")["rf"] == .int(3))
    #expect(Params(spec: SNNM.spec, given: [:], dataset: "cifar10")["maps2"] == .int(800))
    #expect(throws: ArchitectureError.self) {
      try SNNM.make(params: Params(spec: SNNM.spec, given: ["maps3": .int(25)]), inputShape: [1, 28, 28], classes: 10,
                    rng: RandomStream(seed: 1))
    }
  }

  @Test("the same seed trains the same spiking weights", arguments: ["mcsefron", "snn-m"])
  func reproducible(name: String) throws {
    let arch = try #require(Architectures.named(name))
    let data = SNNMTests.bars(40, seed: 6)
    let given: [String: ParamValue] = name == "mcsefron"
      ? ["epochs": .int(1)]
      : ["maps1": .int(4), "maps2": .int(10), "maps3": .int(4), "epochs1": .int(1), "epochs2": .int(1), "rstdp_epochs": .int(1)]
    let params = Params(spec: arch.spec, given: given)
    func run() throws -> [[Float]] {
      let net = try arch.make(params: params, inputShape: [1, 16, 16], classes: 2, rng: RandomStream(seed: 4))
      var rng = RandomStream(seed: 5)
      _ = try arch.train(net, on: data, params: params, rng: &rng, label: "r")
      return net.values.map(\.scalars)
    }
    #expect(try run() == run())
  }

  @Test("backprop architectures leave training to the shared trainer")
  func defaultTrainer() throws {
    let params = Params(spec: MLP.spec, given: [:])
    let net = try MLP.make(params: params, inputShape: [1, 4, 4], classes: 2, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    #expect(try MLP.train(net, on: SNNMTests.bars(4, seed: 1), params: params, rng: &rng, label: "t") == nil)
  }
}
