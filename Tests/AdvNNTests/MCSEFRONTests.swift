import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Foundation
import Testing

@Suite("MC-SEFRON")
struct MCSEFRONTests {
  func spikes(_ engine: MCSEFRONEngine, _ x: Float) -> [Int32] {
    engine.encode(Tensor([x], shape: [1, 1]))
  }

  @Test("receptive fields encode 0, 0.5 and 1 into the hand-computed spike indices")
  func encoding() {
    let rf5 = MCSEFRONEngine(features: 1, fields: 5, classes: 2)
    #expect(rf5.centres.map { ($0 * 6).rounded() } == [-1, 1, 3, 5, 7])
    #expect(abs(rf5.width - 0.476190) < 1e-5)
    #expect(spikes(rf5, 0) == [19, 19, 128, 236, 286])
    #expect(spikes(rf5, 0.5) == [188, 66, 1, 66, 188])
    #expect(spikes(rf5, 1) == [286, 236, 128, 19, 19])
    let rf3 = MCSEFRONEngine(features: 1, fields: 3, classes: 2)
    #expect(spikes(rf3, 0) == [19, 19, 128])
    #expect(spikes(rf3, 0.5) == [66, 1, 66])
    #expect(spikes(rf3, 1) == [128, 19, 19])
    let mnist = MCSEFRONEngine(features: 784, fields: 5, classes: 10)
    let s = mnist.encode(randomTensor([3, 1, 28, 28], seed: 1, lo: 0, hi: 1))
    #expect(mnist.presynaptic == 3920 && s.count == 3 * 3920)
    #expect(s.allSatisfy { (1...301).contains($0) })
  }

  @Test("the STDP window normalises each side to ±1 and is zero at r = 0")
  func stdpWindow() {
    let u = MCSEFRONEngine.stdpWindow([10, 20, -10, 0])
    #expect(abs(u[0] - 0.515620) < 1e-5)
    #expect(abs(u[0] + u[1] - 1) < 1e-6)
    #expect(u[2] == -1 && u[3] == 0)
  }

