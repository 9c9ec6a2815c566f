import Foundation

/// Points coloured and shaped by class (paper Figure 4a/b: t-SNE of ResNet18 and BSN-L logits).
///
/// Class `k` is drawn in `Palette.classColor(k)` with `MarkerShape.series(k)`, so ten classes
/// stay apart in greyscale too; points are drawn in the order given. The legend lists
/// `classNames` (and "class k" for any class index beyond them). Axes default to "t-SNE 1"
/// and "t-SNE 2", whose units are arbitrary. Points with a non-finite coordinate are skipped.
public struct ScatterPlot: SVGChart {
  public var title: String
  public var caption: String
  public var points: [(x: Double, y: Double)]
  public var classes: [Int]
  public var classNames: [String]
  public var xLabel = "t-SNE 1 (arbitrary units)"
  public var yLabel = "t-SNE 2 (arbitrary units)"
  public var markerRadius = 3.5
  public var width: Double = 680
  public var plotHeight: Double = 460

  /// - Precondition: one class per point, none negative.
  public init(title: String, caption: String, points: [(x: Double, y: Double)], classes: [Int], classNames: [String]) {
    precondition(points.count == classes.count, "one class per point")
    precondition(classes.allSatisfy { $0 >= 0 }, "class indices are not negative")
    self.title = title; self.caption = caption; self.points = points; self.classes = classes; self.classNames = classNames
  }

  public init(title: String, caption: String, x: [Double], y: [Double], classes: [Int], classNames: [String]) {
    precondition(x.count == y.count, "as many x as y")
    self.init(title: title, caption: caption, points: zip(x, y).map { (x: $0, y: $1) }, classes: classes, classNames: classNames)
  }

  func name(_ k: Int) -> String { k < classNames.count ? classNames[k] : "class \(k)" }

  public func document(idPrefix: String) -> SVGDocument {
    let chrome = Chrome(title: title, caption: caption, width: width)
    var defs: [String] = []
    let finite = points.indices.filter { points[$0].x.isFinite && points[$0].y.isFinite }
    let nx = Ticks.nice(finite.map { points[$0].x }.min() ?? 0, finite.map { points[$0].x }.max() ?? 1)
    let ny = Ticks.nice(finite.map { points[$0].y }.min() ?? 0, finite.map { points[$0].y }.max() ?? 1)
    let yTicks = ny.ticks.map { Tick(value: $0, label: Ticks.label($0, step: ny.step)) }
    let xTicks = nx.ticks.map { Tick(value: $0, label: Ticks.label($0, step: nx.step)) }
    let count = max(classNames.count, (classes.max() ?? -1) + 1)
    let legend = (0..<count).map { LegendEntry(name: name($0), swatch: .marker(Palette.classColor($0), MarkerShape.series($0))) }
    let legendWidth = Legend.width(legend)

    let plotX = 44 + Axes.labelWidth(yTicks)
    let plotRight = width - 12 - (legendWidth > 0 ? legendWidth + 16 : 0)
    let plot = Box(x: plotX, y: chrome.top + 10, width: max(plotRight - plotX, 40), height: plotHeight)
    let xs = AxisScale(domain: nx.range, from: plot.x, to: plot.right)
    let ys = AxisScale(domain: ny.range, from: plot.bottom, to: plot.y)

    var body = Axes.vertical(yTicks, scale: ys, plot: plot, right: false, grid: true)
    body += Axes.horizontal(xTicks, scale: xs, plot: plot, grid: true)
    for i in finite {
      body.append(markerElement(MarkerShape.series(classes[i]), xs(points[i].x), ys(points[i].y), r: markerRadius,
                                color: Palette.classColor(classes[i]), cls: "point"))
    }
    let bottom = plot.bottom + 44
    body.append(Axes.horizontalLabel(xLabel, y: bottom - 6, plot: plot))
    body.append(Axes.verticalLabel(yLabel, x: 18, plot: plot))
    body += Legend.elements(legend, x: plot.right + 20, y: plot.y, idPrefix: idPrefix, defs: &defs)
    return chrome.document(contentBottom: bottom, defs: defs, body: body)
  }
}
