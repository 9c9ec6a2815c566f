import AdvAttacks
import AdvData
import AdvReport
import AdvSpec
import AdvTensor

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
  func plot(_ figure: FigureSpec, models: [String], params: Params, path: String, statement: String) throws {
    let drawn: DrawnFigure
    switch figure.kind {
    case .bars: drawn = try barsFigure(models: models, params: params, path: path, statement: statement)
    case .curve: drawn = try curveFigure(models: models, params: params, path: path, statement: statement)
    case .box: drawn = try boxFigure(models: models, params: params, path: path, statement: statement)
    case .tsne:
      try requireWeights(models[0])
      drawn = try tsneFigure(models[0], params: params, path: path, statement: statement)
    case .decision:
      try requireWeights(models[0])
      drawn = try decisionFigure(models[0], params: params, path: path, statement: statement)
    case .adversarials:
      drawn = try adversarialsFigure(models, params: params, path: path, statement: statement)
    }
    let target = outputTarget(path)
    if let svg = drawn.svg { try writeAtomically(svg, to: target) }
    if let png = drawn.png { try writeAtomically(png, to: target) }
    figures.append(drawn)
    report.figures.append(FigureRecord(figure: drawn.figure, title: drawn.title, caption: drawn.caption,
                                       file: path, statement: statement))
    output.print("wrote \(figure.name) figure to \(target)")
    saveResults()
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
