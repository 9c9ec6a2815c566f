import AdvAttacks
import AdvData
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// The adversarials of one attack, kept for `plot adversarials`, `save adversarials` and the
/// HTML report's grids (results.json keeps only their labels and distances).
struct KeptAdversarials {
  let model: String
  /// The attack record they belong to, in `report.results`.
  let record: Int
  /// Test-split positions, true labels, the clean images (C×H×W each) and, where the attack
  /// returned one, the adversarial and its label under the model's policy.
  let indices: [Int]
  let labels: [Int]
  let originals: [Tensor]
  let adversarials: [Tensor?]
  let adversarialLabels: [Int?]
}

/// A figure drawn by `plot` (or for the HTML report): its file and content, for the report.
struct DrawnFigure {
  let figure: String
  let title: String
  let caption: String
  let file: String
  let svg: String?
  let png: [UInt8]?
  let statement: String
  /// The models an `adversarials` grid shows (the HTML report adds grids only for the others).
  var models: [String] = []
}

extension Session {
  /// Keeps the images of an attack's result (the record just appended).
  func keep(_ result: AttackResult, on name: String, split: Split) {
    // A sample's index names its record in the data set's file (`Split.sourceIndices`).
    var position: [Int: Int] = [:]
    for (p, index) in split.sourceIndices.enumerated() where position[index] == nil { position[index] = p }
    let shape = Array(split.images.shape.dropFirst())
    let originals = result.samples.map { sample in
      position[sample.index].map { split.batch([$0]).images.reshaped(shape) } ?? Tensor(zeros: shape)
    }
    kept.append(KeptAdversarials(
      model: name, record: report.results.count - 1, indices: result.samples.map(\.index), labels: result.samples.map(\.label),
      originals: originals, adversarials: result.adversarials.map { $0?.reshaped(Array(split.images.shape.dropFirst())) },
      adversarialLabels: result.samples.map(\.adversarialLabel)))
  }

  /// `plot FIGURE …`: draws the figure, writes it atomically under the output directory and
  /// keeps it for `report html`.
  func plot(_ spec: ComponentSpec, models: [String], params: Params, path: String, statement: String) throws {
    let figure: DrawnFigure
    switch spec.name {
    case "bars", "curve", "box":
      figure = try resultFigure(spec.name, models: models, params: params, path: path, statement: statement)
    case "tsne":
      try requireWeights(models[0])
      figure = try tsneFigure(models[0], params: params, path: path, statement: statement)
    case "decision":
      try requireWeights(models[0])
      figure = try decisionFigure(models[0], params: params, path: path, statement: statement)
    case "adversarials":
      figure = try adversarialsFigure(models, params: params, path: path, statement: statement)
    default:
      throw RuntimeError(message: "the figure '\(spec.name)' has no drawing step")
    }
    let target = outputTarget(path)
    if let svg = figure.svg { try writeAtomically(svg, to: target) }
    if let png = figure.png { try writeAtomically(png, to: target) }
    figures.append(figure)
    report.figures.append(FigureRecord(figure: figure.figure, title: figure.title, caption: figure.caption,
                                       file: path, statement: statement))
    output.print("wrote \(spec.name) figure to \(target)")
    saveResults()
  }

  func string(_ params: Params, _ key: String) -> String {
    if case .string(let s)? = params[key] { return s }
    return ""
  }

  func integer(_ params: Params, _ key: String) -> Int {
    params[key]?.asDouble.map { Int($0) } ?? 0
  }

  func real(_ params: Params, _ key: String) -> Double {
    params[key]?.asDouble ?? 0
  }

  func resultFigure(_ kind: String, models: [String], params: Params, path: String, statement: String) throws -> DrawnFigure {
    let points = report.resultPoints(results: string(params, "results"), models: models)
    let caption = resultCaption(points, report: report)
    let svg: String
    let title: String
    switch kind {
    case "bars":
      let metric = string(params, "metric")
      title = metric == "l2" ? "Mean L2 per pixel" : "Attack success rate"
      svg = try barsChart(points, metric: metric, groups: string(params, "groups"), series: string(params, "series"),
                          title: title, caption: caption).svg()
    case "curve":
      title = "ASR and mean L2 per pixel"
      svg = try curveChart(points, x: string(params, "x"), lines: string(params, "lines"), scale: string(params, "scale"),
                           title: title, caption: caption).svg()
    default:
      title = "ASR and mean L2 per pixel by \(string(params, "by"))"
      svg = try boxCharts(points, by: string(params, "by"), title: title, caption: caption).svg()
    }
    return DrawnFigure(figure: kind, title: title, caption: caption, file: path, svg: svg, png: nil, statement: statement)
  }

