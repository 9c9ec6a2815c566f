import AdvReport
import AdvSpec

/// The charts of the results so far (`plot bars`, `plot curve`, `plot box`): their settings as
/// typed keys, their declarations and their drawing steps. AdvReport draws them from its
/// `ResultPoint`s and takes each setting by its script spelling.

/// A field results are grouped by: a result's model, attack (with the parameters that tell its
/// results apart), source (`white-box` or a transfer's source model), data set, policy or
/// architecture.
enum ResultField: String, ParamChoice {
  case model, attack, source, dataset, policy, arch
}

/// Which results a chart draws.
enum ResultSelection: String, ParamChoice {
  case all, attacks, transfers
}

/// The setting every results chart has.
enum ResultCharts {
  static let results = ParamKey.choice(
    "results", default: ResultSelection.all,
    doc: "which results: white-box attacks, transfers (a transfer's ASR is its transfer rate per target), or both")
}

/// `plot bars` (paper, Figs. 1-3).
enum BarsFigure {
  enum Metric: String, ParamChoice { case asr, l2 }

  /// The bar groups on the x axis: a field, or one group per model and attack.
  enum Groups: ParamChoice, Hashable {
    case field(ResultField)
    case modelAttack

    static let allCases = ResultField.allCases.map(Groups.field) + [.modelAttack]

    init?(rawValue: String) {
      guard let hit = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
      self = hit
    }

    var rawValue: String {
      switch self {
      case .field(let field): return field.rawValue
      case .modelAttack: return "model_attack"
      }
    }
  }

  static let metric = ParamKey.choice("metric", default: Metric.asr, doc: "ASR in [0, 1], or mean L2 per pixel x1000")
  static let groups = ParamKey.choice(
    "groups", default: Groups.field(.model),
    doc: "what the bar groups on the x axis are (model_attack: one group per model and attack)")
  static let series = ParamKey.choice("series", default: ResultField.attack, doc: "what the bars within a group are (one colour each)")

  static let declaration = FigureSpec(
    .bars, doc: "grouped bars of ASR (or mean L2) per model and attack, from the results so far (paper, Figs. 1-3)",
    params: [metric.spec, groups.spec, series.spec, ResultCharts.results.spec], models: .filter, file: .svg, paper: "Figs. 1-3")
}

/// `plot curve` (paper, Fig. 5).
enum CurveFigure {
  enum Scale: String, ParamChoice { case auto, linear, log }

  /// Its options are the attacks' numeric parameters (see `declaration(swept:)`).
  static let x = ParamKey.choice(
    "x", default: "auto", options: ["auto"],
    doc: "the attack parameter on the x axis; auto: the one numeric parameter that differs between the results")
  static let lines = ParamKey.choice("lines", default: ResultField.model, doc: "one pair of lines per value of this field")
  static let scale = ParamKey.choice(
    "scale", default: Scale.auto, doc: "the x axis; auto: logarithmic when the values span more than a factor of 50")

  /// The declaration, `swept` naming the attacks' numeric parameters `x` may be.
  static func declaration(swept: [String]) -> FigureSpec {
    FigureSpec(
      .curve,
      doc: "ASR (solid, left axis) and mean L2 per pixel x1000 (dashed, right axis) against a swept attack parameter (paper, Fig. 5)",
      params: [x.offering(["auto"] + swept).spec, lines.spec, scale.spec, ResultCharts.results.spec],
      models: .filter, file: .svg, paper: "Fig. 5")
  }
}

/// `plot box` (paper, Fig. 6).
enum BoxFigure {
  static let by = ParamKey.choice("by", default: ResultField.policy, doc: "one box per value of this field")

  static let declaration = FigureSpec(
    .box,
    doc: "box plots of per-result ASR and mean L2 per pixel x1000, one box per value of a field (paper, Fig. 6: single vs average policy)",
    params: [by.spec, ResultCharts.results.spec], models: .filter, file: .svg, paper: "Fig. 6")
}

extension ParamKey where Value == String {
  /// The same choice with other options.
  func offering(_ options: [String]) -> Self {
    Self(spec: ParamSpec(name: spec.name, kind: .choice(options), defaultValue: spec.defaultValue, doc: spec.doc))
  }
}

extension Session {
  /// The results a chart draws (those on `models`, when any are named) and their caption.
  func chartedResults(_ params: Params, models: [String]) -> (points: [ResultPoint], caption: String) {
    let points = report.resultPoints(results: params[ResultCharts.results].rawValue, models: models)
    return (points, resultCaption(points, report: report))
  }

  /// Figs. 1-3: grouped bars of ASR or mean L2 per pixel.
  func barsFigure(models: [String], params: Params, path: String, statement: String) throws -> DrawnFigure {
    let (points, caption) = chartedResults(params, models: models)
    let metric = params[BarsFigure.metric]
    let title = metric == .l2 ? "Mean L2 per pixel" : "Attack success rate"
    let chart = try barsChart(points, metric: metric.rawValue, groups: params[BarsFigure.groups].rawValue,
                              series: params[BarsFigure.series].rawValue, title: title, caption: caption)
    return DrawnFigure(figure: FigureKind.bars.rawValue, title: title, caption: caption, file: path, svg: chart.svg(), png: nil,
                       statement: statement)
  }

  /// Fig. 5: ASR and mean L2 per pixel against a swept attack parameter.
  func curveFigure(models: [String], params: Params, path: String, statement: String) throws -> DrawnFigure {
    let (points, caption) = chartedResults(params, models: models)
    let title = "ASR and mean L2 per pixel"
    let chart = try curveChart(points, x: params[CurveFigure.x], lines: params[CurveFigure.lines].rawValue,
                               scale: params[CurveFigure.scale].rawValue, title: title, caption: caption)
    return DrawnFigure(figure: FigureKind.curve.rawValue, title: title, caption: caption, file: path, svg: chart.svg(), png: nil,
                       statement: statement)
  }

  /// Fig. 6: box plots of per-result ASR and mean L2 per pixel, one box per value of a field.
  func boxFigure(models: [String], params: Params, path: String, statement: String) throws -> DrawnFigure {
    let (points, caption) = chartedResults(params, models: models)
    let by = params[BoxFigure.by].rawValue
    let title = "ASR and mean L2 per pixel by \(by)"
    let chart = try boxCharts(points, by: by, title: title, caption: caption)
    return DrawnFigure(figure: FigureKind.box.rawValue, title: title, caption: caption, file: path, svg: chart.svg(), png: nil,
                       statement: statement)
  }
}
