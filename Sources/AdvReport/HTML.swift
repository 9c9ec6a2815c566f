import Foundation

/// `report html`: one self-contained page (no network: styles inline, SVG charts inline, PNG
/// images as data URIs) with the script and its hash, the models, every result table in the
/// paper's layouts with the paper's values beside ours, the charts the results allow, the
/// figures `plot` drew and a grid of adversarials per attacked model.

/// A figure the page shows: an SVG chart or a PNG image, with its caption.
public struct HTMLFigure: Sendable {
  public var title: String
  public var caption: String
  /// The file it was also written to, relative to the output directory; nil for one drawn for
  /// the page only.
  public var file: String?
  public var svg: String?
  public var png: [UInt8]?

  public init(title: String, caption: String, file: String?, svg: String?, png: [UInt8]?) {
    self.title = title
    self.caption = caption
    self.file = file
    self.svg = svg
    self.png = png
  }
}

extension Table {
  /// An HTML table with a caption; numbers right-aligned as in the text form.
  var html: String {
    var out = "<h3>\(xmlEscaped(title))</h3>\n<table>\n<thead><tr>"
    for (h, a) in zip(headers, alignments) { out += "<th class=\"\(a == .right ? "r" : "l")\">\(xmlEscaped(h))</th>" }
    out += "</tr></thead>\n<tbody>\n"
    for row in rows {
      out += "<tr>" + zip(row, alignments).map { "<td class=\"\($1 == .right ? "r" : "l")\">\(xmlEscaped($0))</td>" }.joined() + "</tr>\n"
    }
    out += "</tbody>\n</table>\n"
    return out + notes.map { "<p class=\"note\">\(xmlEscaped($0))</p>\n" }.joined()
  }
}

private let style = """
  :root { color-scheme: light; }
  body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; margin: 2rem auto;
         max-width: 1100px; padding: 0 1.5rem; color: #1a1a1a; background: #fff; line-height: 1.45; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; }
  h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
  .meta { color: #555; font-size: .9rem; }
  .meta code { font-size: .85rem; }
  nav ul { columns: 2; font-size: .9rem; }
  pre { background: #f6f6f4; border: 1px solid #e2e2dc; padding: .8rem 1rem; overflow-x: auto; font-size: .85rem; }
  table { border-collapse: collapse; margin: 1rem 0 1.6rem; font-size: .88rem; }
  caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
  th, td { padding: .25rem .6rem; border-bottom: 1px solid #e4e4e4; }
  th { background: #f2f2ef; border-bottom: 2px solid #bbb; }
  td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
  td.l, th.l { text-align: left; }
  tbody tr:nth-child(even) { background: #fafaf8; }
  p.note { font-size: .85rem; color: #555; margin: -1rem 0 1.6rem; }
  figure { margin: 1.2rem 0 2rem; }
  figure svg, figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
  figure img { image-rendering: pixelated; }
  figcaption { font-size: .85rem; color: #444; margin-top: .4rem; }
  figcaption .file { color: #777; }
  """

