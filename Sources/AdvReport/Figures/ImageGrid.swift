/// One image of an `ImageGrid`: CHW floats in [0, 1] (1 or 3 channels) and the text under it.
public struct ImageGridCell: Sendable, Equatable {
  public var channels: Int
  public var height: Int
  public var width: Int
  public var pixels: [Float]
  /// What to write under the image, e.g. "pred 3".
  public var caption: String

  public init(channels: Int, height: Int, width: Int, pixels: [Float], caption: String) {
    precondition(channels == 1 || channels == 3, "an image has 1 or 3 channels")
    precondition(pixels.count == channels * height * width, "CHW floats: channels × height × width")
    self.channels = channels; self.height = height; self.width = width; self.pixels = pixels; self.caption = caption
  }

  var image: RGBImage { RGBImage(chw: pixels, channels: channels, height: height, width: width) }
}

/// One row of an `ImageGrid`: a label (the model) and a cell per column, `nil` where there is
/// no image (the attack returned nothing); missing trailing cells count as `nil`.
public struct ImageGridRow: Sendable, Equatable {
  public var label: String
  public var cells: [ImageGridCell?]

  public init(label: String, cells: [ImageGridCell?]) { self.label = label; self.cells = cells }
}

/// A table of images (paper Figure 7: rows are models, columns "original" and one per attack,
/// each image labelled with the model's prediction), rendered to an `RGBImage`.
///
/// Layout, all in px: the title (if any) on top, column headers over their columns, row labels
/// at the left, centred on their row. Each image is scaled by `scale` (nearest neighbour),
/// centred in its column, framed by a one-pixel grey line just outside it, with its caption
/// centred underneath. A `nil` cell is a light grey square the size of the largest image in
/// its row and column, captioned "-". Columns are as wide as their widest image, header or
/// caption; rows as tall as their tallest image. The caption (if any) wraps under the grid.
/// Text is `BitmapFont` at `textScale`.
public struct ImageGrid: Sendable, Equatable {
  public var columns: [String]
  public var rows: [ImageGridRow]
  public var title: String = ""
  public var caption: String = ""
  /// Text size: each font pixel is `textScale` × `textScale` image pixels.
  public var textScale = 2

  /// - Precondition: no row has more cells than there are columns.
  public init(columns: [String], rows: [ImageGridRow], title: String = "", caption: String = "") {
    for r in rows { precondition(r.cells.count <= columns.count, "row '\(r.label)' has more cells than columns") }
    self.columns = columns; self.rows = rows; self.title = title; self.caption = caption
  }

  /// The grey of a cell without an image.
  public static let emptyCell = RGB(215, 215, 215)

  func cell(_ r: Int, _ c: Int) -> ImageGridCell? { c < rows[r].cells.count ? rows[r].cells[c] : nil }

  /// Positions of everything, in px, for a given image scale.
  struct Layout {
    var pad: Int
    var line: Int
    var titleHeight: Int
    var labelWidth: Int
    var columnX: [Int]
    var columnWidth: [Int]
    var imageWidth: [Int]
    var rowY: [Int]
    var imageHeight: [Int]
    var width: Int
    var gridBottom: Int
  }

  func layout(scale: Int) -> Layout {
    let ts = textScale
    let pad = 4 * ts, line = BitmapFont.lineHeight * ts
    let titleHeight = title.isEmpty ? pad : pad + line + pad
    let labelWidth = (rows.map { BitmapFont.width($0.label, scale: ts) }.max() ?? 0) + 2 * pad
    // The largest image in each column and row; an all-empty column or row gets 28 × 28.
    let imageWidth = columns.indices.map { c in rows.indices.compactMap { cell($0, c)?.width }.max().map { $0 * scale } ?? 28 * scale }
    let imageHeight = rows.indices.map { r in columns.indices.compactMap { cell(r, $0)?.height }.max().map { $0 * scale } ?? 28 * scale }
    var columnWidth: [Int] = []
    var columnX: [Int] = []
    var x = labelWidth
    for c in columns.indices {
      let captions = rows.indices.map { BitmapFont.width(cell($0, c)?.caption ?? "-", scale: ts) }
      let w = max(imageWidth[c] + 2, BitmapFont.width(columns[c], scale: ts), captions.max() ?? 0) + 2 * pad
      columnX.append(x); columnWidth.append(w)
      x += w
    }
    var rowY: [Int] = []
    var y = titleHeight + line + pad
    for r in rows.indices {
      rowY.append(y)
      y += 1 + imageHeight[r] + 1 + pad / 2 + line + pad
    }
    return Layout(pad: pad, line: line, titleHeight: titleHeight, labelWidth: labelWidth, columnX: columnX,
                  columnWidth: columnWidth, imageWidth: imageWidth, rowY: rowY, imageHeight: imageHeight,
                  width: max(x + pad, BitmapFont.width(title, scale: ts) + 2 * pad), gridBottom: y)
  }

  /// The top-left pixel of the image in `row`, `column` (or of its empty square) in
  /// `render(scale:)`'s output.
  public func imageOrigin(row: Int, column: Int, scale: Int = 3) -> (x: Int, y: Int) {
    let l = layout(scale: scale)
    let w = cell(row, column).map { $0.width * scale } ?? l.imageWidth[column]
    let h = cell(row, column).map { $0.height * scale } ?? l.imageHeight[row]
    return (l.columnX[column] + (l.columnWidth[column] - w) / 2, l.rowY[row] + 1 + (l.imageHeight[row] - h) / 2)
  }

  public func render(scale: Int = 3) -> RGBImage {
    precondition(scale >= 1, "a scale is at least 1")
    let ts = textScale
    let l = layout(scale: scale)
    let captionChars = max(8, (l.width - 2 * l.pad) / (BitmapFont.advance * ts))
    let captionLines = wrapped(caption, chars: captionChars)
    let height = l.gridBottom + (captionLines.isEmpty ? 0 : captionLines.count * l.line + l.pad)
    var img = RGBImage(width: l.width, height: height)
    if !title.isEmpty {
      img.drawText(title, x: (l.width - BitmapFont.width(title, scale: ts)) / 2, y: l.pad, scale: ts)
    }
    for (c, name) in columns.enumerated() {
      img.drawText(name, x: l.columnX[c] + (l.columnWidth[c] - BitmapFont.width(name, scale: ts)) / 2,
                   y: l.titleHeight, scale: ts)
    }
    let frame = RGB(150, 150, 150)
    for (r, row) in rows.enumerated() {
      img.drawText(row.label, x: l.pad, y: l.rowY[r] + 1 + (l.imageHeight[r] - 7 * ts) / 2, scale: ts)
      for c in columns.indices {
        let o = imageOrigin(row: r, column: c, scale: scale)
        let text: String
        if let cell = cell(r, c) {
          let image = cell.image.scaled(by: scale)
          img.draw(image, x: o.x, y: o.y)
          img.strokeRect(x: o.x, y: o.y, width: image.width, height: image.height, color: frame)
          text = cell.caption
        } else {
          img.fillRect(x: o.x, y: o.y, width: l.imageWidth[c], height: l.imageHeight[r], color: Self.emptyCell)
          text = "-"
        }
        img.drawText(text, x: l.columnX[c] + (l.columnWidth[c] - BitmapFont.width(text, scale: ts)) / 2,
                     y: l.rowY[r] + 2 + l.imageHeight[r] + l.pad / 2, scale: ts)
      }
    }
    for (k, line) in captionLines.enumerated() {
      img.drawText(line, x: l.pad, y: l.gridBottom + k * l.line, scale: ts, color: RGB(51, 51, 51))
    }
    return img
  }
}
