import Foundation

/// One line of a `LineChart`: points joined in the order given, each with a marker.
public struct ChartLine: Sendable {
  /// The y axis a line is measured against.
  public enum Axis: Sendable { case left, right }

  public var name: String
  public var axis: Axis
  public var dashed: Bool
  /// Points with a non-finite coordinate (or x ≤ 0 on a log axis) are left out and break the
  /// line there.
  public var points: [(x: Double, y: Double)]
  /// By default the `k`-th line gets `Palette.series(k)` and `MarkerShape.series(k)`.
  public var color: RGB?
  public var marker: MarkerShape?

  public init(name: String, axis: Axis = .left, dashed: Bool = false, points: [(x: Double, y: Double)],
              color: RGB? = nil, marker: MarkerShape? = nil) {
    self.name = name; self.axis = axis; self.dashed = dashed; self.points = points
    self.color = color; self.marker = marker
  }
}

/// Lines against a shared x axis and two y axes (paper Figure 5: ASR, solid, on the left axis
/// in [0, 1]; mean L2 per pixel ×1000, dashed, on the right; x = c on a log axis from 0.01 to
/// 10, or ε on a linear one).
///
/// Ticks: whole decades (with unlabelled 2…9 minor ticks) on a log x axis; on a linear x axis
/// the caller's `xTicks`, else the data's own x values when all of them are whole 255ths (at
/// most 8 of them, labelled "8/255"), else 1-2-5 ticks. Each y axis has its own 1-2-5 ticks
/// over `leftRange`/`rightRange` or a nice range around its data and zero; grid lines follow
/// the left axis. Without right-axis lines no right axis is drawn.
///
/// Greyscale cues: every line has its own marker shape, dashed lines are dashed, and lines on
/// the right axis have hollow markers and "(right)" in the legend when both axes are used.
public struct LineChart: SVGChart {
  public var title: String
  public var caption: String
  public var xLabel: String
  public var xLogScale: Bool
  public var leftLabel: String
  public var rightLabel: String
  public var lines: [ChartLine]
  /// Formats x tick labels; `nil` for plain numbers (or k/255, see above).
  public var xTickLabel: (@Sendable (Double) -> String)?
  /// Where to put x ticks on a linear axis; `nil` to choose.
  public var xTicks: [Double]? = nil
  public var leftRange: ClosedRange<Double>? = nil
  public var rightRange: ClosedRange<Double>? = nil
  public var width: Double = 720
  public var plotHeight: Double = 300

  public init(title: String, caption: String, xLabel: String, xLogScale: Bool = false, leftLabel: String,
              rightLabel: String = "", lines: [ChartLine], xTickLabel: (@Sendable (Double) -> String)? = nil) {
    self.title = title; self.caption = caption; self.xLabel = xLabel; self.xLogScale = xLogScale
    self.leftLabel = leftLabel; self.rightLabel = rightLabel; self.lines = lines; self.xTickLabel = xTickLabel
  }

  /// `x` as a fraction of 255 ("8/255") when `x`·255 is a whole number, else a plain number.
  public static func fractionOf255(_ x: Double) -> String {
    let k = x * 255
    if abs(k - k.rounded()) < 1e-6 { return k.rounded() == 0 ? "0" : "\(Int(k.rounded()))/255" }
    return String(format: "%g", x)
  }

  func color(_ k: Int) -> RGB { lines[k].color ?? Palette.series(k) }
  func marker(_ k: Int) -> MarkerShape { lines[k].marker ?? MarkerShape.series(k) }

  /// The points that can be drawn, split where a point could not.
  func segments(_ line: ChartLine) -> [[(x: Double, y: Double)]] {
    var out: [[(x: Double, y: Double)]] = [[]]
    for p in line.points {
      if p.x.isFinite && p.y.isFinite && (!xLogScale || p.x > 0) { out[out.count - 1].append(p) } else if !out[out.count - 1].isEmpty { out.append([]) }
    }
    return out.filter { !$0.isEmpty }
  }

