@testable import AdvNN
import AdvTensor
import Foundation
import Testing

/// A two-class linear model of two-pixel images with margin `m(x) = w·x + b` (class 1's logit
/// minus class 0's), plus, when `noise > 0`, Gaussian noise of that standard deviation on the
/// margin, drawn afresh per image and pass: then one pass answers class 1 with probability
/// Φ(m / noise).
struct PlaneToy {
  let w: [Double] = [1, 2]
  let b: Double = -1.2
  let noise: Float
  /// x₁ (class 0), x₂ (class 0), x₃ (class 1).
  let anchors = Tensor([0.2, 0.3, 0.9, 0.1, 0.1, 0.8], shape: [3, 1, 1, 2])

  var network: Network {
    let weight = Tensor([0, 0, Float(w[0]), Float(w[1])], shape: [2, 2])
    let noise = self.noise
    return Network(architecture: "plane-toy", params: Params(), inputShape: [1, 1, 2], classes: 2,
                   parameters: [("fc.weight", weight), ("fc.bias", Tensor([0, Float(b)], shape: [2]))],
                   stochastic: noise > 0, policy: .average(10)) { x, p, _, rng in
      let z = linear(flatten(x), weight: p["fc.weight"], bias: p["fc.bias"])
      guard noise > 0 else { return z }
      var draws = Tensor(zeros: z.shape)
      draws.withUnsafeMutableBufferPointer { pd in
        for r in 0..<z.shape[0] { pd[2 * r + 1] = noise * rng.normal() }
      }
      return z + z.tape.constant(draws)
    }
  }

  /// The margin at plane point (α, β), pixels clipped to [0, 1], in Double.
  func margin(alpha: Double, beta: Double) -> Double {
    let x = anchors.scalars.map(Double.init)
    return (0..<2).reduce(b) { sum, k in
      sum + w[k] * min(max(x[k] + alpha * (x[2 + k] - x[k]) + beta * (x[4 + k] - x[k]), 0), 1)
    }
  }
}

@Suite("decision plane")
struct DecisionPlaneTests {
  @Test("a deterministic model's boundary on the plane lies where the analytic one does")
  func deterministicBoundary() throws {
    let toy = PlaneToy(noise: 0)
    let plane = DecisionPlane(grid: 41)
    var rng = RandomStream(seed: 1)
    let result = try plane.compute(model: toy.network, anchors: toy.anchors, rng: &rng)
    var wrong = 0, ones = 0, checked = 0
    for row in 0..<41 {
      for column in 0..<41 {
        let m = toy.margin(alpha: plane.coordinate(column), beta: plane.coordinate(row))
        let i = row * 41 + column
        ones += result.labels[i]
        // Float32 images and logits: points within 1e-4 of the boundary may go either way.
        guard abs(m) > 1e-4 else { continue }
        checked += 1
        if result.labels[i] != (m > 0 ? 1 : 0) { wrong += 1 }
        #expect(abs(result.confidence[i] - 1 / (1 + exp(-abs(m)))) < 1e-5)
      }
    }
    #expect(wrong == 0)
    #expect(checked > 1600)
    #expect(ones > 200 && ones < 1481)
    #expect(result.variance.allSatisfy { $0 == 0 })
    #expect(result.passes == 1)
  }

  @Test("a deterministic model's plane labels are what predict answers for the same images")
  func deterministicMatchesPredict() throws {
    let toy = PlaneToy(noise: 0)
    let plane = DecisionPlane(grid: 30, range: -2...3)
    var rng = RandomStream(seed: 1)
    let result = try plane.compute(model: toy.network, anchors: toy.anchors, rng: &rng)
    let predicted = toy.network.predict(plane.points(toy.anchors, 0..<900), rng: &rng)
    #expect(result.labels == predicted)
    #expect(Set(predicted) == [0, 1])
  }

  @Test("a stochastic model's variance is high near the boundary and zero far from it")
  func stochasticVariance() throws {
    let toy = PlaneToy(noise: 0.1)
    let plane = DecisionPlane(grid: 21, passes: 100)
    var rng = RandomStream(seed: 2)
    let result = try plane.compute(model: toy.network, anchors: toy.anchors, rng: &rng)
    var near = 0, far = 0
    for row in 0..<21 {
      for column in 0..<21 {
        let m = toy.margin(alpha: plane.coordinate(column), beta: plane.coordinate(row))
        let i = row * 21 + column
        // One pass answers class 1 with probability Φ(m / 0.1): within half a standard
        // deviation of the boundary that is 0.31…0.69, so 100 passes split far from unanimity.
        if abs(m) < 0.05 {
          near += 1
          #expect(result.variance[i] > 0.3, "cell (\(column), \(row)), margin \(m)")
        }
        if abs(m) > 0.1 { #expect(result.labels[i] == (m > 0 ? 1 : 0), "cell (\(column), \(row)), margin \(m)") }
        // Six standard deviations out, a wrong pass has probability 1e-9.
        if abs(m) > 0.6 {
          far += 1
          #expect(result.variance[i] == 0, "cell (\(column), \(row)), margin \(m)")
        }
      }
    }
    #expect(near >= 3)
    #expect(far >= 50)
    #expect(result.passes == 100)
    #expect(result.variance.allSatisfy { (0...1).contains($0) })
  }

  @Test("the anchors land at the grid cells of (0, 0), (1, 0) and (0, 1)")
  func anchorCells() throws {
    let toy = PlaneToy(noise: 0)
    let plane = DecisionPlane(grid: 41)
    var rng = RandomStream(seed: 1)
    let result = try plane.compute(model: toy.network, anchors: toy.anchors, rng: &rng)
    let expected: [(Double, Double)] = [(10, 10), (30, 10), (10, 30)]
    #expect(result.anchorCells.count == 3)
    for ((x, y), (ex, ey)) in zip(result.anchorCells, expected) {
      #expect(abs(x - ex) < 1e-9 && abs(y - ey) < 1e-9)
    }
    // The images at those cells are the anchors (to Float32 rounding of α and β).
    for (k, (x, y)) in expected.enumerated() {
      let cell = Int(y) * 41 + Int(x)
      let image = plane.points(toy.anchors, cell..<(cell + 1)).scalars
      let anchor = toy.anchors.slice(k..<(k + 1)).scalars
      #expect(zip(image, anchor).allSatisfy { abs($0 - $1) < 1e-6 })
    }
    let standard = DecisionPlane()
    let cells = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)].map { standard.cell(alpha: $0.0, beta: $0.1) }
    for ((x, y), (ex, ey)) in zip(cells, [(24.75, 24.75), (74.25, 24.75), (24.75, 74.25)]) {
      #expect(abs(x - ex) < 1e-9 && abs(y - ey) < 1e-9)
    }
  }

  @Test("anchors that are not three images are refused")
  func invalidAnchors() {
    let toy = PlaneToy(noise: 0)
    var rng = RandomStream(seed: 1)
    #expect(throws: DecisionPlaneError.anchors(shape: [2, 1, 1, 2])) {
      try DecisionPlane().compute(model: toy.network, anchors: toy.anchors.slice(0..<2), rng: &rng)
    }
    #expect(DecisionPlaneError.anchors(shape: [2, 1, 1, 2]).description
      == "a decision plane needs three anchor images [3, C, H, W], found shape [2, 1, 1, 2]")
  }
}
