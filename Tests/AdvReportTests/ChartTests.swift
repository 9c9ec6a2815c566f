import AdvReport
import Foundation
import Testing

/// Charts shaped like the paper's figures, with made-up numbers.
enum Charts {
  static let caption = "MNIST test split, 100 samples, seed 7, script figures.adv"

  static func bars(title: String = "Figure 1: surrogate attacks") -> BarChart {
    BarChart(title: title, caption: caption, groups: ["BIM eps=32/255 BNN-S", "CWL2 c=10 BNN-S", "ModCWL2 c=10 BNN-S"],
             series: [BarSeries(name: "ResNet18 surrogate", values: [0.64, 0.12, nil]),
                      BarSeries(name: "BSN-L surrogate", values: [0.39, 0.05, 0.58])],
             yLabel: "ASR (fraction of samples)", yRange: 0...1)
  }

  static func lines(title: String = "Figure 5a: CWL2 on BSN-L") -> LineChart {
    let c = [0.01, 0.1, 1, 10]
    var chart = LineChart(
      title: title, caption: caption, xLabel: "c (log scale)", xLogScale: true, leftLabel: "ASR (fraction)",
      rightLabel: "mean L2 per pixel (x1000)",
      lines: [ChartLine(name: "MNIST ASR", points: zip(c, [0.1, 0.4, 0.7, 0.78]).map { (x: $0, y: $1) }, color: Palette.orange),
              ChartLine(name: "MNIST L2", axis: .right, dashed: true, points: zip(c, [0.5, 1.2, 2.1, 2.6]).map { (x: $0, y: $1) },
                        color: Palette.orange)])
    chart.leftRange = 0...1
    return chart
  }

  static func boxes(title: String = "Figure 6a: ASR by inference policy") -> BoxPlot {
    BoxPlot(title: title, caption: caption, yLabel: "ASR (fraction)",
            boxes: [BoxGroup(name: "single", values: [0.2, 0.3, 0.35, 0.4, 0.42, 0.5, 0.55, 0.6, 0.61, 0.99]),
                    BoxGroup(name: "average(10)", values: [0.1, 0.15, 0.2, 0.3])])
  }

  static func scatter(title: String = "Figure 4a: t-SNE of ResNet18 logits") -> ScatterPlot {
    let classes = (0..<30).map { $0 % 10 }
    return ScatterPlot(title: title, caption: caption,
                       points: classes.indices.map { (x: cos(Double($0)) * Double($0), y: sin(Double($0)) * Double($0)) },
                       classes: classes, classNames: (0..<10).map { "digit \($0)" })
  }

  static func panel(title: String = "Figure 6") -> PanelFigure {
    PanelFigure(title: title, caption: caption, panels: [boxes(), boxes(title: "Figure 6b: L2")])
  }

  enum Kind: String, CaseIterable, CustomTestStringConvertible {
    case bar, line, box, scatter, panel
    var testDescription: String { rawValue }

    func chart(title: String) -> any SVGChart {
      switch self {
      case .bar: return Charts.bars(title: title)
      case .line: return Charts.lines(title: title)
      case .box: return Charts.boxes(title: title)
      case .scatter: return Charts.scatter(title: title)
      case .panel: return Charts.panel(title: title)
      }
    }
  }
}

@Suite("SVG charts")
struct ChartTests {
  @Test("every chart parses as XML even when its title holds < & > and quotes", arguments: Charts.Kind.allCases)
  func escaping(kind: Charts.Kind) throws {
    let title = #"ASR <eps> & "c" 'quoted'"#
    let svg = try ParsedSVG(kind.chart(title: title).svg())
    #expect(svg.texts(classed: "title").contains(title))
    #expect(svg.elements(named: "title").first?.text == title)
  }

  @Test("every chart is self-contained SVG with a viewBox, a size, sans-serif text and a caption", arguments: Charts.Kind.allCases)
  func selfContained(kind: Charts.Kind) throws {
    let text = kind.chart(title: "t").svg()
    let svg = try ParsedSVG(text)
    #expect(svg.root.name == "svg")
    let width = try #require(svg.root.attributes["width"].flatMap(Double.init))
    let height = try #require(svg.root.attributes["height"].flatMap(Double.init))
    #expect(svg.root.attributes["viewBox"] == "0 0 \(Int(width)) \(Int(height))")
    #expect(svg.root.attributes["font-family"]?.hasSuffix("sans-serif") == true)
    #expect(svg.elements(named: "image").isEmpty && svg.elements(named: "style").isEmpty)
    #expect(!text.contains("href"))
    #expect(text.components(separatedBy: "http").count == 2, "only the xmlns names a URL")
    #expect(svg.texts(classed: "caption").contains(Charts.caption))
  }

