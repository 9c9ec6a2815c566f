import Foundation

/// The paper's result figures drawn from records: grouped bars (Figs. 1–3), ASR and L2 against
/// a swept parameter (Fig. 5) and box plots (Fig. 6). `plot bars|curve|box` and the HTML report
/// both start from `ResultPoint`s, one per attack record or per transfer target.

/// One result as the charts see it: an attack on a model, or one target of a transfer.
public struct ResultPoint: Sendable, Equatable {
  public enum Kind: String, Sendable { case attack, transfer }
  public var kind: Kind
  /// The attacked model (a transfer's target).
  public var model: String
  public var arch: String
  /// The attack's registry name.
  public var attack: String
  /// `white-box` for an attack, the source model for a transfer.
  public var source: String
  public var dataset: String
  /// `deterministic`, `single` or `average(n)`.
  public var policy: String
  public var params: [String: ReportValue]
  public var asr: Double
  /// Mean L2 per pixel, unscaled; nil when nothing was returned.
  public var l2PerPixel: Double?
  public var samples: Int
  public var seed: UInt64

  /// The value of a grouping field (`model`, `attack`, `source`, `dataset`, `policy`, `arch`).
  public func field(_ name: String) -> String {
    switch name {
    case "model": return model
    case "attack": return attack
    case "source": return source
    case "dataset": return dataset
    case "policy": return policy
    case "arch": return arch
    default: return params[name].map(formatValue(name)) ?? "-"
    }
  }
}

/// A parameter value as a label shows it: `8/255` for an ε of whole 255ths, else short.
func formatValue(_ key: String) -> (ReportValue) -> String {
  { value in key == "eps" ? in255ths(value) ?? value.description : value.description }
}

extension Report {
  /// The results as chart points: `results` is `all`, `attacks` or `transfers`; `models`, when
  /// not empty, keeps only results on those models (a transfer's targets, or its source).
  public func resultPoints(results: String = "all", models: [String] = []) -> [ResultPoint] {
    var points: [ResultPoint] = []
    func policy(of model: String) -> String {
      self.models.last { $0.name == model }?.policy ?? "-"
    }
    if results != "transfers" {
      for r in self.results where models.isEmpty || models.contains(r.model) {
        points.append(ResultPoint(kind: .attack, model: r.model, arch: r.arch, attack: r.attack, source: "white-box",
                                  dataset: r.dataset, policy: r.policy, params: r.params, asr: r.asr,
                                  l2PerPixel: r.l2PerPixel, samples: r.samples, seed: r.seed))
      }
    }
    if results != "attacks" {
      for t in transfers {
        for target in t.targets where models.isEmpty || models.contains(target.model) || models.contains(t.source) {
          points.append(ResultPoint(kind: .transfer, model: target.model, arch: target.arch, attack: t.attack,
                                    source: t.source, dataset: t.dataset, policy: policy(of: target.model),
                                    params: t.params, asr: target.asr, l2PerPixel: t.l2PerPixel,
                                    samples: t.samples, seed: t.seed))
        }
      }
    }
    return points
  }
}

/// Why a results figure cannot be drawn (no results, nothing swept); the message says what to add.
public struct FigureDataError: Error, CustomStringConvertible {
  public let description: String
}

/// Attack labels that tell results apart: the attack's name, plus the parameters whose values
/// differ between results of that attack (`bim eps=8/255`), `excluding` the swept one.
public func attackLabels(_ points: [ResultPoint], excluding: Set<String> = []) -> [String] {
  var varying: [String: [String]] = [:]
  for attack in Set(points.map(\.attack)) {
    let same = points.filter { $0.attack == attack }
    // `launches` only says how often a stochastic target was re-queried, not what was attacked.
    let keys = Set(same.flatMap { $0.params.keys }).subtracting(excluding).subtracting(["samples", "batch", "launches"])
    varying[attack] = keys.sorted().filter { key in Set(same.map { $0.params[key]?.exact ?? "" }).count > 1 }
  }
  return points.map { p in
    ([p.attack] + (varying[p.attack] ?? []).compactMap { key in p.params[key].map { "\(key)=\(formatValue(key)($0))" } })
      .joined(separator: " ")
  }
}

/// The value of `field` for each point; `attack` is the distinguishing label.
func labels(_ points: [ResultPoint], _ field: String, excluding: Set<String> = []) -> [String] {
  switch field {
  case "attack": return attackLabels(points, excluding: excluding)
  case "model_attack": return zip(points, attackLabels(points, excluding: excluding)).map { "\($0.0.model) · \($0.1)" }
  default: return points.map { $0.field(field) }
  }
}

