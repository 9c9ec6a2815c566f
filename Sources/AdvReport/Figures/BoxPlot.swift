import Foundation

/// The numbers a box plot draws for one group.
public struct BoxSummary: Sendable, Equatable {
  /// Finite values counted.
  public var n: Int
  public var q1: Double
  public var median: Double
  public var q3: Double
  /// The smallest and largest values within 1.5 IQR of the box (Tukey's whiskers).
  public var lowerWhisker: Double
  public var upperWhisker: Double
  /// Values beyond the whiskers, ascending.
  public var outliers: [Double]

  /// The summary of `values`' finite entries; `nil` when there are none.
  ///
  /// Quantiles interpolate linearly between order statistics (Hyndman & Fan type 7, the
  /// default of R's `quantile` and NumPy's `percentile`): with the n sorted values x₀…xₙ₋₁,
  /// Q(p) = x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋₊₁ − x_⌊h⌋) where h = (n − 1)p. Whiskers end at the most
  /// extreme values inside [Q1 − 1.5 IQR, Q3 + 1.5 IQR]; the rest are outliers.
  public init?(_ values: [Double]) {
    let x = values.filter(\.isFinite).sorted()
    guard !x.isEmpty else { return nil }
    func quantile(_ p: Double) -> Double {
      let h = Double(x.count - 1) * p
      let i = Int(h.rounded(.down))
      return i + 1 < x.count ? x[i] + (h - Double(i)) * (x[i + 1] - x[i]) : x[i]
    }
    n = x.count
    q1 = quantile(0.25); median = quantile(0.5); q3 = quantile(0.75)
    let iqr = q3 - q1
    let lo = q1 - 1.5 * iqr, hi = q3 + 1.5 * iqr
    lowerWhisker = x.first { $0 >= lo } ?? q1
    upperWhisker = x.last { $0 <= hi } ?? q3
    outliers = x.filter { $0 < lo || $0 > hi }
  }
}

/// The values behind one box.
public struct BoxGroup: Sendable, Equatable {
  public var name: String
  /// Non-finite values are left out (and not counted in n).
  public var values: [Double]
  /// By default the `k`-th box gets `Palette.series(k)` and `Hatch.series(k)`.
  public var color: RGB?
  public var hatch: Hatch?

  public init(name: String, values: [Double], color: RGB? = nil, hatch: Hatch? = nil) {
    self.name = name; self.values = values; self.color = color; self.hatch = hatch
  }

  public var summary: BoxSummary? { BoxSummary(values) }
}

/// Box plots side by side on one value axis (paper Figure 6: single vs average(10) inference,
/// pooled; one `BoxPlot` for ASR and one for L2, laid together by `PanelFigure`).
///
/// Each box spans Q1 to Q3 with a thick median line; whiskers end at the last values within
/// 1.5 IQR (see `BoxSummary` for the quantile method); outliers are circles; "n = …" is written
/// under each box's name. A group without finite values shows "no data". The legend is a key
/// to these marks; boxes are told apart by name, colour and hatch.
public struct BoxPlot: SVGChart {
  public var title: String
  public var caption: String
  public var yLabel: String
  public var boxes: [BoxGroup]
  /// The value axis' range; `nil` for a nice range around the data and zero.
  public var yRange: ClosedRange<Double>? = nil
  public var xLabel: String = ""
  public var width: Double = 520
  public var plotHeight: Double = 300

  public init(title: String, caption: String, yLabel: String, boxes: [BoxGroup]) {
    self.title = title; self.caption = caption; self.yLabel = yLabel; self.boxes = boxes
  }

  public func document(idPrefix: String) -> SVGDocument {
    let chrome = Chrome(title: title, caption: caption, width: width)
    var defs: [String] = []
    let (domain, ticks) = Axes.linear(data: boxes.flatMap(\.values), fixed: yRange)
    let legend = [LegendEntry(name: "median, Q1–Q3", swatch: .box),
                  LegendEntry(name: "whisker: 1.5 IQR", swatch: .whisker),
                  LegendEntry(name: "outlier", swatch: .marker(.black, .circle, hollow: true))]
    let legendWidth = Legend.width(legend)
    let plotX = 44 + Axes.labelWidth(ticks)
    let plotRight = width - 12 - legendWidth - 16
    let plot = Box(x: plotX, y: chrome.top + 10, width: max(plotRight - plotX, 40), height: plotHeight)
    let y = AxisScale(domain: domain, from: plot.bottom, to: plot.y)
    let band = plot.width / Double(max(boxes.count, 1))
    let boxWidth = min(band * 0.5, 90)

    var body = Axes.vertical(ticks, scale: y, plot: plot, right: false, grid: true)
    body.append(svgLine(plot.x, plot.bottom, plot.right, plot.bottom, cls: "axis"))
    let chars = max(4, Int((band - 4) / (FontSize.tick * 0.6)))
    var lineCount = 0
    for (k, group) in boxes.enumerated() {
      let cx = plot.x + band * (Double(k) + 0.5)
      let nameLines = Array(wrapped(group.name, chars: chars).prefix(2))
      let summary = group.summary
      for (j, line) in (nameLines + ["n = \(summary?.n ?? 0)"]).enumerated() {
        body.append(svgText(line, x: cx, y: plot.bottom + 17 + Double(j) * 14, size: FontSize.tick, anchor: .middle,
                            cls: j == nameLines.count ? "count" : "group"))
      }
      lineCount = max(lineCount, nameLines.count + 1)
      guard let s = summary else {
        body.append(svgText("no data", x: cx, y: plot.y + plot.height / 2, size: FontSize.tick, anchor: .middle, fill: "#555555"))
        continue
      }
      let color = group.color ?? Palette.series(k), hatch = group.hatch ?? Hatch.series(k)
      var parts: [String] = []
      for (from, to) in [(s.q1, s.lowerWhisker), (s.q3, s.upperWhisker)] {
        parts.append(svgLine(cx, y.clamped(from), cx, y.clamped(to), stroke: "#333333", width: 1.2))
        parts.append(svgLine(cx - boxWidth / 4, y.clamped(to), cx + boxWidth / 4, y.clamped(to), stroke: "#333333", width: 1.2))
      }
      body.append(#"<g class="whisker">"# + parts.joined() + "</g>")
      let top = y.clamped(s.q3), bottom = y.clamped(s.q1)
      body += hatchedRect(cx - boxWidth / 2, top, boxWidth, bottom - top, color: color, hatch: hatch,
                          idPrefix: idPrefix, defs: &defs, cls: "box")
      body.append(svgLine(cx - boxWidth / 2, y.clamped(s.median), cx + boxWidth / 2, y.clamped(s.median),
                          stroke: "#000000", width: 3, cls: "median"))
      for v in s.outliers where v >= domain.lowerBound && v <= domain.upperBound {
        body.append(##"<circle cx="\##(svgNumber(cx))" cy="\##(svgNumber(y(v)))" r="3.2" fill="none" stroke="#000000" stroke-width="1.2" class="outlier"/>"##)
      }
    }
    var bottom = plot.bottom + 10 + Double(lineCount) * 14
    if !xLabel.isEmpty {
      bottom += 20
      body.append(Axes.horizontalLabel(xLabel, y: bottom, plot: plot))
    }
    body.append(Axes.verticalLabel(yLabel, x: 18, plot: plot))
    body += Legend.elements(legend, x: plot.right + 20, y: plot.y, idPrefix: idPrefix, defs: &defs)
    return chrome.document(contentBottom: bottom, defs: defs, body: body)
  }
}
