import AdvData
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor

/// `plot decision of MODEL` (paper, Fig. 4(c, d)): the predicted class on the plane through
/// three test images, faded by the prediction's variance on a stochastic model.
enum DecisionFigure {
  static let around = ParamKey.reals(
    "around", default: [0, 1, 2], range: 0...1_000_000,
    doc: "the three test images that span the plane, x1 + a (x2 - x1) + b (x3 - x1), by their index in the data set's test file (as results.json's per_sample index)")
  static let grid = ParamKey.int("grid", default: 100, range: 10...400, doc: "grid points per axis")
  static let lo = ParamKey.real("lo", default: -0.5, range: -10...10, doc: "the smallest plane coordinate a, b")
  static let hi = ParamKey.real("hi", default: 1.5, range: -10...10, doc: "the largest plane coordinate a, b")
  static let passes = ParamKey.int(
    "passes", default: 100, range: 1...1000,
    doc: "single stochastic passes per grid point (majority label and its variance); ignored by a deterministic model")
  static let gamma = ParamKey.real("gamma", default: 0.3, range: 0.01...10, doc: "how the variance fades the colour: lower fades faster")

  static let declaration = FigureSpec(
    .decision,
    doc: "predicted class on the plane through three test images; for a stochastic model the prediction variance fades the colour (paper, Fig. 4(c, d))",
    params: [around.spec, grid.spec, lo.spec, hi.spec, passes.spec, gamma.spec], models: .one, file: .png, paper: "Fig. 4(c, d)")
}

extension Session {
  /// Fig. 4(c, d): predicted classes on the plane through three test images.
  func decisionFigure(_ name: String, params: Params, path: String, statement: String) throws -> DrawnFigure {
    let m = try model(name)
    let indices = params[DecisionFigure.around].map { Int($0) }
    // By their index in the test file, as results.json names samples.
    let test = m.dataset.test
    var positions: [Int] = []
    for index in indices {
      guard let p = test.sourceIndices.firstIndex(of: index) else {
        let shown = test.sourceIndices.prefix(5).map(String.init).joined(separator: ", ")
        throw RuntimeError(message: "'around' names test image \(index), which the loaded test split (\(test.count) images) does not hold; "
          + "it holds \(shown), … (results.json's per_sample index lists attacked ones)")
      }
      positions.append(p)
    }
    let anchors = test.batch(positions).images
    let lo = params[DecisionFigure.lo], hi = params[DecisionFigure.hi]
    let passes = params[DecisionFigure.passes], gamma = params[DecisionFigure.gamma]
    let plane = DecisionPlane(grid: params[DecisionFigure.grid], range: lo...hi, passes: passes)
    var rng = RandomStream(seed: seed, stream: 0xDEC1)
    let result = try plane.compute(model: m.model, anchors: anchors, rng: &rng, label: "plot decision of \(name)")
    let labels = positions.map { test.labels[$0] }
    let marks = zip(result.anchorCells, zip(indices, labels)).map { cell, il in
      (x: cell.x, y: cell.y, label: "#\(il.0) (\(il.1))")
    }
    var map = DecisionMap(size: result.size, labels: result.labels, variance: result.variance, classes: m.dataset.classes,
                          marks: marks, gamma: gamma)
    let stochastic = m.model.isStochastic
    map.showsVariance = stochastic
    let caption = "Predicted class of \(name) (\(m.architecture.name)) on the plane x1 + a (x2 - x1) + b (x3 - x1) through "
      + "\(m.dataset.name) test images \(indices.map(String.init).joined(separator: ", ")) (true labels "
      + "\(labels.map(String.init).joined(separator: ", "))), a and b in [\(formatReal(lo)), \(formatReal(hi))] on a "
      + "\(result.size)x\(result.size) grid; "
      + (stochastic ? "majority of \(passes) single passes, colour faded by the variance of that label (gamma \(formatReal(gamma)))"
         : "deterministic predictions")
      + "; seed \(seed); script \(scriptName)"
    return DrawnFigure(figure: FigureKind.decision.rawValue, title: "Decision regions of \(name)", caption: caption, file: path,
                       svg: nil, png: map.render(scale: max(1, 400 / result.size)).png(), statement: statement)
  }
}
