import AdvReport
import Testing

@Suite("bitmap font, image grids and decision maps")
struct PictureTests {
  @Test("the bitmap font draws every printable ASCII character, each differently")
  func font() {
    var drawn: [[UInt8]: Character] = [:]
    for code in 32...126 {
      let c = Character(Unicode.Scalar(UInt8(code)))
      var image = RGBImage(width: BitmapFont.advance, height: BitmapFont.lineHeight)
      image.drawText(String(c), x: 0, y: 0)
      #expect(drawn[image.pixels] == nil, "'\(c)' looks like '\(drawn[image.pixels].map(String.init) ?? "")'")
      drawn[image.pixels] = c
      let ink = stride(from: 0, to: image.pixels.count, by: 3).filter { image.pixels[$0] == 0 }.count
      #expect((ink == 0) == (c == " "), "'\(c)' has \(ink) ink pixels")
    }
    #expect(drawn.count == 95)
  }

  @Test("text is scaled per font pixel and clipped at the image's edge")
  func textScaleAndClipping() {
    var image = RGBImage(width: 8, height: 8)
    image.drawText("|", x: 0, y: 0, scale: 2)
    // '|' is the middle column of all 7 rows: pixels 4 and 5 of each scaled row.
    #expect((0..<8).allSatisfy { image[x: 4, y: $0] == .black && image[x: 5, y: $0] == .black })
    #expect((0..<8).allSatisfy { image[x: 3, y: $0] == .white && image[x: 6, y: $0] == .white })
  }

  static func digit(_ v: Float, caption: String) -> ImageGridCell {
    ImageGridCell(channels: 1, height: 4, width: 3, pixels: (0..<12).map { Float($0) / 11 * v }, caption: caption)
  }

  static let grid = ImageGrid(
    columns: ["original", "BIM", "CWL2"],
    rows: [ImageGridRow(label: "resnet18", cells: [digit(1, caption: "pred 3"), digit(0.5, caption: "pred 5"), nil]),
           ImageGridRow(label: "bsn-l", cells: [digit(0.8, caption: "pred 3")])],
    title: "Figure 7", caption: "MNIST, seed 7")

  @Test("an image grid puts each image's pixels at its origin, framed, right of the labels and under the headers")
  func gridPlacement() {
    let scale = 3
    let rendered = Self.grid.render(scale: scale)
    for (r, row) in Self.grid.rows.enumerated() {
      for case let (c, cell?) in row.cells.enumerated() {
        let o = Self.grid.imageOrigin(row: r, column: c, scale: scale)
        let expected = RGBImage(chw: cell.pixels, channels: 1, height: 4, width: 3).scaled(by: scale)
        for y in 0..<expected.height {
          for x in 0..<expected.width { #expect(rendered[x: o.x + x, y: o.y + y] == expected[x: x, y: y]) }
        }
        #expect(rendered[x: o.x - 1, y: o.y] == RGB(150, 150, 150) && rendered[x: o.x + expected.width, y: o.y] == RGB(150, 150, 150))
      }
    }
    let first = Self.grid.imageOrigin(row: 0, column: 0, scale: scale)
    #expect(first.x > BitmapFont.width("resnet18", scale: 2))
    #expect(first.y > 2 * BitmapFont.lineHeight * 2, "under the title and the headers")
    let below = Self.grid.imageOrigin(row: 1, column: 0, scale: scale)
    #expect(below.x == first.x && below.y > first.y + 4 * scale + BitmapFont.lineHeight * 2)
  }

  @Test("a missing grid cell, given or left off, is an empty grey square")
  func gridEmptyCell() {
    let rendered = Self.grid.render(scale: 2)
    for (r, c) in [(0, 2), (1, 1), (1, 2)] {
      let o = Self.grid.imageOrigin(row: r, column: c, scale: 2)
      #expect(rendered[x: o.x, y: o.y] == ImageGrid.emptyCell)
      #expect(rendered[x: o.x + 5, y: o.y + 7] == ImageGrid.emptyCell)
    }
  }

  @Test("a decision map shows a certain cell in its class colour and a variance-1 cell near white")
  func decisionMapColours() {
    let n = 12
    let labels = (0..<(n * n)).map { ($0 % n) < n / 2 ? 1 : 2 }
    var variance = [Double](repeating: 0, count: n * n)
    variance[n * n - 1] = 1
    variance[n * n - 2] = 0.01
    let map = DecisionMap(size: n, labels: labels, variance: variance, classes: 3, marks: [(x: 6, y: 6, label: "x0")])
    let scale = 4
    let image = map.render(scale: scale)
    let o = map.mapOrigin(scale: scale)
    func cell(_ r: Int, _ c: Int) -> RGB { image[x: o.x + c * scale + 1, y: o.y + r * scale + 1] }
    #expect(cell(0, 0) == Palette.orange)
    #expect(cell(0, n - 1) == Palette.bluishGreen)
    let faded = cell(n - 1, n - 1)
    #expect(min(faded.r, faded.g, faded.b) >= 225)
    // Low gamma: a variance of 0.01 already fades the colour visibly.
    let slight = cell(n - 1, n - 2)
    #expect(Int(slight.r) - Int(Palette.bluishGreen.r) > 40)
    #expect(image[x: o.x + 6 * scale, y: o.y + 6 * scale] == .black, "the mark is a black dot")
  }
}