  /// Fig. 4(a, b): t-SNE of the model's logits (under its policy) on a class-stratified sample.
  func tsneFigure(_ name: String, params: Params, path: String, statement: String) throws -> DrawnFigure {
    let m = try model(name)
    let useTrain = string(params, "split") == "train"
    let split = useTrain ? m.dataset.train : m.dataset.test
    let samples = integer(params, "samples")
    guard samples <= split.count else {
      throw RuntimeError(message: "'samples=\(samples)' asks for more images than the \(useTrain ? "training" : "test") split has (\(split.count)); lower it")
    }
    var pick = RandomStream(seed: seed, stream: 0x75E1)
    let subset = split.stratifiedSubset(samples, classes: m.dataset.classes, rng: &pick)
    var noise = RandomStream(seed: seed, stream: 0x75E2)
    let chunk = 250
    var logits: [Float] = []
    var first = 0
    while first < subset.count {
      try Interrupt.check()
      let rows = Array(first..<min(first + chunk, subset.count))
      let out = m.model.logits(subset.batch(rows).images, rng: &noise)
      logits += out.scalars
      first += chunk
    }
    let tsne = TSNE(perplexity: real(params, "perplexity"), iterations: integer(params, "iterations"))
    var init0 = RandomStream(seed: seed, stream: 0x75E3)
    let embedding = try tsne.embed(logits, count: subset.count, dimension: m.dataset.classes, rng: &init0,
                                   label: "plot tsne of \(name)")
    let points = (0..<subset.count).map { (x: embedding.coordinates[2 * $0], y: embedding.coordinates[2 * $0 + 1]) }
    let caption = "t-SNE of the logits of \(name) (\(m.architecture.name), \(m.policyDescription)) on \(subset.count) "
      + "\(m.dataset.name) \(useTrain ? "training" : "test") images, stratified by class; perplexity "
      + "\(formatReal(real(params, "perplexity"))), \(integer(params, "iterations")) iterations, final KL "
      + String(format: "%.3f", embedding.klDivergence) + "; seed \(seed); script \(scriptName)"
    let title = "t-SNE of \(name) logits"
    let chart = ScatterPlot(title: title, caption: caption, points: points, classes: subset.labels,
                            classNames: (0..<m.dataset.classes).map { "class \($0)" })
    return DrawnFigure(figure: "tsne", title: title, caption: caption, file: path, svg: chart.svg(), png: nil, statement: statement)
  }

  /// Fig. 4(c, d): predicted classes on the plane through three test images.
  func decisionFigure(_ name: String, params: Params, path: String, statement: String) throws -> DrawnFigure {
    let m = try model(name)
    guard case .reals(let around)? = params["around"] else { throw RuntimeError(message: "'around' is missing") }
    let indices = around.map { Int($0) }
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
    let plane = DecisionPlane(grid: integer(params, "grid"), range: real(params, "lo")...real(params, "hi"),
                              passes: integer(params, "passes"))
    var rng = RandomStream(seed: seed, stream: 0xDEC1)
    let result = try plane.compute(model: m.model, anchors: anchors, rng: &rng, label: "plot decision of \(name)")
    let labels = positions.map { test.labels[$0] }
    let marks = zip(result.anchorCells, zip(indices, labels)).map { cell, il in
      (x: cell.x, y: cell.y, label: "#\(il.0) (\(il.1))")
    }
    var map = DecisionMap(size: result.size, labels: result.labels, variance: result.variance, classes: m.dataset.classes,
                          marks: marks, gamma: real(params, "gamma"))
    let stochastic = m.model.isStochastic
    map.showsVariance = stochastic
    let caption = "Predicted class of \(name) (\(m.architecture.name)) on the plane x1 + a (x2 - x1) + b (x3 - x1) through "
      + "\(m.dataset.name) test images \(indices.map(String.init).joined(separator: ", ")) (true labels "
      + "\(labels.map(String.init).joined(separator: ", "))), a and b in [\(formatReal(real(params, "lo"))), "
      + "\(formatReal(real(params, "hi")))] on a \(result.size)x\(result.size) grid; "
      + (stochastic ? "majority of \(integer(params, "passes")) single passes, colour faded by the variance of that label (gamma \(formatReal(real(params, "gamma"))))"
         : "deterministic predictions")
      + "; seed \(seed); script \(scriptName)"
    return DrawnFigure(figure: "decision", title: "Decision regions of \(name)", caption: caption, file: path, svg: nil,
                       png: map.render(scale: max(1, 400 / result.size)).png(), statement: statement)
  }

