import AdvTensor
import Foundation

/// A model's decisions on the plane through three images: the paper's Figure 4(c)(d)
/// (stochastic-nets.md §9).
///
/// Grid point (column a, row b) is the image `x(α, β) = clip(x₁ + α (x₂ − x₁) + β (x₃ − x₁), 0, 1)`
/// with `α = lo + a·h`, `β = lo + b·h`, `h = (hi − lo) / (grid − 1)`: the three anchors lie at
/// (α, β) = (0, 0), (1, 0) and (0, 1). Results are row-major, `index = b · grid + a`, row 0 at
/// β = lo (the bottom of a plot with β upward).
///
/// A deterministic model labels each point once, under its policy, exactly as `Model.predict`
/// does (same fixed blocks, so the same labels). A stochastic model answers `passes` single
/// forward passes per point: the label is the majority (the lowest class on a tie), and the
/// variance is that of the indicator "this pass answered the label": `p(1 − p)` for the share
/// `p` of passes that did, reported as `4 p (1 − p)` so that it spans [0, 1] (0 = every pass
/// agrees, 1 = a two-way even split). The paper draws high variance as faded colour.
public struct DecisionPlane: Sendable {
  /// Points per side (`grid × grid` in all); at least 2.
  public var grid: Int
  /// The interval α and β both span.
  public var range: ClosedRange<Double>
  /// Single stochastic passes per point (ignored for a deterministic model).
  public var passes: Int
  /// Images per forward call at most (fewer for a wide network, see `floatsPerCall`), so
  /// memory stays bounded whatever the grid.
  public var maxRows: Int

  /// Elements one intermediate value of a forward call may hold (as the attack evaluation's
  /// launches do): a binarised ResNet's widest layer is 80 floats per input pixel.
  static let floatsPerCall = 1 << 25

  public init(grid: Int = 100, range: ClosedRange<Double> = -0.5...1.5, passes: Int = 100, maxRows: Int = 2000) {
    self.grid = grid
    self.range = range
    self.passes = passes
    self.maxRows = maxRows
  }

  /// The plane coordinate (α or β) of grid column or row `k`.
  public func coordinate(_ k: Int) -> Double {
    range.lowerBound + Double(k) * (range.upperBound - range.lowerBound) / Double(grid - 1)
  }

  /// Where plane point (α, β) lies in grid coordinates (fractional column and row).
  public func cell(alpha: Double, beta: Double) -> (x: Double, y: Double) {
    let scale = Double(grid - 1) / (range.upperBound - range.lowerBound)
    return ((alpha - range.lowerBound) * scale, (beta - range.lowerBound) * scale)
  }

  /// Labels (and, for a stochastic model, variance) of `model` on the plane through `anchors`
  /// (`[3, C, H, W]`, images in [0, 1]). Stochastic passes draw from `rng`, so a run is
  /// reproducible from its seed. Stops with `Interrupted` between forward calls on Ctrl-C.
  public func compute(model: any Model, anchors: Tensor, rng: inout RandomStream,
                      label: String = "decision plane") throws -> DecisionPlaneResult {
    try validate(anchors)
    return try run(model, anchors: anchors, rng: &rng, label: label)
  }

  func validate(_ anchors: Tensor) throws(DecisionPlaneError) {
    guard anchors.rank >= 2, anchors.shape[0] == 3, anchors.count > 0 else { throw .anchors(shape: anchors.shape) }
    guard grid >= 2 else { throw .grid(grid) }
    guard range.lowerBound.isFinite, range.upperBound.isFinite, range.lowerBound < range.upperBound else {
      throw .range(range.lowerBound, range.upperBound)
    }
    guard passes >= 1 else { throw .passes(passes) }
    guard maxRows >= 1 else { throw .maxRows(maxRows) }
  }

