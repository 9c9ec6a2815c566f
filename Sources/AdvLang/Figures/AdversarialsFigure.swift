import AdvReport
import AdvSpec
import AdvTensor

/// `plot adversarials [of MODEL, ...]` (paper, Fig. 7): an image grid of attacked test images and
/// their adversarials, from the images `Session.keep` kept.
enum AdversarialsFigure {
  static let n = ParamKey.int("n", default: 4, range: 1...100, doc: "samples shown per model")
  static let scale = ParamKey.int("scale", default: 3, range: 1...16, doc: "pixels per image pixel")

  static let declaration = FigureSpec(
    .adversarials,
    doc: "image grid: rows models (and samples), columns the original and one adversarial per attack, the predicted label under each (paper, Fig. 7)",
    params: [n.spec, scale.spec], models: .filter, file: .png, paper: "Fig. 7")
}

extension Session {
  /// Fig. 7: per model, `n` samples in rows; the original, then one adversarial per attack.
  func adversarialsFigure(_ models: [String], params: Params, path: String, statement: String) throws -> DrawnFigure {
    let chosen = models.isEmpty ? ordered(kept.map(\.model)) : models
    let grid = try adversarialGrid(chosen, n: params[AdversarialsFigure.n])
    let caption = "Adversarials of \(chosen.joined(separator: ", ")): the original test image, then the latest "
      + "adversarial of each attack, each captioned with the label the model predicts (under its policy; "
      + "an empty grey cell: the attack returned nothing); seed \(seed); script \(scriptName)"
    return DrawnFigure(figure: FigureKind.adversarials.rawValue, title: "Adversarial examples", caption: caption, file: path,
                       svg: nil, png: grid.render(scale: params[AdversarialsFigure.scale]).png(), statement: statement,
                       models: chosen)
  }

  /// The grid of `plot adversarials` and of the HTML report.
  func adversarialGrid(_ models: [String], n: Int) throws -> ImageGrid {
    var columns = ["original"]
    var rows: [ImageGridRow] = []
    let points = report.resultPoints(results: ResultSelection.attacks.rawValue)
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
}
