@testable import AdvNN
import AdvTensor
import Foundation
import Testing

@Suite("t-SNE")
struct TSNETests {
  /// `clusters` Gaussian blobs of `perCluster` points in `dimension` coordinates: centres drawn
  /// uniformly in [−10, 10]ᵈ (so far apart next to their unit spread), points in cluster order.
  static func blobs(clusters: Int, perCluster: Int, dimension: Int, seed: UInt64) -> [Float] {
    var rng = RandomStream(seed: seed, stream: 0xB10B)
    let centres = (0..<(clusters * dimension)).map { _ in 20 * rng.uniform() - 10 }
    var points: [Float] = []
    for c in 0..<clusters {
      for _ in 0..<perCluster {
        for k in 0..<dimension { points.append(centres[c * dimension + k] + rng.normal()) }
      }
    }
    return points
  }

  static let points = blobs(clusters: 4, perCluster: 40, dimension: 10, seed: 1)

  @Test("points of well-separated clusters keep a nearest neighbour in their own cluster, and the KL falls")
  func clustersStayApart() throws {
    var rng = RandomStream(seed: 7)
    let result = try TSNE().embed(Self.points, count: 160, dimension: 10, rng: &rng)
    var kept = 0
    for i in 0..<160 {
      let nearest = (0..<160).filter { $0 != i }.min { a, b in
        squaredDistance(result.point(i), result.point(a)) < squaredDistance(result.point(i), result.point(b))
      }
      if nearest.map({ $0 / 40 }) == i / 40 { kept += 1 }
    }
    #expect(kept >= 152)
    #expect(result.klTrace.first?.iteration == 0)
    #expect(result.klTrace.last?.iteration == 1000)
    #expect(result.klTrace.count == 21)
    #expect(result.klDivergence < 0.5 * (result.klTrace.first?.value ?? 0))
    // After early exaggeration ends, the true KL only falls (within rounding).
    let late = result.klTrace.filter { $0.iteration >= 300 }.map(\.value)
    #expect(zip(late, late.dropFirst()).allSatisfy { $1 <= $0 + 1e-6 })
  }

  @Test("the same seed gives the same embedding bit for bit, another seed a different one")
  func reproducible() throws {
    let tsne = TSNE(iterations: 300)
    var a = RandomStream(seed: 3), b = RandomStream(seed: 3), c = RandomStream(seed: 4)
    let first = try tsne.embed(Self.points, count: 160, dimension: 10, rng: &a)
    let again = try tsne.embed(Self.points, count: 160, dimension: 10, rng: &b)
    let other = try tsne.embed(Self.points, count: 160, dimension: 10, rng: &c)
    #expect(first.coordinates.map(\.bitPattern) == again.coordinates.map(\.bitPattern))
    #expect(first.klDivergence.bitPattern == again.klDivergence.bitPattern)
    #expect(first.coordinates != other.coordinates)
  }

  @Test("each row's calibrated affinities have entropy log(perplexity)")
  func perplexityCalibration() {
    let x = Self.points.map(Double.init)
    for perplexity in [5.0, 30.0, 120.0] {
      let p = TSNE.conditionalProbabilities(x, count: 160, dimension: 10, perplexity: perplexity)
      var worst = 0.0
      for i in 0..<160 {
        let row = p[(i * 160)..<((i + 1) * 160)]
        let entropy = -row.reduce(0.0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        worst = max(worst, abs(entropy - log(perplexity)))
        #expect(abs(row.reduce(0, +) - 1) < 1e-12)
        #expect(p[i * 160 + i] == 0)
      }
      #expect(worst < 1e-4, "perplexity \(perplexity)")
    }
  }

  @Test("the gradient matches central differences of the KL divergence")
  func gradientMatchesFiniteDifferences() {
    let n = 12
    let x = Self.blobs(clusters: 3, perCluster: 4, dimension: 5, seed: 2).map(Double.init)
    var p = TSNE.conditionalProbabilities(x, count: n, dimension: 5, perplexity: 4)
    TSNE.symmetrize(&p, count: n)
    #expect(abs(p.reduce(0, +) - 1) < 1e-12)
    var rng = RandomStream(seed: 5)
    let y = (0..<(2 * n)).map { _ in Double(rng.normal()) }
    var gradient = [Double](repeating: 0, count: 2 * n)
    TSNE.gradient(p, y, count: n, exaggeration: 1, into: &gradient)
    var worst = 0.0
    let h = 1e-6
    for k in 0..<(2 * n) {
      var plus = y, minus = y
      plus[k] += h
      minus[k] -= h
      let numeric = (TSNE.klDivergence(p, plus, count: n) - TSNE.klDivergence(p, minus, count: n)) / (2 * h)
      worst = max(worst, abs(numeric - gradient[k]))
    }
    #expect(worst < 1e-6)
  }

  @Test("inputs t-SNE cannot embed are refused with what was expected")
  func invalidInputs() {
    var rng = RandomStream(seed: 1)
    #expect(throws: TSNEError.perplexityOutOfRange(30, count: 20)) {
      try TSNE().embed([Float](repeating: 0, count: 40), count: 20, dimension: 2, rng: &rng)
    }
    #expect(throws: TSNEError.shapeMismatch(values: 39, count: 20, dimension: 2)) {
      try TSNE(perplexity: 5).embed([Float](repeating: 0, count: 39), count: 20, dimension: 2, rng: &rng)
    }
    #expect(throws: TSNEError.nonFinitePoint(3)) {
      try TSNE(perplexity: 5).embed((0..<40).map { $0 == 7 ? .nan : Float($0) }, count: 20, dimension: 2, rng: &rng)
    }
    #expect(throws: TSNEError.invalidSetting(name: "iterations", value: "0", expected: "at least 1")) {
      try TSNE(perplexity: 5, iterations: 0).embed([Float](repeating: 0, count: 40), count: 20, dimension: 2, rng: &rng)
    }
    #expect(TSNEError.perplexityOutOfRange(30, count: 20).description
      == "perplexity must lie in 1...19 for 20 points (a point has 19 neighbours), found 30.0")
    #expect(TSNEError.invalidSetting(name: "iterations", value: "0", expected: "at least 1").description
      == "t-sne 'iterations' must be at least 1, found 0")
  }
}

private func squaredDistance(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
  (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)
}