  private func run<M: Model>(_ model: M, anchors: Tensor, rng: inout RandomStream, label: String) throws -> DecisionPlaneResult {
    let total = grid * grid
    var labels = [Int](repeating: 0, count: total)
    var variance = [Double](repeating: 0, count: total)
    var confidence = [Double](repeating: 0, count: total)
    let stochastic = model.isStochastic
    let imageShape = Array(anchors.shape.dropFirst())
    let progress = Progress(label, total: total * (stochastic ? passes : 1),
                            unit: .count(stochastic ? "forward passes" : "grid points"))
    defer { progress.finish() }
    if !stochastic {
      // `predict`'s fixed blocks (the last one padded), so labels agree with it to the bit.
      let block = M.decisionBlock
      var start = 0
      while start < total {
        try Interrupt.check()
        let end = min(start + block, total)
        var images = points(anchors, start..<end)
        if end - start < block { images = images.gather(rows: (0..<block).map { $0 < end - start ? $0 : 0 }) }
        let z = model.logits(images, rng: &rng)
        let answers = z.argmaxRows()
        z.withUnsafeBufferPointer { pz in
          let k = z.shape[1]
          for r in 0..<(end - start) {
            labels[start + r] = answers[r]
            confidence[start + r] = Self.softmax(pz.baseAddress! + r * k, classes: k, at: answers[r])
          }
        }
        start = end
        progress.update(end)
      }
    } else {
      let widest = model.widestValuePerImage(shape: imageShape)
      let rows = max(1, min(maxRows, Self.floatsPerCall / widest))
      var start = 0
      while start < total {
        let end = min(start + rows, total)
        let count = end - start
        let images = points(anchors, start..<end)
        var votes: [Int] = []
        var probabilities: [Double] = []
        var classes = 0
        for pass in 0..<passes {
          try Interrupt.check()
          let tape = Tape.inference()
          let z = model.logits(tape.constant(images), passes: 1, rng: &rng).value
          if pass == 0 {
            classes = z.shape[1]
            votes = [Int](repeating: 0, count: count * classes)
            probabilities = [Double](repeating: 0, count: count * classes)
          }
          let answers = z.argmaxRows()
          z.withUnsafeBufferPointer { pz in
            for r in 0..<count {
              votes[r * classes + answers[r]] += 1
              Self.addSoftmax(pz.baseAddress! + r * classes, classes: classes, into: &probabilities, at: r * classes)
            }
          }
          progress.update(start * passes + (pass + 1) * count)
        }
        for r in 0..<count {
          // The first class with the most votes: a tie goes to the lower class, as argmax's does.
          var winner = 0
          for c in 1..<max(classes, 1) where votes[r * classes + c] > votes[r * classes + winner] { winner = c }
          let share = Double(votes[r * classes + winner]) / Double(passes)
          labels[start + r] = winner
          variance[start + r] = 4 * share * (1 - share)
          confidence[start + r] = probabilities[r * classes + winner] / Double(passes)
        }
        start = end
      }
    }
    let anchorCells = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)].map { cell(alpha: $0.0, beta: $0.1) }
    return DecisionPlaneResult(size: grid, range: range, passes: stochastic ? passes : 1, labels: labels,
                               variance: variance, confidence: confidence, anchorCells: anchorCells)
  }

  /// The images of grid points `cells` (row-major indices), `[cells.count, C, H, W]`.
  func points(_ anchors: Tensor, _ cells: Range<Int>) -> Tensor {
    let shape = Array(anchors.shape.dropFirst())
    let d = anchors.count / 3
    var out = Tensor(uninitialized: [cells.count] + shape)
    anchors.withUnsafeBufferPointer { pa in
      out.withUnsafeMutableBufferPointer { po in
        let (x1, x2, x3) = (pa.baseAddress!, pa.baseAddress! + d, pa.baseAddress! + 2 * d)
        for (r, c) in cells.enumerated() {
          let alpha = Float(coordinate(c % grid)), beta = Float(coordinate(c / grid))
          let o = po.baseAddress! + r * d
          for k in 0..<d {
            o[k] = min(max(x1[k] + alpha * (x2[k] - x1[k]) + beta * (x3[k] - x1[k]), 0), 1)
          }
        }
      }
    }
    return out
  }

  /// softmax(z)[label] of one row of logits, in Double.
  static func softmax(_ z: UnsafePointer<Float>, classes k: Int, at label: Int) -> Double {
    var top = -Double.infinity
    for c in 0..<k { top = max(top, Double(z[c])) }
    var sum = 0.0
    for c in 0..<k { sum += exp(Double(z[c]) - top) }
    return exp(Double(z[label]) - top) / sum
  }

  /// Adds softmax(z) to `into[offset..<offset + k]`.
  static func addSoftmax(_ z: UnsafePointer<Float>, classes k: Int, into out: inout [Double], at offset: Int) {
    var top = -Double.infinity
    for c in 0..<k { top = max(top, Double(z[c])) }
    var sum = 0.0
    for c in 0..<k { sum += exp(Double(z[c]) - top) }
    for c in 0..<k { out[offset + c] += exp(Double(z[c]) - top) / sum }
  }
}

/// A model's decisions on a `size × size` grid of a plane (see `DecisionPlane`), row-major
/// with row 0 at β = lo.
public struct DecisionPlaneResult: Sendable {
  public let size: Int
  /// The interval α and β span.
  public let range: ClosedRange<Double>
  /// Forward passes behind each point: `DecisionPlane.passes` for a stochastic model, else 1.
  public let passes: Int
  /// The predicted class of each point (a stochastic model's majority over its passes).
  public let labels: [Int]
  /// `4 p (1 − p)`, p the share of passes that answered the label: 0 when all agree, 1 at an
  /// even two-way split; 0 everywhere for a deterministic model.
  public let variance: [Double]
  /// The mean over passes of the softmax probability of the label.
  public let confidence: [Double]
  /// Where anchors x₁, x₂, x₃ lie in grid coordinates (fractional column, row).
  public let anchorCells: [(x: Double, y: Double)]

  /// The label at grid column `x`, row `y`.
  public func label(x: Int, y: Int) -> Int { labels[y * size + x] }
}

/// Why a decision plane cannot be computed with the given anchors or settings.
public enum DecisionPlaneError: Error, Equatable, CustomStringConvertible {
  case anchors(shape: [Int])
  case grid(Int)
  case range(Double, Double)
  case passes(Int)
  case maxRows(Int)

  public var description: String {
    switch self {
    case .anchors(let shape):
      return "a decision plane needs three anchor images [3, C, H, W], found shape \(shape)"
    case .grid(let n):
      return "a decision plane's grid needs at least 2 points per side, found \(n)"
    case let .range(lo, hi):
      return "a decision plane's range must be finite with lo < hi, found \(lo)...\(hi)"
    case .passes(let n):
      return "a decision plane needs at least 1 pass per point, found \(n)"
    case .maxRows(let n):
      return "a decision plane needs at least 1 image per forward call, found \(n)"
    }
  }
}