/// Values in first-appearance order, each once.
func ordered(_ values: [String]) -> [String] {
  var seen: Set<String> = []
  return values.filter { seen.insert($0).inserted }
}

/// The caption every results figure carries: data sets, samples, seeds and the script.
public func resultCaption(_ points: [ResultPoint], report: Report) -> String {
  let datasets = ordered(points.map(\.dataset)).joined(separator: ", ")
  let samples = ordered(points.map { String($0.samples) })
  let seeds = ordered(points.map { String($0.seed) })
  let kinds = Set(points.map(\.kind))
  let what = kinds == [.transfer] ? "transfer results" : kinds == [.attack] ? "attack results" : "attack and transfer results"
  return "\(points.count) \(what) on \(datasets.isEmpty ? "no data" : datasets); "
    + "\(samples.count == 1 ? samples[0] : samples.joined(separator: "/")) samples each; "
    + "seed \(seeds.joined(separator: ", ")); script \(report.script ?? "-") (sha256 \(report.scriptHash.prefix(12)))"
}

/// Grouped bars of ASR (or mean L2 per pixel ×1000), `groups` on the x axis, one bar per
/// `series` value in each group. Several results with the same group and series (a repeated
/// statement) show the latest.
public func barsChart(_ points: [ResultPoint], metric: String, groups: String, series: String,
                      title: String, caption: String) throws(FigureDataError) -> BarChart {
  guard !points.isEmpty else {
    throw FigureDataError(description: "there are no results to draw yet; run an 'attack' or 'transfer' first")
  }
  let groupOf = labels(points, groups)
  let seriesOf = labels(points, series)
  let groupNames = ordered(groupOf)
  let seriesNames = ordered(seriesOf)
  var value: [String: Double?] = [:]
  for (i, p) in points.enumerated() {
    value[groupOf[i] + "\u{1}" + seriesOf[i]] = metric == "l2" ? p.l2PerPixel.map { $0 * 1000 } : p.asr
  }
  let bars = seriesNames.map { s in
    BarSeries(name: s, values: groupNames.map { g in value[g + "\u{1}" + s] ?? nil })
  }
  return BarChart(title: title, caption: caption, groups: groupNames, series: bars,
                  yLabel: metric == "l2" ? "mean L2 per pixel x1000" : "attack success rate (ASR)",
                  yRange: metric == "l2" ? nil : 0...1)
}

/// The attack parameter that is swept among `points`: the one numeric parameter whose value
/// differs (`x` names it, or `auto`).
public func sweptParameter(_ points: [ResultPoint], x: String) throws(FigureDataError) -> String {
  if x != "auto" {
    guard points.contains(where: { if case .number? = $0.params[x] { return true } else { return false } }) else {
      throw FigureDataError(description: "no result has a numeric '\(x)' to put on the x axis")
    }
    return x
  }
  // A parameter that differs between results of the same attack (eps between BIM runs; not
  // steps between a BIM and a CW run).
  let keys = Set(points.flatMap { $0.params.keys }).subtracting(["samples", "batch", "launches"])
  let swept = keys.sorted().filter { key in
    Set(points.map(\.attack)).contains { attack in
      let same = points.filter { $0.attack == attack }
      let values = same.compactMap { p -> Double? in if case .number(let v)? = p.params[key] { return v } else { return nil } }
      return values.count == same.count && Set(values).count > 1
    }
  }
  guard swept.count == 1 else {
    throw FigureDataError(description: swept.isEmpty
      ? "no attack parameter differs between the results: sweep one with 'for', e.g. 'for c in [0.01, 0.1, 1, 10] { attack cwl2 c=c on MODEL }'"
      : "several parameters differ between the results (\(swept.joined(separator: ", "))); name one with 'x='")
  }
  return swept[0]
}

