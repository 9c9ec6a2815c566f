import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import AdvTestSupport
import Testing

@Suite("CWL2")
struct CWL2Tests {
  @Test("on a linear classifier CWL2 lands within 5% of the minimal L2 distance |w·x+b|/‖w‖, not below")
  func linearMinimum() throws {
    let w: [Float] = (0..<16).map { i in Float(i % 5 + 1) * (i % 3 == 0 ? -0.1 : 0.07) }
    let dot = w.reduce(0, +) * 0.5
    let net = linearClassifier(w, bias: -0.3 - dot)
    let split = Split(images: Tensor(repeating: 0.5, shape: [1, 1, 1, 16]), labels: [0])
    let params = Params(spec: CWL2.spec, given: [:])
    let result = try Evaluation(samples: 1).run(CWL2(params: params), params: params, on: net, split: split, seed: 1)
    let minimal = 0.3 / Double(w.map { $0 * $0 }.reduce(0, +)).squareRoot()
    let found = try #require(result.samples.first?.l2PerPixel) * 16
    #expect(result.asr == 1)
    #expect(found >= minimal * (1 - 1e-4))
    #expect(found <= minimal * 1.05, "found \(found), minimal \(minimal)")
    #expect(result.samples[0].queries > 100, "the binary search ran: \(result.samples[0].queries) queries")
  }

  @Test("without search, a constant too small to cross the boundary returns nothing")
  func smallConstant() throws {
    let w: [Float] = Array(repeating: 0.1, count: 16)
    let net = linearClassifier(w, bias: -0.8 - 0.8)
    let split = Split(images: Tensor(repeating: 0.5, shape: [1, 1, 1, 16]), labels: [0])
    let params = Params(spec: CWL2.spec, given: ["search": .string("off"), "c": .real(0.01), "steps": .int(200)])
    let result = try Evaluation(samples: 1).run(CWL2(params: params), params: params, on: net, split: split, seed: 1)
    #expect(result.asr == 0)
  }
}