  func xAxis() -> (domain: ClosedRange<Double>, ticks: [Tick], log: Bool) {
    let xs = lines.flatMap(segments).flatMap { $0.map(\.x) }
    if xLogScale {
      let d = Ticks.decades(xs.min() ?? 1, xs.max() ?? 10)
      let major = d.major.map { Tick(value: $0, label: xTickLabel?($0) ?? Ticks.decadeLabel($0)) }
      return (d.range, major + d.minor.map { Tick(value: $0, label: "", minor: true) }, true)
    }
    let distinct = Array(Set(xs)).sorted()
    if let xTicks {
      let lo = min(xTicks.min() ?? 0, xs.min() ?? 0), hi = max(xTicks.max() ?? 1, xs.max() ?? 1)
      return (lo...(hi > lo ? hi : lo + 1), xTicks.map { Tick(value: $0, label: xTickLabel?($0) ?? Ticks.label($0, step: Ticks.niceStep(hi - lo))) }, false)
    }
    // Budgets below one pixel level range (8/255, 32/255), not whole numbers such as steps.
    if xTickLabel == nil, !distinct.isEmpty, distinct.count <= 8,
       distinct.allSatisfy({ $0 > 0 && $0 < 1 && abs($0 * 255 - ($0 * 255).rounded()) < 1e-6 }) {
      let hi = distinct[distinct.count - 1]
      let domain = 0...(hi > 0 ? hi * 1.08 : 1)
      return (domain, distinct.map { Tick(value: $0, label: Self.fractionOf255($0)) }, false)
    }
    let nice = Ticks.nice(xs.min() ?? 0, xs.max() ?? 1)
    return (nice.range, nice.ticks.map { Tick(value: $0, label: xTickLabel?($0) ?? Ticks.label($0, step: nice.step)) }, false)
  }

  public func document(idPrefix: String) -> SVGDocument {
    let chrome = Chrome(title: title, caption: caption, width: width)
    var defs: [String] = []
    let hasLeft = lines.contains { $0.axis == .left } || !lines.contains { $0.axis == .right }
    let hasRight = lines.contains { $0.axis == .right }
    func ys(_ axis: ChartLine.Axis) -> [Double] {
      lines.filter { $0.axis == axis }.flatMap(segments).flatMap { $0.map(\.y) }
    }
    let left = Axes.linear(data: ys(.left), fixed: leftRange)
    let right = Axes.linear(data: ys(.right), fixed: rightRange)
    let x = xAxis()
    let legend = lines.indices.map { k in
      LegendEntry(name: lines[k].name + (hasLeft && hasRight && lines[k].axis == .right ? " (right)" : ""),
                  swatch: .line(color(k), dash: lines[k].dashed ? "7 4" : nil, marker: marker(k), hollow: lines[k].axis == .right))
    }
    let legendWidth = Legend.width(legend)

    let plotX = 44 + Axes.labelWidth(left.ticks)
    let rightAxisRoom = hasRight ? 38 + Axes.labelWidth(right.ticks) : 0
    let plotRight = width - 12 - rightAxisRoom - (legendWidth > 0 ? legendWidth + 16 : 0)
    let plot = Box(x: plotX, y: chrome.top + 10, width: max(plotRight - plotX, 40), height: plotHeight)
    let xs = AxisScale(domain: x.domain, from: plot.x, to: plot.right, log: x.log)
    let yl = AxisScale(domain: left.domain, from: plot.bottom, to: plot.y)
    let yr = AxisScale(domain: right.domain, from: plot.bottom, to: plot.y)

    var body = Axes.vertical(hasLeft ? left.ticks : [], scale: yl, plot: plot, right: false, grid: hasLeft)
    body += Axes.horizontal(x.ticks, scale: xs, plot: plot, grid: false)
    if hasRight { body += Axes.vertical(right.ticks, scale: yr, plot: plot, right: true, grid: !hasLeft) }
    for (k, line) in lines.enumerated() {
      let y = line.axis == .left ? yl : yr
      let c = color(k)
      for segment in segments(line) {
        let pts = segment.map { "\(svgNumber(xs.clamped($0.x))),\(svgNumber(y.clamped($0.y)))" }.joined(separator: " ")
        if segment.count > 1 {
          body.append(#"<polyline points="\#(pts)" fill="none" stroke="\#(c.hex)" stroke-width="2"\#(line.dashed ? #" stroke-dasharray="7 4""# : "") class="line"/>"#)
        }
        for p in segment {
          body.append(markerElement(marker(k), xs.clamped(p.x), y.clamped(p.y), r: 4.5, color: c, hollow: line.axis == .right, cls: "point"))
        }
      }
    }
    if hasLeft { body.append(Axes.verticalLabel(leftLabel, x: 18, plot: plot)) }
    if hasRight { body.append(Axes.verticalLabel(rightLabel, x: plot.right + 20 + Axes.labelWidth(right.ticks), plot: plot, right: true)) }
    let bottom = plot.bottom + 44
    body.append(Axes.horizontalLabel(xLabel, y: bottom - 6, plot: plot))
    body += Legend.elements(legend, x: plot.right + rightAxisRoom + 20, y: plot.y, idPrefix: idPrefix, defs: &defs)
    return chrome.document(contentBottom: bottom, defs: defs, body: body)
  }
}
