import Foundation

/// Predicted classes over a plane through input space (paper Figure 4c/d: the plane spanned by
/// three data points, for ResNet18 and BSN-L), rendered to an `RGBImage`.
///
/// The map is an n × n grid, row-major, row 0 drawn at the top and column 0 at the left. A cell
/// has its class' colour (`Palette.classColor`) faded towards white by its prediction variance
/// v in [0, 1]: colour + (white − colour) · 0.9 · v^gamma. A low gamma (the paper's "fading
/// colour (low gamma)") makes even a small variance visible; the 0.9 keeps a hint of hue at
/// v = 1. Each class region large enough carries its class index in the cell farthest from
/// its border, in black or white, so the map reads in greyscale too. Marks (the three data
/// points) are black dots on a white ring with their labels beside them; mark coordinates are
/// in cells, (0, 0) the top-left corner of the grid and (n, n) the bottom-right, so a cell's
/// centre is (column + 0.5, row + 0.5).
///
/// Around the map: the title (if any), "alpha" under it and "beta" at its left (the plane's
/// coordinates), a legend at the right (class index, colour, name, and a strip from certain
/// to uncertain), and the caption (if any) underneath.
public struct DecisionMap: Sendable {
  public var size: Int
  public var labels: [Int]
  public var variance: [Double]
  public var classes: Int
  public var marks: [(x: Double, y: Double, label: String)]
  public var gamma: Double
  /// Names in the legend; "class k" beyond them.
  public var classNames: [String] = []
  public var title: String = ""
  public var caption: String = ""
  public var xLabel = "alpha"
  public var yLabel = "beta"
  public var textScale = 2
  /// Whether the legend explains the fading: off for a deterministic model, whose variance is 0.
  public var showsVariance = true

  /// - Precondition: `labels` and `variance` hold `size * size` values, labels in
  ///   0..<`classes`. Variance outside [0, 1] is clamped, NaN counts as 1.
  public init(size: Int, labels: [Int], variance: [Double], classes: Int,
              marks: [(x: Double, y: Double, label: String)] = [], gamma: Double = 0.3) {
    precondition(size >= 1 && labels.count == size * size && variance.count == size * size, "size × size labels and variances")
    precondition(classes >= 1 && labels.allSatisfy { (0..<classes).contains($0) }, "labels in 0..<classes")
    precondition(gamma > 0, "gamma is positive")
    self.size = size; self.labels = labels; self.variance = variance; self.classes = classes
    self.marks = marks; self.gamma = gamma
  }

  /// How far towards white a variance of 1 fades a cell.
  public static let maxFade = 0.9

  /// The colour of a cell of class `label` with prediction variance `variance`.
  public func color(label: Int, variance: Double) -> RGB {
    let v = variance.isNaN ? 1 : min(max(variance, 0), 1)
    return Palette.classColor(label).mixed(with: .white, Self.maxFade * pow(v, gamma))
  }

  func name(_ k: Int) -> String { k < classNames.count ? classNames[k] : "class \(k)" }

  /// Where the map's top-left pixel lands in `render(scale:)`'s output.
  public func mapOrigin(scale: Int = 4) -> (x: Int, y: Int) {
    let ts = textScale, pad = 4 * ts
    let top = title.isEmpty ? pad : 2 * pad + BitmapFont.lineHeight * ts
    return (pad + BitmapFont.width(yLabel, scale: ts) + pad, top)
  }

  public func render(scale: Int = 4) -> RGBImage {
    precondition(scale >= 1, "a scale is at least 1")
    let ts = textScale, pad = 4 * ts, line = BitmapFont.lineHeight * ts
    let (mx, my) = mapOrigin(scale: scale)
    let side = size * scale
    let legendX = mx + side + 3 * pad
    let swatch = 7 * ts
    let legendRows = (0..<classes).map { "\($0) \(name($0))" } + ["prediction variance"]
    let legendWidth = swatch + pad + (legendRows.map { BitmapFont.width($0, scale: ts) }.max() ?? 0)
    let width = max(legendX + legendWidth + pad, BitmapFont.width(title, scale: ts) + 2 * pad)
    let captionLines = wrapped(caption, chars: max(8, (width - 2 * pad) / (BitmapFont.advance * ts)))
    let legendBottom = my + (classes + 4) * (line + ts * 2)
    let mapBottom = my + side + pad + line
    let height = max(mapBottom, legendBottom) + pad + captionLines.count * line + (captionLines.isEmpty ? 0 : pad)
    var img = RGBImage(width: width, height: height)

    if !title.isEmpty { img.drawText(title, x: (width - BitmapFont.width(title, scale: ts)) / 2, y: pad, scale: ts) }
    for r in 0..<size {
      for c in 0..<size {
        img.fillRect(x: mx + c * scale, y: my + r * scale, width: scale, height: scale,
                     color: color(label: labels[r * size + c], variance: variance[r * size + c]))
      }
    }
    img.strokeRect(x: mx, y: my, width: side, height: side, color: .black)
    for (k, centre) in regionCentres(scale: scale) {
      let glyph = String(k)
      let bg = color(label: labels[centre.row * size + centre.column], variance: variance[centre.row * size + centre.column])
      let gw = BitmapFont.width(glyph, scale: ts)
      img.drawText(glyph, x: mx + centre.column * scale + scale / 2 - gw / 2, y: my + centre.row * scale + scale / 2 - 7 * ts / 2,
                   scale: ts, color: bg.contrasting)
    }
    for m in marks {
      let cx = Double(mx) + m.x * Double(scale), cy = Double(my) + m.y * Double(scale)
      let r = Double(max(3, 1 + 3 * ts / 2))
      img.fillCircle(cx: cx, cy: cy, r: r + 1.5, color: .white)
      img.fillCircle(cx: cx, cy: cy, r: r, color: .black)
      img.drawText(m.label, x: Int(cx + r + 3), y: Int(cy) - 7 * ts / 2, scale: ts, color: .black, halo: .white)
    }
    img.drawText(xLabel, x: mx + (side - BitmapFont.width(xLabel, scale: ts)) / 2, y: my + side + pad, scale: ts)
    img.drawText(yLabel, x: pad, y: my + (side - 7 * ts) / 2, scale: ts)

    // Legend: a swatch per class, then how class 0 fades with variance from 0 to 1.
    for k in 0..<classes {
      let y = my + k * (line + 2 * ts)
      img.fillRect(x: legendX, y: y, width: swatch, height: swatch, color: Palette.classColor(k))
      img.strokeRect(x: legendX, y: y, width: swatch, height: swatch, color: .black)
      img.drawText(legendRows[k], x: legendX + swatch + pad, y: y, scale: ts)
    }
    let stripTitleY = my + classes * (line + 2 * ts) + line / 2
    for (k, text) in captionLines.enumerated() {
      img.drawText(text, x: pad, y: max(mapBottom, legendBottom) + pad + k * line, scale: ts, color: RGB(51, 51, 51))
    }
    guard showsVariance else { return img }
    img.drawText(legendRows[classes], x: legendX, y: stripTitleY, scale: ts)
    let stripY = stripTitleY + line + ts
    let strip = swatch * 8
    for i in 0..<strip {
      let v = Double(i) / Double(strip - 1)
      img.fillRect(x: legendX + i, y: stripY, width: 1, height: swatch, color: color(label: 0, variance: v))
    }
    img.strokeRect(x: legendX, y: stripY, width: strip, height: swatch, color: .black)
    img.drawText("0", x: legendX, y: stripY + swatch + ts * 2, scale: ts)
    img.drawText("1", x: legendX + strip - BitmapFont.width("1", scale: ts), y: stripY + swatch + ts * 2, scale: ts)
    return img
  }

