import Foundation

// Pieces every chart shares: the title and caption around it, the legend at its right, axes.

/// Font sizes in px.
enum FontSize {
  static let title = 15.0
  static let axisLabel = 13.0
  static let tick = 11.0
  static let legend = 12.0
  static let caption = 11.0
  static let value = 10.0
}

/// A rectangle in px.
struct Box {
  var x, y, width, height: Double
  var right: Double { x + width }
  var bottom: Double { y + height }
}

/// The title above a chart and the caption below it, both wrapped to the chart's width.
struct Chrome {
  var title: String
  var caption: String
  var width: Double

  var titleLines: [String] { wrapped(title, chars: Int((width - 20) / (FontSize.title * 0.7))) }
  var captionLines: [String] { wrapped(caption, chars: Int((width - 20) / (FontSize.caption * 0.62))) }

  /// Where the chart's content may start.
  var top: Double { titleLines.isEmpty ? 12 : 14 + Double(titleLines.count) * 19 }
  /// The height the caption needs below the content.
  var captionHeight: Double { captionLines.isEmpty ? 10 : 12 + Double(captionLines.count) * 14 }

  /// The chart's document: title centred on top, caption under `contentBottom`, left-aligned.
  func document(contentBottom: Double, defs: [String], body: [String]) -> SVGDocument {
    var out: [String] = []
    for (k, line) in titleLines.enumerated() {
      out.append(svgText(line, x: width / 2, y: 24 + Double(k) * 19, size: FontSize.title, anchor: .middle, bold: true, cls: "title"))
    }
    out += body
    for (k, line) in captionLines.enumerated() {
      out.append(svgText(line, x: 10, y: contentBottom + 20 + Double(k) * 14, size: FontSize.caption, fill: "#333333", cls: "caption"))
    }
    return SVGDocument(width: width, height: contentBottom + captionHeight, title: title, description: caption,
                       defs: defs, body: out)
  }
}

// MARK: - Legend

/// What a legend entry shows beside its name.
enum LegendSwatch {
  /// A filled, hatched square (bars, boxes).
  case fill(RGB, Hatch)
  /// A short line with an optional dash pattern and a marker in its middle.
  case line(RGB, dash: String?, marker: MarkerShape?, hollow: Bool)
  /// A marker alone (scatter points), or hollow (outliers).
  case marker(RGB, MarkerShape, hollow: Bool = false)
  /// A small box-plot box with its median line.
  case box
  /// A whisker: a vertical line with a cap.
  case whisker
}

struct LegendEntry {
  var name: String
  var swatch: LegendSwatch
}

enum Legend {
  static let rowHeight = 20.0

  /// Room for the swatches: lines need more than squares and markers.
  static func swatchWidth(_ entries: [LegendEntry]) -> Double {
    entries.contains { if case .line = $0.swatch { return true } else { return false } } ? 28 : 18
  }

  static func width(_ entries: [LegendEntry]) -> Double {
    entries.isEmpty ? 0 : swatchWidth(entries) + 8 + (entries.map { textWidth($0.name, size: FontSize.legend) }.max() ?? 0) + 10
  }

  static func height(_ entries: [LegendEntry]) -> Double { Double(entries.count) * rowHeight + 8 }

  /// The legend with its top-left corner at (x, y): a light frame, then one `legend-entry`
  /// group per entry.
  static func elements(_ entries: [LegendEntry], x: Double, y: Double, idPrefix: String, defs: inout [String]) -> [String] {
    guard !entries.isEmpty else { return [] }
    let swatchWidth = swatchWidth(entries)
    var out = [svgRect(x - 4, y - 4, width(entries), height(entries), fill: "#ffffff", stroke: "#bbbbbb", strokeWidth: 0.8, cls: "legend")]
    for (k, e) in entries.enumerated() {
      let top = y + Double(k) * rowHeight
      let mid = top + rowHeight / 2 - 2
      var parts: [String] = []
      switch e.swatch {
      case let .fill(color, hatch):
        parts += hatchedRect(x, mid - 7, 14, 14, color: color, hatch: hatch, idPrefix: idPrefix, defs: &defs, cls: nil)
      case let .line(color, dash, marker, hollow):
        parts.append(svgLine(x, mid, x + swatchWidth, mid, stroke: color.hex, width: 2, dash: dash))
        if let marker { parts.append(markerElement(marker, x + swatchWidth / 2, mid, r: 4, color: color, hollow: hollow)) }
      case let .marker(color, shape, hollow):
        parts.append(markerElement(shape, x + 7, mid, r: 4.5, color: color, hollow: hollow))
      case .box:
        parts.append(svgRect(x + 2, mid - 7, 16, 14, fill: "#dddddd", stroke: "#333333"))
        parts.append(svgLine(x + 2, mid, x + 18, mid, stroke: "#000000", width: 2.5))
      case .whisker:
        parts.append(svgLine(x + 10, mid - 8, x + 10, mid + 8, stroke: "#333333"))
        parts.append(svgLine(x + 5, mid - 8, x + 15, mid - 8, stroke: "#333333"))
      }
      parts.append(svgText(e.name, x: x + swatchWidth + 6, y: mid + 4, size: FontSize.legend))
      out.append(#"<g class="legend-entry">"# + parts.joined() + "</g>")
    }
    return out
  }
}

// MARK: - Axes

/// A tick: its value and its label (empty for an unlabelled minor tick).
struct Tick {
  var value: Double
  var label: String
  var minor = false
}

enum Axes {
  /// The widest tick label in px.
  static func labelWidth(_ ticks: [Tick]) -> Double {
    ticks.map { textWidth($0.label, size: FontSize.tick) }.max() ?? 0
  }

