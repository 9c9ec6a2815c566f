/// Several charts in one SVG, in rows of `columns` panels, each labelled "(a)", "(b)", … at its
/// top-left corner, under one title and over one caption (paper Figure 6: the ASR and L2 box
/// plots side by side; Figure 5's two panels).
///
/// Each panel is drawn whole, its own title and caption included (give a panel an empty
/// caption to leave it to the figure's). Panels keep their sizes; a row is as tall as its
/// tallest panel. Each panel's ids get their own prefix, so patterns never collide.
public struct PanelFigure: SVGChart {
  public var title: String
  public var caption: String
  public var panels: [any SVGChart]
  public var columns: Int
  /// Write "(a)", "(b)", … on the panels.
  public var letters = true

  /// `columns` defaults to all panels in one row.
  public init(title: String, caption: String, panels: [any SVGChart], columns: Int? = nil) {
    self.title = title; self.caption = caption; self.panels = panels
    self.columns = max(1, columns ?? panels.count)
  }

  public func document(idPrefix: String) -> SVGDocument {
    let docs = panels.enumerated().map { $0.element.document(idPrefix: "\(idPrefix)-p\($0.offset)") }
    var rows: [[SVGDocument]] = []
    for (k, d) in docs.enumerated() {
      if k % columns == 0 { rows.append([]) }
      rows[rows.count - 1].append(d)
    }
    let width = max(rows.map { $0.reduce(0) { $0 + $1.width } }.max() ?? 0, 300)
    let chrome = Chrome(title: title, caption: caption, width: width)
    var defs: [String] = []
    var body: [String] = []
    var y = chrome.top
    var k = 0
    for row in rows {
      var x = 0.0
      for d in row {
        defs += d.defs
        body.append(#"<g class="panel" transform="translate(\#(svgNumber(x)) \#(svgNumber(y)))">"#)
        body.append("<title>\(xmlEscaped(d.title))</title>")
        body += d.body
        if letters {
          body.append(svgText("(\(letter(k)))", x: 8, y: 20, size: FontSize.title, bold: true, cls: "panel-letter"))
        }
        body.append("</g>")
        x += d.width
        k += 1
      }
      y += row.map(\.height).max() ?? 0
    }
    return chrome.document(contentBottom: y, defs: defs, body: body)
  }

  /// a, b, …, z, aa, ab, …
  func letter(_ k: Int) -> String {
    let a = Array("abcdefghijklmnopqrstuvwxyz")
    return k < 26 ? String(a[k]) : letter(k / 26 - 1) + String(a[k % 26])
  }
}