  @Test("a class initialised from a sample fires at T_ID + 1 on that sample, first of all classes")
  func initialisation() throws {
    let data = try MNIST.embedded().subset(train: 60, test: 10, seed: 3)
    let params = Params(spec: MCSEFRON.spec, given: ["epochs": .int(0)], dataset: "mnist")
    let net = try MCSEFRON.make(params: params, inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    _ = try MCSEFRON.train(net, on: data.train, params: params, rng: &rng, label: "t")
    let engine = MCSEFRONEngine(features: 784, fields: 5, classes: 10)
    #expect(net.values[1].scalars.allSatisfy { $0 > 0.5 && $0 < 0.9 })
    for c in [0, 3, 7] {
      let first = try #require(data.train.labels.firstIndex(of: c))
      let s = engine.encode(data.train.images.slice(first..<(first + 1)))
      let v = s.withUnsafeBufferPointer { ps in net.values[0].withUnsafeBufferPointer { engine.potentials(spikes: ps, count: 1, weights: $0) } }
      let th = net.values[1].scalars
      let times = (0..<10).map { k in (0..<400).first { v[flat: k * 400 + $0] > th[k] } ?? 399 }
      #expect(times[c] == 201)
      #expect(times.enumerated().allSatisfy { $0.offset == c || $0.element > 201 })
    }
  }

  @Test("the histogram forward equals the direct sum over synapses")
  func histogramForward() {
    let engine = MCSEFRONEngine(features: 6, fields: 4, classes: 3)
    let w = randomTensor([3, 24, 301], seed: 4, lo: -0.2, hi: 1)
    let x = randomTensor([2, 6], seed: 5, lo: 0, hi: 1)
    let s = engine.encode(x)
    let v = s.withUnsafeBufferPointer { ps in w.withUnsafeBufferPointer { engine.potentials(spikes: ps, count: 2, weights: $0) } }
    for b in 0..<2 {
      for c in 0..<3 {
        for t in stride(from: 0, to: 400, by: 7) {
          var direct: Double = 0
          for i in 0..<24 {
            let si = Int(s[b * 24 + i]), lag = Double(t - si)
            if lag > 0 { direct += Double(w[flat: (c * 24 + i) * 301 + si - 1]) * lag / 300 * exp(1 - lag / 300) }
          }
          #expect(abs(Double(v[flat: (b * 3 + c) * 400 + t]) - direct) <= 1e-5 * max(1, abs(direct)))
        }
      }
    }
  }

  @Test("one learning step moves the wrong class later or the correct one earlier, and steps reach the margin")
  func updateDirection() {
    // Two features, two classes; class 1 initialised from x = (0.9, 0.1), class 0 from
    // (0.2, 0.8). The sample (0.85, 0.15) is labelled 0 but class 1 fires first.
    let engine = MCSEFRONEngine(features: 2, fields: 6, classes: 2)
    var w = [Float](repeating: 0, count: 2 * 12 * 301), th = [Float](repeating: 0, count: 2)
    let s0 = engine.encode(Tensor([0.2, 0.8], shape: [1, 2])), s1 = engine.encode(Tensor([0.9, 0.1], shape: [1, 2]))
    w.withUnsafeMutableBufferPointer { pw in
      th.withUnsafeMutableBufferPointer { pt in
        engine.initialise(class: 0, spikes: s0, weights: pw.baseAddress!, thresholds: pt.baseAddress!)
        engine.initialise(class: 1, spikes: s1, weights: pw.baseAddress!, thresholds: pt.baseAddress!)
      }
    }
    let sample = engine.encode(Tensor([0.85, 0.15], shape: [1, 2]))
    var times: [[Int]] = []
    w.withUnsafeMutableBufferPointer { pw in
      th.withUnsafeBufferPointer { pt in
        for _ in 0..<60 {
          let o = sample.withUnsafeBufferPointer { engine.learn(spikes: $0.baseAddress!, label: 0, rate: 0.5, weights: pw.baseAddress!, thresholds: pt) }
          times.append(o.times)
          if o.updated.isEmpty { break }
        }
      }
    }
    #expect(times[0][1] < times[0][0])
    #expect(times[1][1] > times[0][1] || times[1][0] < times[0][0])
    let last = times[times.count - 1]
    #expect(times.count < 60 && last[1] >= last[0] + 5)
  }

  @Test("ties at the same step go to the class with the earlier interpolated crossing")
  func tieRule() throws {
    // One input value, two classes with the same weight functions but thresholds that cross in
    // the same step at different fractions.
    let engine = MCSEFRONEngine(features: 1, fields: 3, classes: 2)
    let params = Params(spec: MCSEFRON.spec, given: ["rf": .int(3)])
    let net = try MCSEFRON.make(params: params, inputShape: [1, 1, 1], classes: 2, rng: RandomStream(seed: 1))
    let x = Tensor([0.5], shape: [1, 1, 1, 1])
    let s = engine.encode(x.reshaped([1, 1]))
    var w = Tensor(repeating: 1, shape: [2, 3, 301])
    w[flat: 0] = 1
    let v = s.withUnsafeBufferPointer { ps in w.withUnsafeBufferPointer { engine.potentials(spikes: ps, count: 1, weights: $0) } }
    // Find a step t where V rises enough to fit two thresholds between V(t−1) and V(t).
    let t = 40
    let a = v[flat: t - 1], b = v[flat: t]
    net.values[0] = w
    net.values[1] = Tensor([a + 0.7 * (b - a), a + 0.3 * (b - a)], shape: [2])
    #expect(MCSEFRON.decide(net, x) == [1])
    var rng = RandomStream(seed: 1)
    #expect(net.predict(x, rng: &rng) == [1])
    let logits = net.logits(x, rng: &rng)
    #expect(abs(logits[flat: 1] + (Float(t - 1) + 0.3)) < 1e-3 && abs(logits[flat: 0] + (Float(t - 1) + 0.7)) < 1e-3)
  }

  /// Two-dimensional points, label = [x₀ > 0.5] (snn.md §2 test 8).
  static func points(_ n: Int, seed: UInt64) -> Split {
    var rng = RandomStream(seed: seed, stream: 3)
    let x = rng.uniformTensor([n, 1, 1, 2])
    return Split(images: x, labels: (0..<n).map { x[flat: 2 * $0] > 0.5 ? 1 : 0 })
  }

  @Test("MC-SEFRON learns a two-class toy problem well above chance")
  func toyLearning() throws {
    let train = Self.points(200, seed: 1), test = Self.points(200, seed: 2)
    let params = Params(spec: MCSEFRON.spec, given: ["rf": .int(6), "lr": .real(0.1), "epochs": .int(10)])
    let net = try MCSEFRON.make(params: params, inputShape: [1, 1, 2], classes: 2, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    _ = try MCSEFRON.train(net, on: train, params: params, rng: &rng, label: "toy")
    #expect(accuracy(net, on: test, rng: &rng) >= 0.9)
  }

  @Test("the attack logits decide like the reference on the test split and have non-zero input gradients")
  func adaptedPassParity() throws {
    let data = try MNIST.embedded().subset(train: 1000, test: 300, seed: 5)
    let params = Params(spec: MCSEFRON.spec, given: ["epochs": .int(2)], dataset: "mnist")
    let net = try MCSEFRON.make(params: params, inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    _ = try MCSEFRON.train(net, on: data.train, params: params, rng: &rng, label: "parity")
    let reference = MCSEFRON.decide(net, data.test.images)
    let predicted = net.predict(data.test.images, rng: &rng)
    let firing = reference.indices.filter { reference[$0] >= 0 }
    #expect(firing.count >= 290)
    #expect(firing.allSatisfy { reference[$0] == predicted[$0] })
    #expect(accuracy(net, on: data.test, rng: &rng) > 0.6)
    let tape = Tape()
    let x = tape.variable(data.test.images.slice(0..<4))
    let g = tape.gradients(of: crossEntropy(net.logits(x, rng: &rng), labels: Array(data.test.labels[0..<4])))[x]
    #expect(g.maxAbs() > 0)
  }

  @Test("the input gradient of a firing class's logit points like finite differences of its relaxed spike times")
  func gradientDirection() throws {
    let data = try MNIST.embedded().subset(train: 200, test: 20, seed: 11)
    let params = Params(spec: MCSEFRON.spec, given: ["epochs": .int(1), "grad": .string("paper")], dataset: "mnist")
    let net = try MCSEFRON.make(params: params, inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 1))
    var rng = RandomStream(seed: 2)
    _ = try MCSEFRON.train(net, on: data.train, params: params, rng: &rng, label: "g")
    let engine = MCSEFRONEngine(features: 784, fields: 5, classes: 10)
    let x = data.test.images.slice(0..<1)
    let (_, jac) = engine.logits(x, weights: net.values[0], thresholds: net.values[1], jacobian: true, weightSlope: false)
    let jacobian = try #require(jac)
    let s = engine.encode(x)
    let v = s.withUnsafeBufferPointer { ps in net.values[0].withUnsafeBufferPointer { engine.potentials(spikes: ps, count: 1, weights: $0) } }
    let th = net.values[1].scalars
    let c = try #require((0..<10).first { k in (0..<400).contains { v[flat: k * 400 + $0] > th[k] } })
    let t = try #require((0..<400).first { v[flat: c * 400 + $0] > th[c] })
    // Relaxed model: spike times T(1 − φ) + 1 unrounded, weights held at their looked-up
    // samples, crossing step t held; logit = −(t − 1 + (θ − V(t−1)) / (V(t) − V(t−1))).
    let w = (0..<3920).map { i in Double(net.values[0][flat: (c * 3920 + i) * 301 + Int(s[i]) - 1]) }
    func eps(_ d: Double) -> Double { d <= 0 ? 0 : d / 300 * exp(1 - d / 300) }
    func relaxedLogit(_ pixels: [Double]) -> Double {
      var a = 0.0, b = 0.0
      for j in 0..<784 {
        for k in 0..<5 {
          let d = pixels[j] - Double(engine.centres[k]), wd = Double(engine.width)
          let si = 300 * (1 - exp(-d * d / (2 * wd * wd))) + 1
          a += w[j * 5 + k] * eps(Double(t - 1) - si)
          b += w[j * 5 + k] * eps(Double(t) - si)
        }
      }
      return -(Double(t - 1) + (Double(th[c]) - a) / (b - a))
    }
    let base = (0..<784).map { Double(x[flat: $0]) }
    var dot = 0.0, n1 = 0.0, n2 = 0.0
    for j in stride(from: 0, to: 784, by: 3) {
      var plus = base, minus = base
      plus[j] += 1e-4
      minus[j] -= 1e-4
      let numeric = (relaxedLogit(plus) - relaxedLogit(minus)) / 2e-4
      let analytic = Double(jacobian[flat: c * 784 + j])
      dot += numeric * analytic
      n1 += numeric * numeric
      n2 += analytic * analytic
    }
    #expect(n2 > 0)
    #expect(dot / (n1.squareRoot() * n2.squareRoot()) > 0.95)
  }
}