/// ASR (solid, left axis) and mean L2 per pixel ×1000 (dashed, right axis) against the swept
/// parameter, one pair of lines per value of `lines` (and per attack, when several attacks are
/// drawn and `lines` is not `attack`).
public func curveChart(_ points: [ResultPoint], x: String, lines: String, scale: String,
                       title: String, caption: String) throws(FigureDataError) -> LineChart {
  guard !points.isEmpty else {
    throw FigureDataError(description: "there are no results to draw yet; run an 'attack' or 'transfer' first")
  }
  let key = try sweptParameter(points, x: x)
  let usable = points.filter { if case .number? = $0.params[key] { return true } else { return false } }
  var names = labels(usable, lines, excluding: [key])
  if lines != "attack" && Set(usable.map(\.attack)).count > 1 {
    names = zip(names, attackLabels(usable, excluding: [key])).map { "\($0) · \($1)" }
  }
  let xs = usable.map { p -> Double in if case .number(let v)? = p.params[key] { return v } else { return 0 } }
  let positive = xs.allSatisfy { $0 > 0 }
  let log = scale == "log" || (scale == "auto" && positive && (xs.max() ?? 1) / max(xs.min() ?? 1, .leastNonzeroMagnitude) > 50)
  var chartLines: [ChartLine] = []
  for name in ordered(names) {
    let mine = usable.indices.filter { names[$0] == name }.sorted { xs[$0] < xs[$1] }
    chartLines.append(ChartLine(name: "\(name) ASR", axis: .left, dashed: false,
                                points: mine.map { (x: xs[$0], y: usable[$0].asr) }))
    chartLines.append(ChartLine(name: "\(name) L2", axis: .right, dashed: true,
                                points: mine.compactMap { i in usable[i].l2PerPixel.map { (x: xs[i], y: $0 * 1000) } }))
  }
  var chart = LineChart(title: title, caption: caption, xLabel: key == "eps" ? "eps (L-inf budget, pixel scale)" : key,
                        xLogScale: log, leftLabel: "attack success rate (ASR, solid)",
                        rightLabel: "mean L2 per pixel x1000 (dashed)", lines: chartLines)
  // ASR always on its whole range, so curves from different runs compare by eye.
  chart.leftRange = 0...1
  return chart
}

/// Box plots of per-result ASR and of mean L2 per pixel ×1000, one box per value of `by`, as two
/// panels side by side (Fig. 6 (a) and (b)).
public func boxCharts(_ points: [ResultPoint], by: String, title: String, caption: String) throws(FigureDataError) -> PanelFigure {
  guard !points.isEmpty else {
    throw FigureDataError(description: "there are no results to draw yet; run an 'attack' or 'transfer' first")
  }
  let names = labels(points, by)
  let groups = ordered(names)
  let asr = BoxPlot(title: "ASR", caption: "", yLabel: "attack success rate (ASR)",
                    boxes: groups.map { g in BoxGroup(name: g, values: points.indices.filter { names[$0] == g }.map { points[$0].asr }) })
  let l2 = BoxPlot(title: "mean L2 per pixel", caption: "", yLabel: "mean L2 per pixel x1000",
                   boxes: groups.map { g in
                     BoxGroup(name: g, values: points.indices.filter { names[$0] == g }.compactMap { points[$0].l2PerPixel.map { $0 * 1000 } })
                   })
  return PanelFigure(title: title, caption: caption, panels: [asr, l2], columns: 2)
}

/// The charts a report's results allow, each with a title: bars of ASR when several models or
/// attacks were run, a curve for every swept parameter (per attack), box plots when results
/// under more than one policy exist. Kinds in `skipping` (`bars`, `curve`, `box`) are left out:
/// the script drew its own.
public func automaticCharts(_ report: Report, skipping: Set<String> = []) -> [(title: String, svg: String)] {
  var out: [(String, String)] = []
  let points = report.resultPoints()
  guard !points.isEmpty else { return out }
  let caption = resultCaption(points, report: report)
  let models = ordered(points.map(\.model))
  let attacks = ordered(attackLabels(points))
  if !skipping.contains("bars"), models.count > 1 || attacks.count > 1,
     let chart = try? barsChart(points, metric: "asr", groups: models.count > 1 ? "model" : "attack",
                                series: models.count > 1 ? "attack" : "model", title: "Attack success rate", caption: caption) {
    out.append(("Attack success rate per model and attack", chart.svg()))
  }
  for attack in ordered(points.map(\.attack)) where !skipping.contains("curve") {
    let same = points.filter { $0.attack == attack }
    guard same.count >= 2, let key = try? sweptParameter(same, x: "auto"),
          let chart = try? curveChart(same, x: key, lines: "model", scale: "auto",
                                      title: "\(attack): ASR and L2 against \(key)", caption: resultCaption(same, report: report))
    else { continue }
    out.append(("\(attack) against \(key)", chart.svg()))
  }
  if !skipping.contains("box"), Set(points.map(\.policy)).count > 1, let boxes = try? boxCharts(points, by: "policy", title: "By policy", caption: caption) {
    out.append(("ASR and L2 by inference policy", boxes.svg()))
  }
  return out
}