  @Test("charts without data still render well-formed SVG")
  func empty() throws {
    let charts: [any SVGChart] = [
      BarChart(title: "t", caption: "c", groups: [], series: [], yLabel: "y"),
      LineChart(title: "t", caption: "c", xLabel: "x", xLogScale: true, leftLabel: "y", lines: []),
      BoxPlot(title: "t", caption: "c", yLabel: "y", boxes: [BoxGroup(name: "none", values: [])]),
      ScatterPlot(title: "t", caption: "c", points: [], classes: [], classNames: []),
      PanelFigure(title: "t", caption: "c", panels: []),
    ]
    for chart in charts { #expect(try ParsedSVG(chart.svg()).root.name == "svg") }
    #expect(try ParsedSVG(charts[2].svg()).texts.contains("no data"))
  }

  @Test("a bar chart draws a bar per value, an n/a mark per missing value and a legend entry per series")
  func bars() throws {
    let svg = try ParsedSVG(Charts.bars().svg())
    #expect(svg.elements(classed: "bar").count == 5)
    #expect(svg.elements(classed: "bar-missing").count == 1)
    #expect(svg.texts.contains("n/a"))
    #expect(svg.elements(classed: "legend-entry").count == 2)
    #expect(svg.texts(classed: "axis-label") == ["ASR (fraction of samples)"])
    #expect(svg.texts(classed: "value") == ["0.64", "0.39", "0.12", "0.05", "0.58"])
    #expect(svg.texts(classed: "tick") == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
  }

  @Test("each bar series after the first is hatched with a pattern of its own")
  func hatching() throws {
    let svg = try ParsedSVG(Charts.bars().svg())
    let patterns = svg.elements(named: "pattern").compactMap { $0.attributes["id"] }
    let hatches = svg.elements(classed: "hatch").compactMap { $0.attributes["fill"] }
    // Three BSN-L bars and its legend swatch; ResNet18's bars are plain.
    #expect(hatches.count == 4)
    #expect(Set(hatches).count == 1 && patterns.count == 1)
    #expect(hatches.first == "url(#\(patterns[0]))")
  }

  @Test("an automatic value axis ends on the 1-2-5 tick above the data")
  func niceTicks() throws {
    let chart = BarChart(title: "t", caption: "c", groups: ["a", "b"], series: [BarSeries(name: "s", values: [7.3, 2])],
                         yLabel: "L2 per pixel (x1000)")
    let svg = try ParsedSVG(chart.svg())
    #expect(svg.texts(classed: "tick") == ["0", "2", "4", "6", "8"])
  }

  @Test("a log-scale line chart labels each decade from 0.01 to 10 and titles both y axes")
  func logAxis() throws {
    let svg = try ParsedSVG(Charts.lines().svg())
    // Left axis, then x, then right.
    let ticks = svg.texts(classed: "tick")
    #expect(ticks.prefix(6).elementsEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]))
    #expect(ticks.dropFirst(6).prefix(4).elementsEqual(["0.01", "0.1", "1", "10"]))
    #expect(ticks.dropFirst(10).elementsEqual(["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"]))
    #expect(svg.texts(classed: "axis-label").sorted() == ["ASR (fraction)", "c (log scale)", "mean L2 per pixel (x1000)"])
  }

  @Test("a right-axis line is dashed, has hollow markers and says so in the legend")
  func rightAxisLine() throws {
    let svg = try ParsedSVG(Charts.lines().svg())
    let lines = svg.elements(named: "polyline")
    #expect(lines.map { $0.attributes["stroke-dasharray"] } == [nil, "7 4"])
    let points = svg.elements(classed: "point")
    #expect(points.count == 8)
    #expect(points.filter { $0.attributes["fill"] == "#ffffff" }.count == 4)
    #expect(svg.elements(classed: "legend-entry").count == 2)
    #expect(svg.texts.contains("MNIST L2 (right)"))
  }

  @Test("x values that are whole 255ths are ticked as k/255")
  func epsTicks() throws {
    let eps = [8.0, 16, 32].map { $0 / 255 }
    let chart = LineChart(title: "BIM", caption: "c", xLabel: "eps (pixel scale)", leftLabel: "ASR",
                          lines: [ChartLine(name: "MNIST", points: zip(eps, [0.2, 0.5, 0.9]).map { (x: $0, y: $1) })])
    let svg = try ParsedSVG(chart.svg())
    #expect(svg.texts(classed: "tick").suffix(3).elementsEqual(["8/255", "16/255", "32/255"]))
    #expect(LineChart.fractionOf255(0.1) == "0.1")
  }

  @Test("a caller's x tick label formats every labelled x tick")
  func customTickLabels() throws {
    let chart = LineChart(title: "t", caption: "c", xLabel: "c", xLogScale: true, leftLabel: "ASR",
                          lines: [ChartLine(name: "a", points: [(x: 0.1, y: 0.5), (x: 10, y: 0.7)])],
                          xTickLabel: { "c=\($0)" })
    let svg = try ParsedSVG(chart.svg())
    #expect(svg.texts(classed: "tick").filter { $0.hasPrefix("c=") } == ["c=0.1", "c=1.0", "c=10.0"])
  }

  @Test("a non-finite point breaks its line in two")
  func brokenLine() throws {
    let chart = LineChart(title: "t", caption: "c", xLabel: "x", leftLabel: "y",
                          lines: [ChartLine(name: "a", points: [(x: 1, y: 1), (x: 2, y: 2), (x: 3, y: .nan), (x: 4, y: 1), (x: 5, y: 2)])])
    let svg = try ParsedSVG(chart.svg())
    #expect(svg.elements(named: "polyline").count == 2)
    #expect(svg.elements(classed: "point").count == 4)
  }

  @Test("box plot quartiles interpolate linearly (type 7) and whiskers stop at the last value within 1.5 IQR")
  func boxSummary() throws {
    // NumPy: np.percentile([1..9, 100], [25, 50, 75]) == [3.25, 5.5, 7.75]; Q3 + 1.5 IQR = 14.5.
    let s = try #require(BoxSummary([9, 1, 2, 3, 4, 5, 6, 7, 8, 100, .nan]))
    #expect(s.n == 10)
    #expect([s.q1, s.median, s.q3] == [3.25, 5.5, 7.75])
    #expect([s.lowerWhisker, s.upperWhisker] == [1, 9])
    #expect(s.outliers == [100])
    #expect(BoxSummary([.nan]) == nil)
  }

  @Test("a box plot draws one box per group, its outliers as points and n under each box")
  func boxPlot() throws {
    let svg = try ParsedSVG(Charts.boxes().svg())
    #expect(svg.elements(classed: "box").count == 2)
    #expect(svg.elements(classed: "median").count == 2)
    #expect(svg.elements(classed: "outlier").count == 1)
    #expect(svg.texts(classed: "count") == ["n = 10", "n = 4"])
    #expect(svg.texts(classed: "group") == ["single", "average(10)"])
    #expect(svg.elements(classed: "legend-entry").count == 3)
    #expect(svg.texts(classed: "axis-label") == ["ASR (fraction)"])
  }

  @Test("a scatter plot draws every point, a legend entry per class and axes in arbitrary units")
  func scatter() throws {
    let svg = try ParsedSVG(Charts.scatter().svg())
    let points = svg.elements(classed: "point")
    #expect(points.count == 30)
    // Plus and cross markers are strokes without fill.
    #expect(Set(points.map { $0.attributes["fill"] == "none" ? $0.attributes["stroke"] : $0.attributes["fill"] }).count == 10)
    #expect(svg.elements(classed: "legend-entry").count == 10)
    #expect(svg.texts(classed: "axis-label").sorted() == ["t-SNE 1 (arbitrary units)", "t-SNE 2 (arbitrary units)"])
  }

  @Test("a panel figure holds every panel, letters them and keeps their ids apart")
  func panels() throws {
    let text = Charts.panel().svg()
    let svg = try ParsedSVG(text)
    #expect(svg.elements(classed: "panel").count == 2)
    #expect(svg.elements(classed: "box").count == 4)
    #expect(svg.texts(classed: "panel-letter") == ["(a)", "(b)"])
    let ids = svg.elements.compactMap { $0.attributes["id"] }
    #expect(!ids.isEmpty && Set(ids).count == ids.count)
    let used = svg.elements.compactMap { $0.attributes["fill"] }.filter { $0.hasPrefix("url(#") }
    #expect(!used.isEmpty && used.allSatisfy { ids.contains(String($0.dropFirst(5).dropLast())) })
  }
}
