import AdvSpec
import Foundation

extension CheckPass {
  /// `plot FIGURE [of MODEL, ...] [key=value ...] [to "FILE"]`: the figure, its models (one for
  /// a model's figure, any number as a filter of the results), its settings and a file of the
  /// figure's kind (a default name under the output directory when none is given).
  mutating func checkPlot(_ figureName: Name, _ modelNames: [Name], _ arguments: [NamedArgument], _ pathExpr: Expr?,
                          _ statement: Statement) {
    let spec = component(.figure, figureName)
    let figure = spec.flatMap { vocabulary.figure(named: $0.name) }
    let models = modelNames.map { model($0) }
    let params = parameters(arguments, of: spec, dataset: nil)
    let path = pathExpr.flatMap { string($0, expected: "a file name in double quotes after 'to'") }
    guard let spec, let figure, let params, models.allSatisfy({ $0 != nil }), pathExpr == nil || path != nil else { return }
    let resolved = models.compactMap { $0 }
    if figure.models == .one && resolved.count != 1 {
      let range = modelNames.dropFirst().reduce(modelNames.first?.range ?? figureName.range) { $0.union($1.range) }
      error(resolved.isEmpty ? "'plot \(spec.name)' needs the model it draws" : "'plot \(spec.name)' draws one model",
            at: range, hint: "write 'plot \(spec.name) of MODEL'")
      return
    }
    if resolved.count > 1 && !sameData(resolved, names: modelNames) { return }
    if figure.kind == .adversarials {
      let unattacked = zip(resolved, modelNames).first { !environment.attacked.contains($0.0) }
      if let (model, name) = unattacked {
        error("'\(model)' has not been attacked before this statement", at: name.range,
              hint: "add 'attack ATTACK on \(model)' before it")
        return
      }
      if resolved.isEmpty && environment.attacked.isEmpty {
        error("no attack has run before this statement: there are no adversarials to show", at: statement.range,
              hint: "add 'attack ATTACK on MODEL' before it")
        return
      }
    }
    guard figureSettings(figure.kind, params, arguments, whole: statement.range) else { return }
    let ext = figure.file.rawValue
    let file: String
    if let path, let pathExpr {
      guard path.lowercased().hasSuffix("." + ext) else {
        error("'plot \(spec.name)' writes \(ext.uppercased()), but '\(path)' does not end in '.\(ext)'", at: pathExpr.range,
              hint: "name the file '\(((path as NSString).deletingPathExtension as String)).\(ext)'")
        return
      }
      environment.noteFigureFile(path)
      file = path
    } else {
      let stem = (["plot", spec.name] + resolved.prefix(1)).joined(separator: "-")
      var next = figureNumbers[stem + "." + ext] ?? 1
      file = environment.newFigureFile(stem, ext, from: &next)
      figureNumbers[stem + "." + ext] = next
    }
    changes.figureFiles.append(file)
    guard checkOutput(file, by: "plot", pathExpr, in: statement.range) else { return }
    emit(PlotStep(figure: figure, models: resolved, params: params, path: file), for: statement)
  }

  /// Cross-setting rules of the figures: three distinct whole test indices for `decision`,
  /// `lo` below `hi`, a perplexity the sample can support.
  mutating func figureSettings(_ figure: FigureKind, _ params: Params, _ arguments: [NamedArgument], whole: SourceRange) -> Bool {
    func at<V>(_ key: ParamKey<V>) -> SourceRange? { arguments.first { $0.key == key.name }?.value.range }
    switch figure {
    case .decision:
      let around = params[DecisionFigure.around]
      if around.count != 3 || around.contains(where: { $0 != $0.rounded() }) || Set(around).count != 3 {
        error("'around' must list three different test images by index, such as [0, 1, 2]", at: at(DecisionFigure.around) ?? whole,
              hint: "the plane passes through x1, x2 and x3: x1 + a (x2 - x1) + b (x3 - x1)")
        return false
      }
      let lo = params[DecisionFigure.lo], hi = params[DecisionFigure.hi]
      if lo >= hi {
        error("'lo' (\(formatReal(lo))) must be below 'hi' (\(formatReal(hi)))", at: at(DecisionFigure.lo) ?? at(DecisionFigure.hi) ?? whole)
        return false
      }
    case .tsne:
      let perplexity = params[TSNEFigure.perplexity], samples = params[TSNEFigure.samples]
      if perplexity * 3 >= Double(samples) {
        error("a perplexity of \(formatReal(perplexity)) needs more than \(Int(perplexity * 3)) samples, not \(samples)",
              at: at(TSNEFigure.perplexity) ?? at(TSNEFigure.samples) ?? whole, hint: "lower 'perplexity' or raise 'samples'")
        return false
      }
    case .bars, .curve, .box, .adversarials:
      break
    }
    return true
  }
}
