import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Testing

@Suite("Boundary")
struct BoundaryTests {
  let w: [Float] = (0..<16).map { i in Float(i % 5 + 1) * (i % 3 == 0 ? -0.1 : 0.07) }

  /// Three images near 0.5 that the linear classifier labels 0, with their minimal L2 distances
  /// to its boundary, |w·x + b| / ‖w‖.
  func setup() -> (Network, Split, [Double]) {
    let net = linearClassifier(w, bias: -0.3 - w.reduce(0, +) * 0.5)
    var values: [Float] = []
    for s in 0..<3 { values += (0..<16).map { j in 0.5 + 0.02 * Float((s * 7 + j * 3) % 5 - 2) } }
    let split = Split(images: Tensor(values, shape: [3, 1, 1, 16]), labels: [0, 0, 0])
    let norm = Double(w.map { $0 * $0 }.reduce(0, +)).squareRoot()
    let minimal = (0..<3).map { s -> Double in
      let margin = zip(w, values[(s * 16)..<(s * 16 + 16)]).map { Double($0 * $1) }.reduce(0, +) - 0.3 - Double(w.reduce(0, +)) * 0.5
      return abs(margin) / norm
    }
    return (net, split, minimal)
  }

  @Test("on a linear classifier Boundary lands within 25% of the minimal L2 distance, not below")
  func linearMinimum() throws {
    let (net, split, minimal) = setup()
    let params = Params(spec: Boundary.spec, given: ["iterations": .int(2000)])
    let result = try Evaluation(samples: 3).run(Boundary(params: params), params: params, on: net, split: split, seed: 1)
    #expect(result.asr == 1)
    for sample in result.samples {
      let found = try #require(sample.l2PerPixel) * 16
      let best = minimal[sample.index]
      #expect(found >= best * (1 - 1e-4), "sample \(sample.index): found \(found) below the minimum \(best)")
      #expect(found <= best * 1.25, "sample \(sample.index): found \(found), minimal \(best)")
      #expect(sample.gradients == 0, "decision-based: no gradients")
      #expect(sample.queries > 2000, "every step queries at least once: \(sample.queries)")
    }
  }

  @Test("the current distance never grows, and shrinks overall")
  func monotone() throws {
    let (net, split, _) = setup()
    let params = Params(spec: Boundary.spec, given: ["iterations": .int(500)])
    var attack = Boundary(params: params)
    nonisolated(unsafe) var trace: [[Double]] = []
    attack.observer = { _, d in trace.append(d) }
    _ = try Evaluation(samples: 3).run(attack, params: params, on: net, split: split, seed: 1)
    #expect(trace.count == 500)
    for s in 0..<3 {
      let series = trace.map { $0[s] }
      #expect(series.allSatisfy { $0.isFinite })
      #expect(zip(series, series.dropFirst()).allSatisfy { $1 <= $0 }, "sample \(s) moved away")
      #expect(series.last! < series.first! * 0.5, "sample \(s): \(series.first!) → \(series.last!)")
    }
  }

  @Test("the same seed gives the same adversarials and query counts")
  func reproducible() throws {
    let (net, split, _) = setup()
    let params = Params(spec: Boundary.spec, given: ["iterations": .int(200)])
    let a = try Evaluation(samples: 3).run(Boundary(params: params), params: params, on: net, split: split, seed: 4)
    let b = try Evaluation(samples: 3).run(Boundary(params: params), params: params, on: net, split: split, seed: 4)
    #expect(a.samples == b.samples)
  }

  @Test("a classifier that no noise image fools gives no starting point and no adversarial")
  func noStart() throws {
    // Class 0 wins for every image in [0, 1]: w·x + b < 0 everywhere.
    let net = linearClassifier(Array(repeating: 0.01, count: 16), bias: -1)
    let split = Split(images: Tensor(repeating: 0.5, shape: [1, 1, 1, 16]), labels: [0])
    let params = Params(spec: Boundary.spec, given: ["iterations": .int(10), "init_draws": .int(50)])
    let result = try Evaluation(samples: 1).run(Boundary(params: params), params: params, on: net, split: split, seed: 1)
    #expect(result.asr == 0)
    #expect(result.samples[0].returned == false)
    #expect(result.samples[0].queries == 51, "the clean query and 50 noise draws")
  }
}
