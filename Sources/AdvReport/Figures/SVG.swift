import Foundation

/// A chart that draws itself as SVG: the drawing layer of the paper's figures
/// (paper-results.md, "Figures").
///
/// Charts (`BarChart`, `LineChart`, `BoxPlot`, `ScatterPlot`, and `PanelFigure`, which lays
/// several side by side) render to self-contained SVG: a `viewBox`, `width` and `height`,
/// sans-serif text, every string XML-escaped, no external font, image or link. Pictures
/// (`ImageGrid`, `DecisionMap`) render to an `RGBImage`, written as PNG through zlib, with
/// labels burnt in by the built-in `BitmapFont`. Every figure carries a title and a caption
/// given by the caller (data set, samples, seed, script), colours from the Okabe–Ito palette,
/// and a second cue that survives greyscale printing: hatching on bars and boxes, marker shapes
/// and dash patterns on lines and points, class digits on decision maps.
public protocol SVGChart: Sendable {
  /// The chart as a document whose every `id` starts with `idPrefix`, so that several charts
  /// can share one SVG (`PanelFigure`) without their patterns colliding.
  func document(idPrefix: String) -> SVGDocument
}

extension SVGChart {
  /// The chart as a standalone SVG file.
  public func svg() -> String { document(idPrefix: "fig").xml() }
}

/// An SVG drawing before it is serialised: its size, definitions (patterns) and elements, each
/// element already well-formed XML with its text escaped.
public struct SVGDocument: Sendable, Equatable {
  public var width: Double
  public var height: Double
  /// The accessible title (`<title>`) and description (`<desc>`), plain text.
  public var title: String
  public var description: String
  public var defs: [String]
  public var body: [String]

  public init(width: Double, height: Double, title: String, description: String, defs: [String], body: [String]) {
    self.width = width; self.height = height; self.title = title; self.description = description
    self.defs = defs; self.body = body
  }

  /// A standalone SVG 1.1 file: XML declaration, root `svg` with `xmlns`, `width`, `height`
  /// and `viewBox`, a white background, one element per line.
  public func xml() -> String {
    let w = svgNumber(width.rounded(.up)), h = svgNumber(height.rounded(.up))
    var lines = [
      #"<?xml version="1.0" encoding="UTF-8"?>"#,
      #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(w)" height="\#(h)" viewBox="0 0 \#(w) \#(h)" font-family="\#(fontFamily)">"#,
      "<title>\(xmlEscaped(title))</title>",
      "<desc>\(xmlEscaped(description))</desc>",
    ]
    if !defs.isEmpty { lines += ["<defs>"] + defs + ["</defs>"] }
    lines.append(##"<rect x="0" y="0" width="\##(w)" height="\##(h)" fill="#ffffff"/>"##)
    lines += body
    lines.append("</svg>")
    return lines.joined(separator: "\n") + "\n"
  }
}

/// Fonts that ship with most systems, ending in the generic family, so nothing is fetched.
let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

/// `s` safe inside XML text and attribute values: the five predefined entities, and control
/// characters that XML 1.0 forbids replaced by U+FFFD. The HTML report escapes with it too, as
/// its inline SVGs are: HTML5 knows `&apos;`, and forbids those controls as well.
public func xmlEscaped(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.utf8.count)
  for u in s.unicodeScalars {
    switch u {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    case "\t", "\n", "\r": out.unicodeScalars.append(u)
    case _ where u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF: out += "\u{FFFD}"
    default: out.unicodeScalars.append(u)
    }
  }
  return out
}

/// A coordinate with at most two decimals and no trailing zeros: `12`, `3.5`, `0.25`.
func svgNumber(_ v: Double) -> String {
  guard v.isFinite else { return "0" }
  let r = (v * 100).rounded() / 100
  if r == r.rounded() { return String(Int(r)) }
  var s = String(format: "%.2f", r)
  while s.hasSuffix("0") { s.removeLast() }
  return s
}

/// Estimated width of `s` in a sans-serif font of `size` px, from rounded-up advance widths of
/// DejaVu Sans (the widest of the fonts named), so layouts err towards room.
func textWidth(_ s: String, size: Double) -> Double {
  s.unicodeScalars.reduce(0) { w, u in
    let em: Double
    switch u {
    case " ", ".", ",", ":", ";", "'", "|", "!", "i", "l", "j": em = 0.32
    case "f", "t", "r", "I", "J", "(", ")", "[", "]", "{", "}", "-", "/", "\\", "`", "\"": em = 0.42
    case "m", "M", "W", "%": em = 0.98
    case "w": em = 0.84
    case "+", "=", "<", ">", "~", "*", "#", "&", "@", "^", "_": em = 0.84
    case "A"..."Z": em = 0.74
    case "a"..."z", "0"..."9", "$", "?": em = 0.64
    default: em = 0.75
    }
    return w + em * size
  }
}

