/// A table of strings rendered as aligned plain text, GitHub markdown or CSV.
public struct Table: Equatable {
  public enum Alignment { case left, right }

  public var title: String
  public var headers: [String]
  public var alignments: [Alignment]
  public var rows: [[String]]

  public init(title: String, headers: [String], alignments: [Alignment], rows: [[String]] = []) {
    precondition(headers.count == alignments.count)
    self.title = title
    self.headers = headers
    self.alignments = alignments
    self.rows = rows
  }

  var widths: [Int] {
    headers.indices.map { c in ([headers[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
  }

  func pad(_ s: String, _ width: Int, _ a: Alignment) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return a == .left ? s + fill : fill + s
  }

  /// Title, header, a rule of dashes, rows; columns separated by two spaces, no trailing blanks.
  public var text: String {
    let w = widths
    func line(_ cells: [String]) -> String {
      var s = cells.indices.map { pad(cells[$0], w[$0], alignments[$0]) }.joined(separator: "  ")
      while s.hasSuffix(" ") { s.removeLast() }
      return s
    }
    var out = [title, line(headers), w.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    out += rows.map(line)
    return out.joined(separator: "\n") + "\n"
  }

  public var markdown: String {
    var out = ["### \(title)", "", "| " + headers.joined(separator: " | ") + " |",
               "|" + alignments.map { $0 == .left ? "---|" : "---:|" }.joined()]
    out += rows.map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
    return out.joined(separator: "\n") + "\n"
  }

  /// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
  public var csv: String {
    func field(_ s: String) -> String {
      s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    return ([headers] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
  }
}