  /// A vertical axis along `plot`'s left or right edge: the axis line, ticks pointing out,
  /// labels beside them, and (left axis only, when `grid`) light grid lines across the plot.
  static func vertical(_ ticks: [Tick], scale: AxisScale, plot: Box, right: Bool, grid: Bool) -> [String] {
    let x = right ? plot.right : plot.x
    let out = right ? 1.0 : -1.0
    var els = [svgLine(x, plot.y, x, plot.bottom, stroke: "#000000", cls: "axis")]
    for t in ticks {
      let y = scale(t.value)
      guard y >= plot.y - 0.5, y <= plot.bottom + 0.5 else { continue }
      if grid && !t.minor { els.append(svgLine(plot.x, y, plot.right, y, stroke: "#e4e4e4", width: 0.8)) }
      els.append(svgLine(x, y, x + out * (t.minor ? 3 : 5), y))
      if !t.label.isEmpty {
        els.append(svgText(t.label, x: x + out * 8, y: y + 4, size: FontSize.tick, anchor: right ? .start : .end, cls: "tick"))
      }
    }
    return els
  }

  /// A horizontal axis along `plot`'s bottom edge, labels under the ticks, optional vertical
  /// grid lines.
  static func horizontal(_ ticks: [Tick], scale: AxisScale, plot: Box, grid: Bool) -> [String] {
    var els = [svgLine(plot.x, plot.bottom, plot.right, plot.bottom, stroke: "#000000", cls: "axis")]
    for t in ticks {
      let x = scale(t.value)
      guard x >= plot.x - 0.5, x <= plot.right + 0.5 else { continue }
      if grid && !t.minor { els.append(svgLine(x, plot.y, x, plot.bottom, stroke: "#e4e4e4", width: 0.8)) }
      els.append(svgLine(x, plot.bottom, x, plot.bottom + (t.minor ? 3 : 5)))
      if !t.label.isEmpty {
        els.append(svgText(t.label, x: x, y: plot.bottom + 18, size: FontSize.tick, anchor: .middle, cls: "tick"))
      }
    }
    return els
  }

  /// An axis title turned to run along a vertical axis, centred on the plot.
  static func verticalLabel(_ s: String, x: Double, plot: Box, right: Bool = false) -> String {
    svgText(s, x: x, y: plot.y + plot.height / 2, size: FontSize.axisLabel, anchor: .middle,
            rotate: right ? 90 : -90, cls: "axis-label")
  }

  static func horizontalLabel(_ s: String, y: Double, plot: Box) -> String {
    svgText(s, x: plot.x + plot.width / 2, y: y, size: FontSize.axisLabel, anchor: .middle, cls: "axis-label")
  }

  /// Linear ticks for a value axis: the caller's range when given, else a nice range around
  /// the data that includes zero (ASR and distances start at zero).
  static func linear(data: [Double], fixed: ClosedRange<Double>?, includeZero: Bool = true) -> (domain: ClosedRange<Double>, ticks: [Tick]) {
    if let fixed {
      let (values, step) = Ticks.fixed(fixed)
      return (fixed, values.map { Tick(value: $0, label: Ticks.label($0, step: step)) })
    }
    let finite = data.filter(\.isFinite)
    var lo = finite.min() ?? 0, hi = finite.max() ?? 1
    if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
    let nice = Ticks.nice(lo, hi)
    return (nice.range, nice.ticks.map { Tick(value: $0, label: Ticks.label($0, step: nice.step)) })
  }
}