enum TextAnchor: String { case start, middle, end }

/// A `<text>` element; `rotate` in degrees about (x, y).
func svgText(_ s: String, x: Double, y: Double, size: Double, anchor: TextAnchor = .start, bold: Bool = false,
             rotate: Double? = nil, fill: String = "#000000", cls: String? = nil) -> String {
  var attrs = #"x="\#(svgNumber(x))" y="\#(svgNumber(y))" font-size="\#(svgNumber(size))""#
  if anchor != .start { attrs += #" text-anchor="\#(anchor.rawValue)""# }
  if bold { attrs += #" font-weight="bold""# }
  if let rotate { attrs += #" transform="rotate(\#(svgNumber(rotate)) \#(svgNumber(x)) \#(svgNumber(y)))""# }
  if fill != "#000000" { attrs += #" fill="\#(fill)""# }
  if let cls { attrs += #" class="\#(cls)""# }
  return "<text \(attrs)>\(xmlEscaped(s))</text>"
}

func svgLine(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000000",
             width: Double = 1, dash: String? = nil, cls: String? = nil) -> String {
  var s = #"<line x1="\#(svgNumber(x1))" y1="\#(svgNumber(y1))" x2="\#(svgNumber(x2))" y2="\#(svgNumber(y2))" stroke="\#(stroke)" stroke-width="\#(svgNumber(width))""#
  if let dash { s += #" stroke-dasharray="\#(dash)""# }
  if let cls { s += #" class="\#(cls)""# }
  return s + "/>"
}

func svgRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
             strokeWidth: Double = 1, cls: String? = nil) -> String {
  var s = #"<rect x="\#(svgNumber(x))" y="\#(svgNumber(y))" width="\#(svgNumber(max(w, 0)))" height="\#(svgNumber(max(h, 0)))" fill="\#(fill)""#
  if let stroke { s += #" stroke="\#(stroke)" stroke-width="\#(svgNumber(strokeWidth))""# }
  if let cls { s += #" class="\#(cls)""# }
  return s + "/>"
}

/// Splits `text` into lines of at most `chars` characters at spaces, keeping explicit line
/// breaks and cutting words longer than a line; empty text gives no lines.
func wrapped(_ text: String, chars: Int) -> [String] {
  let chars = max(chars, 1)
  var lines: [String] = []
  for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
    var line = ""
    for word in paragraph.split(separator: " ") {
      var word = String(word)
      while word.count > chars {
        if !line.isEmpty { lines.append(line); line = "" }
        lines.append(String(word.prefix(chars)))
        word = String(word.dropFirst(chars))
      }
      if line.isEmpty { line = word } else if line.count + 1 + word.count <= chars { line += " " + word } else {
        lines.append(line)
        line = word
      }
    }
    lines.append(line)
  }
  while lines.last == "" { lines.removeLast() }
  return lines
}

/// `text` broken at spaces into lines no wider than `width` px at `size`, or `nil` when a
/// word alone is wider (the caller then turns the text instead).
func wrapped(_ text: String, width: Double, size: Double) -> [String]? {
  var lines: [String] = []
  var line = ""
  for word in text.split(separator: " ").map(String.init) {
    guard textWidth(word, size: size) <= width else { return nil }
    if line.isEmpty { line = word } else if textWidth(line + " " + word, size: size) <= width { line += " " + word } else {
      lines.append(line)
      line = word
    }
  }
  return lines + (line.isEmpty ? [] : [line])
}

// MARK: - Markers and hatches

/// The outline of `shape` centred at (cx, cy) with radius `r`, as path data.
func markerPath(_ shape: MarkerShape, _ cx: Double, _ cy: Double, _ r: Double) -> String {
  func polygon(_ n: Int, rotation: Double, radius: Double) -> String {
    (0..<n).map { k -> String in
      let a = rotation + 2 * Double.pi * Double(k) / Double(n)
      return (k == 0 ? "M" : "L") + svgNumber(cx + radius * cos(a)) + "," + svgNumber(cy + radius * sin(a))
    }.joined() + "Z"
  }
  let p = svgNumber
  switch shape {
  case .circle:
    return "M\(p(cx - r)),\(p(cy))a\(p(r)),\(p(r)) 0 1,0 \(p(2 * r)),0a\(p(r)),\(p(r)) 0 1,0 \(p(-2 * r)),0Z"
  case .square:
    let s = r * 0.85
    return "M\(p(cx - s)),\(p(cy - s))H\(p(cx + s))V\(p(cy + s))H\(p(cx - s))Z"
  case .triangle: return polygon(3, rotation: -Double.pi / 2, radius: r * 1.15)
  case .invertedTriangle: return polygon(3, rotation: Double.pi / 2, radius: r * 1.15)
  case .diamond: return polygon(4, rotation: -Double.pi / 2, radius: r * 1.15)
  case .pentagon: return polygon(5, rotation: -Double.pi / 2, radius: r * 1.05)
  case .hexagon: return polygon(6, rotation: 0, radius: r * 1.05)
  case .plus:
    return "M\(p(cx - r)),\(p(cy))H\(p(cx + r))M\(p(cx)),\(p(cy - r))V\(p(cy + r))"
  case .cross:
    let d = r * 0.8
    return "M\(p(cx - d)),\(p(cy - d))L\(p(cx + d)),\(p(cy + d))M\(p(cx - d)),\(p(cy + d))L\(p(cx + d)),\(p(cy - d))"
  case .star:
    return (0..<10).map { k -> String in
      let a = -Double.pi / 2 + Double.pi * Double(k) / 5
      let radius = k % 2 == 0 ? r * 1.25 : r * 0.5
      return (k == 0 ? "M" : "L") + p(cx + radius * cos(a)) + "," + p(cy + radius * sin(a))
    }.joined() + "Z"
  }
}

/// A marker as a `<path>`: filled with `color` and outlined in dark grey (so yellow shows on
/// white), or, when `hollow`, white inside; plus and cross are drawn as strokes.
func markerElement(_ shape: MarkerShape, _ cx: Double, _ cy: Double, r: Double, color: RGB, hollow: Bool = false,
                   cls: String? = nil) -> String {
  let d = markerPath(shape, cx, cy, r)
  let c = cls.map { #" class="\#($0)""# } ?? ""
  if shape.isStroked {
    return #"<path d="\#(d)" fill="none" stroke="\#(color.hex)" stroke-width="2"\#(c)/>"#
  }
  if hollow {
    return ##"<path d="\##(d)" fill="#ffffff" stroke="\##(color.hex)" stroke-width="1.6"\##(c)/>"##
  }
  return ##"<path d="\##(d)" fill="\##(color.hex)" stroke="#333333" stroke-width="0.6"\##(c)/>"##
}

/// The id of the pattern for `hatch` drawn in `ink`.
func hatchID(_ prefix: String, _ hatch: Hatch, _ ink: RGB) -> String { "\(prefix)-hatch-\(hatch.rawValue)-\(ink.hex.dropFirst())" }

/// A `<pattern>` of `hatch` in `ink` on a transparent ground, tiled every 8 px.
func hatchPattern(id: String, _ hatch: Hatch, ink: RGB) -> String {
  let d: String
  switch hatch {
  case .none: d = ""
  case .diagonal: d = "M0,8L8,0M-2,2L2,-2M6,10L10,6"
  case .antiDiagonal: d = "M0,0L8,8M-2,6L2,10M6,-2L10,2"
  case .horizontal: d = "M0,4H8"
  case .vertical: d = "M4,0V8"
  case .crossHatch: d = "M0,4H8M4,0V8"
  case .diagonalCross: d = "M0,8L8,0M-2,2L2,-2M6,10L10,6M0,0L8,8M-2,6L2,10M6,-2L10,2"
  case .dots:
    return #"<pattern id="\#(id)" patternUnits="userSpaceOnUse" width="8" height="8"><circle cx="4" cy="4" r="1.6" fill="\#(ink.hex)"/></pattern>"#
  }
  return #"<pattern id="\#(id)" patternUnits="userSpaceOnUse" width="8" height="8"><path d="\#(d)" stroke="\#(ink.hex)" stroke-width="1.4" fill="none"/></pattern>"#
}

/// A filled rectangle with a hatch over it, recording the pattern it needs in `defs`: the
/// coloured rect carries `cls`, the overlay class `hatch`.
func hatchedRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, color: RGB, hatch: Hatch, idPrefix: String,
                 defs: inout [String], cls: String?) -> [String] {
  var out = [svgRect(x, y, w, h, fill: color.hex, stroke: "#333333", strokeWidth: 0.8, cls: cls)]
  if hatch != .none {
    let ink = color.contrasting
    let id = hatchID(idPrefix, hatch, ink)
    let pattern = hatchPattern(id: id, hatch, ink: ink)
    if !defs.contains(pattern) { defs.append(pattern) }
    out.append(#"<rect x="\#(svgNumber(x))" y="\#(svgNumber(y))" width="\#(svgNumber(max(w, 0)))" height="\#(svgNumber(max(h, 0)))" fill="url(#\#(id))" class="hatch"/>"#)
  }
  return out
}
