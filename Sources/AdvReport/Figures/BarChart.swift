import Foundation

/// One series of a grouped bar chart: a value per group, `nil` where it is missing (drawn as a
/// small "n/a" mark on the baseline, never as a zero-height bar).
public struct BarSeries: Sendable, Equatable {
  public var name: String
  public var values: [Double?]
  /// The series' colour and hatch; by default the `k`-th series gets `Palette.series(k)` and
  /// `Hatch.series(k)` (the first series is plain).
  public var color: RGB?
  public var hatch: Hatch?

  public init(name: String, values: [Double?], color: RGB? = nil, hatch: Hatch? = nil) {
    self.name = name; self.values = values; self.color = color; self.hatch = hatch
  }
}

/// Grouped bars, one bar per series in each group (paper Figures 1–3: ASR per model and
/// attack, y in [0, 1]).
///
/// Bars start at zero (or at the range's edge nearest zero) and stop at the range's edges when
/// a value leaves `yRange`. Value labels sit above the bars when there are at most 24 bars and
/// each is at least 20 px wide (override with `valueLabels`). Group names wrap onto up to
/// three lines under their group, or, when one does not fit, are all turned 60°. NaN is drawn
/// as missing.
///
/// Each series has its Okabe–Ito colour and a hatch pattern, so the chart still reads in
/// greyscale; the legend sits at the right.
public struct BarChart: SVGChart {
  public var title: String
  public var caption: String
  public var groups: [String]
  public var series: [BarSeries]
  public var yLabel: String
  /// The y axis' range; `nil` for a nice range around the data and zero.
  public var yRange: ClosedRange<Double>?
  /// An optional title for the category axis.
  public var xLabel: String = ""
  /// `nil` decides by the number and width of bars.
  public var valueLabels: Bool? = nil
  /// The whole SVG's width and the plot area's height, px.
  public var width: Double = 720
  public var plotHeight: Double = 300

  /// - Precondition: every series has one value per group.
  public init(title: String, caption: String, groups: [String], series: [BarSeries], yLabel: String,
              yRange: ClosedRange<Double>? = nil) {
    for s in series { precondition(s.values.count == groups.count, "series '\(s.name)' needs one value per group") }
    self.title = title; self.caption = caption; self.groups = groups; self.series = series
    self.yLabel = yLabel; self.yRange = yRange
  }

  func color(_ k: Int) -> RGB { series[k].color ?? Palette.series(k) }
  func hatch(_ k: Int) -> Hatch { series[k].hatch ?? Hatch.series(k) }

  public func document(idPrefix: String) -> SVGDocument {
    let chrome = Chrome(title: title, caption: caption, width: width)
    var defs: [String] = []
    let values = series.flatMap { $0.values.compactMap { $0 } }
    let (domain, ticks) = Axes.linear(data: values, fixed: yRange)
    let legend = series.indices.map { LegendEntry(name: series[$0].name, swatch: .fill(color($0), hatch($0))) }
    let legendWidth = Legend.width(legend)

    var plotX = 44 + Axes.labelWidth(ticks)
    let plotRight = width - 12 - (legendWidth > 0 ? legendWidth + 16 : 0)
    var band = (plotRight - plotX) / Double(max(groups.count, 1))
    // Group names wrap onto up to three lines under their group; when one does not fit, all
    // are turned 60° and the plot moves right far enough for the first.
    let nameLines = groups.map { wrapped($0, width: band - 4, size: FontSize.tick) }
    let turned = nameLines.contains { $0.map { $0.count > 3 } ?? true }
    let nameWidths = groups.map { textWidth($0, size: FontSize.tick) }
    if turned, let first = nameWidths.first {
      plotX = max(plotX, first * 0.5 - band / 2 + 10)
      band = (plotRight - plotX) / Double(max(groups.count, 1))
    }
    let plot = Box(x: plotX, y: chrome.top + 16, width: max(plotRight - plotX, 40), height: plotHeight)
    let y = AxisScale(domain: domain, from: plot.bottom, to: plot.y)
    let slot = band * 0.8 / Double(max(series.count, 1))
    let showValues = valueLabels ?? (groups.count * series.count <= 24 && slot >= 20)

    var body = Axes.vertical(ticks, scale: y, plot: plot, right: false, grid: true)
    let baseValue = min(max(0, domain.lowerBound), domain.upperBound)
    let base = y(baseValue)
    for g in groups.indices {
      let left = plot.x + band * Double(g) + band * 0.1
      for (k, s) in series.enumerated() {
        let x = left + slot * Double(k) + slot * 0.06, w = slot * 0.88
        guard let v = s.values[g], v.isFinite else {
          body.append(#"<g class="bar-missing">"# + svgLine(x + w * 0.2, base - 1, x + w * 0.8, base - 1, stroke: "#777777", width: 2)
                      + svgText("n/a", x: x + w / 2, y: base - 5, size: 9, anchor: .middle, fill: "#555555") + "</g>")
          continue
        }
        let top = y.clamped(v)
        body += hatchedRect(x, min(top, base), w, abs(base - top), color: color(k), hatch: hatch(k),
                            idPrefix: idPrefix, defs: &defs, cls: "bar")
        if showValues {
          let above = v >= baseValue
          body.append(svgText(valueText(v), x: x + w / 2, y: above ? top - 4 : top + 12, size: FontSize.value,
                              anchor: .middle, cls: "value"))
        }
      }
      if g > 0 { body.append(svgLine(plot.x + band * Double(g), plot.bottom, plot.x + band * Double(g), plot.bottom + 5)) }
    }
    body.append(svgLine(plot.x, base, plot.right, base, stroke: "#000000", cls: "axis"))
    if base != plot.bottom { body.append(svgLine(plot.x, plot.bottom, plot.right, plot.bottom, stroke: "#000000")) }

    var bottom: Double
    if turned {
      for (g, name) in groups.enumerated() {
        body.append(svgText(name, x: plot.x + band * (Double(g) + 0.5) + 4, y: plot.bottom + 12, size: FontSize.tick,
                            anchor: .end, rotate: -60, cls: "group"))
      }
      bottom = plot.bottom + 18 + (nameWidths.max() ?? 0) * 0.87
    } else {
      let lines = nameLines.map { $0 ?? [] }
      for (g, name) in lines.enumerated() {
        for (j, line) in name.enumerated() {
          body.append(svgText(line, x: plot.x + band * (Double(g) + 0.5), y: plot.bottom + 17 + Double(j) * 14,
                              size: FontSize.tick, anchor: .middle, cls: "group"))
        }
      }
      bottom = plot.bottom + 10 + Double(lines.map(\.count).max() ?? 0) * 14
    }
    if !xLabel.isEmpty {
      bottom += 20
      body.append(Axes.horizontalLabel(xLabel, y: bottom, plot: plot))
    }
    body.append(Axes.verticalLabel(yLabel, x: 18, plot: plot))
    body += Legend.elements(legend, x: plot.right + 20, y: plot.y, idPrefix: idPrefix, defs: &defs)
    return chrome.document(contentBottom: bottom, defs: defs, body: body)
  }

  /// Two decimals for values below 10 (ASR), fewer for larger ones.
  func valueText(_ v: Double) -> String {
    abs(v) < 10 ? String(format: "%.2f", v) : abs(v) < 1000 ? String(format: "%.1f", v) : String(format: "%.0f", v)
  }
}