  /// Fig. 7: per model, `n` samples in rows; the original, then one adversarial per attack.
  func adversarialsFigure(_ models: [String], params: Params, path: String, statement: String) throws -> DrawnFigure {
    let chosen = models.isEmpty ? ordered(kept.map(\.model)) : models
    let grid = try adversarialGrid(chosen, n: integer(params, "n"))
    let caption = "Adversarials of \(chosen.joined(separator: ", ")): the original test image, then the latest "
      + "adversarial of each attack, each captioned with the label the model predicts (under its policy; "
      + "an empty grey cell: the attack returned nothing); seed \(seed); script \(scriptName)"
    return DrawnFigure(figure: "adversarials", title: "Adversarial examples", caption: caption, file: path, svg: nil,
                       png: grid.render(scale: integer(params, "scale")).png(), statement: statement, models: chosen)
  }

  /// The grid of `plot adversarials` and of the HTML report.
  func adversarialGrid(_ models: [String], n: Int) throws -> ImageGrid {
    var columns = ["original"]
    var rows: [ImageGridRow] = []
    let points = report.resultPoints(results: "attacks")
    let names = attackLabels(points)
    for model in models {
      // The latest attack of each label on this model.
      var latest: [String: KeptAdversarials] = [:]
      var order: [String] = []
      for set in kept where set.model == model {
        let label = names[set.record]
        if latest[label] == nil { order.append(label) }
        latest[label] = set
      }
      guard !order.isEmpty else { throw RuntimeError(message: "'\(model)' has no attack results with images to show") }
      for label in order where !columns.contains(label) { columns.append(label) }
      let sets = order.compactMap { latest[$0] }
      // Samples every attack attacked, those with the most adversarials first.
      var common = sets[0].indices
      for set in sets.dropFirst() { common = common.filter(set.indices.contains) }
      let found = { (i: Int) in sets.filter { set in set.indices.firstIndex(of: i).map { set.adversarials[$0] != nil } ?? false }.count }
      let shown = common.enumerated().sorted { (found($0.1), -$0.0) > (found($1.1), -$1.0) }.prefix(n).map(\.1)
      for index in shown {
        guard let at = sets[0].indices.firstIndex(of: index) else { continue }
        var cells: [ImageGridCell?] = Array(repeating: nil, count: columns.count)
        cells[0] = cell(sets[0].originals[at], caption: "true \(sets[0].labels[at])")
        for (label, set) in zip(order, sets) {
          guard let k = set.indices.firstIndex(of: index), let column = columns.firstIndex(of: label) else { continue }
          // No adversarial: the grid draws an empty grey cell.
          cells[column] = set.adversarials[k].map { cell($0, caption: "pred \(set.adversarialLabels[k].map(String.init) ?? "?")") }
        }
        rows.append(ImageGridRow(label: "\(model) #\(index)", cells: cells))
      }
    }
    // Rows drawn before a later model added columns get empty cells there.
    rows = rows.map { row in
      ImageGridRow(label: row.label, cells: row.cells + Array(repeating: nil, count: columns.count - row.cells.count))
    }
    return ImageGrid(columns: columns, rows: rows)
  }

  func cell(_ image: Tensor, caption: String) -> ImageGridCell {
    let shape = image.shape
    return ImageGridCell(channels: shape[0], height: shape[1], width: shape[2], pixels: image.scalars, caption: caption)
  }

  /// Values in first-appearance order, each once.
  func ordered(_ values: [String]) -> [String] {
    var seen: Set<String> = []
    return values.filter { seen.insert($0).inserted }
  }

  /// `report html`: one self-contained page with the tables, the automatic charts, every
  /// figure drawn so far and a grid of adversarials per attacked model.
  func htmlReport() -> String {
    var extra: [HTMLFigure] = figures.map {
      HTMLFigure(title: $0.title, caption: $0.caption, file: $0.file, svg: $0.svg, png: $0.png)
    }
    let shown = Set(figures.flatMap(\.models))
    for model in ordered(kept.map(\.model)) where !shown.contains(model) {
      guard let grid = try? adversarialGrid([model], n: 4), !grid.rows.isEmpty else { continue }
      extra.append(HTMLFigure(
        title: "Adversarials of \(model)",
        caption: "Up to 4 attacked test images of \(model): the original, then the latest adversarial of each attack, "
          + "captioned with the label the model predicts (empty grey: nothing returned)",
        file: nil, svg: nil, png: grid.render(scale: 2).png()))
    }
    return renderHTML(report, script: scriptText, figures: extra)
  }
}