/// The page. `script` is the script's text (nil in a REPL session: the statements of the
/// records stand in); `figures` are shown after the automatic charts, in order.
public func renderHTML(_ report: Report, script: String?, figures: [HTMLFigure]) -> String {
  let name = report.script ?? "adv session"
  var sections: [(id: String, title: String, body: String)] = []

  // The run: script, hash, seeds, data sets.
  var run = "<p class=\"meta\">\(xmlEscaped(report.tool)) \(xmlEscaped(report.version)); script "
    + "<code>\(xmlEscaped(name))</code>, sha256 <code>\(xmlEscaped(report.scriptHash.isEmpty ? "-" : report.scriptHash))</code></p>\n"
  let seeds = Array(Set(report.models.map(\.seed) + report.results.map(\.seed) + report.transfers.map(\.seed))).sorted()
  let datasets = Array(Set(report.models.map(\.dataset) + report.results.map(\.dataset))).sorted()
  run += "<p class=\"meta\">seed\(seeds.count == 1 ? "" : "s") \(seeds.map(String.init).joined(separator: ", ")); "
    + "data set\(datasets.count == 1 ? "" : "s") \(xmlEscaped(datasets.joined(separator: ", ")))</p>\n"
  if let script {
    run += "<pre>\(xmlEscaped(script))</pre>\n"
  } else {
    let statements = report.models.map(\.statement) + report.results.map(\.statement) + report.transfers.map(\.statement)
    if !statements.isEmpty { run += "<p>Statements with results:</p>\n<pre>\(xmlEscaped(statements.joined(separator: "\n")))</pre>\n" }
  }
  sections.append(("run", "Script", run))

  // Models: how each was made (its statement names the settings that differ from the defaults).
  if !report.models.isEmpty || !report.surrogates.isEmpty {
    var seen: Set<String> = []
    var table = Table(title: "How the models were made", headers: ["model", "arch", "data set", "settings changed from the defaults", "train s", "hash"],
                      alignments: [.left, .left, .left, .left, .right, .left])
    for m in report.models where seen.insert(m.modelHash + m.name).inserted {
      table.rows.append([m.name, m.arch, m.dataset, m.defaults.isEmpty ? formatParams(m.params) : formatParams(m.changedParams),
                         m.trainSeconds.map { fixed($0, 1) } ?? "cached or loaded", String(m.modelHash.prefix(12))])
    }
    for s in report.surrogates where seen.insert(s.modelHash + s.name).inserted {
      table.rows.append([s.name, s.arch, s.dataset, "surrogate of \(s.oracle), \(s.queries) oracle queries",
                         s.trainSeconds.map { fixed($0, 1) } ?? "cached", String(s.modelHash.prefix(12))])
    }
    sections.append(("models", "Models", table.html))
  }

  // Every table of the text report, in its order (paper tables and their notes included).
  let tables = reportTables(report)
  if !tables.isEmpty {
    sections.append(("tables", "Results", tables.map(\.html).joined(separator: "\n")))
  } else {
    sections.append(("tables", "Results", "<p>No results yet.</p>\n"))
  }

  // Charts the results allow, then the figures drawn by `plot` and the adversarial grids.
  let charts = automaticCharts(report, skipping: Set(report.figures.map(\.figure)))
  var chartBody = ""
  for (title, svg) in charts {
    chartBody += "<figure>\n<h3>\(xmlEscaped(title))</h3>\n\(svgBody(svg))\n</figure>\n"
  }
  if !chartBody.isEmpty { sections.append(("charts", "Charts", chartBody)) }
  if !figures.isEmpty {
    var body = ""
    for f in figures {
      body += "<figure>\n<h3>\(xmlEscaped(f.title))</h3>\n"
      if let svg = f.svg { body += svgBody(svg) + "\n" }
      if let png = f.png {
        body += "<img alt=\"\(xmlEscaped(f.title))\" src=\"data:image/png;base64,\(Data(png).base64EncodedString())\">\n"
      }
      // An SVG chart carries its caption; an image needs it underneath.
      body += "<figcaption>\(f.svg == nil ? xmlEscaped(f.caption) : "")"
        + (f.file.map { " <span class=\"file\">(<code>\(xmlEscaped($0))</code>)</span>" } ?? "") + "</figcaption>\n</figure>\n"
    }
    sections.append(("figures", "Figures", body))
  }

  var page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    + "<title>adv report: \(xmlEscaped(name))</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n"
    + "<h1>adv report: \(xmlEscaped(name))</h1>\n"
  page += "<nav><ul>\n" + sections.map { "<li><a href=\"#\($0.id)\">\(xmlEscaped($0.title))</a></li>\n" }.joined() + "</ul></nav>\n"
  for s in sections {
    page += "<section id=\"\(s.id)\">\n<h2>\(xmlEscaped(s.title))</h2>\n\(s.body)</section>\n"
  }
  return page + "</body>\n</html>\n"
}

/// An SVG document as inline markup: without its XML declaration.
func svgBody(_ svg: String) -> String {
  guard svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") else { return svg }
  return String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
}