  /// For each connected region (4-neighbours, same class) with a cell far enough from any other
  /// class and the edge to hold a digit at `scale`, and clear of the marks and their labels,
  /// the cell where the class index is written: among the deepest such cells (depth counted up
  /// to twice the minimum) the least uncertain, then the deepest. Regions too thin for a digit
  /// get none.
  func regionCentres(scale: Int) -> [(label: Int, centre: (row: Int, column: Int))] {
    // Chessboard distance to the nearest cell of another class or the border, by two passes.
    let n = size
    let big = n * n
    var depth = [Int](repeating: big, count: n * n)
    func isEdge(_ r: Int, _ c: Int) -> Bool {
      let k = labels[r * n + c]
      for (dr, dc) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
        let rr = r + dr, cc = c + dc
        if rr < 0 || rr >= n || cc < 0 || cc >= n || labels[rr * n + cc] != k { return true }
      }
      return false
    }
    for r in 0..<n { for c in 0..<n where isEdge(r, c) { depth[r * n + c] = 1 } }
    for r in 0..<n {
      for c in 0..<n {
        for (dr, dc) in [(-1, -1), (-1, 0), (-1, 1), (0, -1)] where r + dr >= 0 && c + dc >= 0 && c + dc < n {
          depth[r * n + c] = min(depth[r * n + c], depth[(r + dr) * n + c + dc] + 1)
        }
      }
    }
    for r in stride(from: n - 1, through: 0, by: -1) {
      for c in stride(from: n - 1, through: 0, by: -1) {
        for (dr, dc) in [(1, 1), (1, 0), (1, -1), (0, 1)] where r + dr < n && c + dc >= 0 && c + dc < n {
          depth[r * n + c] = min(depth[r * n + c], depth[(r + dr) * n + c + dc] + 1)
        }
      }
    }
    // Half a digit's height (7 font pixels) plus a pixel of margin, in cells, and one more
    // because depth 1 is the region's own border.
    let minDepth = max(2, (7 * textScale / 2 + 2 + scale - 1) / scale + 1)
    // Cells whose digit would touch a mark's dot or label.
    let half = Double(7 * textScale / 2 + 2) / Double(scale)
    func nearMark(_ i: Int) -> Bool {
      let x = Double(i % n) + 0.5, y = Double(i / n) + 0.5
      return marks.contains { m in
        let right = m.x + (Double(5 * textScale) + 3 + Double(BitmapFont.width(m.label, scale: textScale))) / Double(scale)
        return x > m.x - 2 * half && x < right + half && abs(y - m.y) < 2 * half
      }
    }
    // Deep enough first, then certain (to a twentieth), then deepest.
    func better(_ i: Int, than j: Int) -> Bool {
      let a = min(depth[i], 2 * minDepth), b = min(depth[j], 2 * minDepth)
      if a != b { return a > b }
      let u = (variance[i] * 20).rounded(), v = (variance[j] * 20).rounded()
      return u != v ? u < v : depth[i] > depth[j]
    }
    var region = [Int](repeating: -1, count: n * n)
    var out: [(label: Int, centre: (row: Int, column: Int))] = []
    for start in 0..<(n * n) where region[start] < 0 {
      let k = labels[start]
      var stack = [start]
      var best: Int? = nil
      region[start] = start
      while let i = stack.popLast() {
        if depth[i] >= minDepth && !nearMark(i) && best.map({ better(i, than: $0) }) ?? true { best = i }
        let r = i / n, c = i % n
        for (rr, cc) in [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)] where rr >= 0 && rr < n && cc >= 0 && cc < n {
          let j = rr * n + cc
          if region[j] < 0 && labels[j] == k { region[j] = start; stack.append(j) }
        }
      }
      if let best { out.append((k, (best / n, best % n))) }
    }
    return out
  }
}
