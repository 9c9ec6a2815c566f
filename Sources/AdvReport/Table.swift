/// A titled table of strings, rendered as aligned plain text, a GitHub markdown table or
/// RFC 4180 CSV. The renderers build these from records; the cells are already formatted.
///
/// Every row has as many cells as there are headers (an engine invariant, checked).
public struct Table: Equatable, Sendable {
  public enum Alignment: Sendable { case left, right }

  public var title: String
  public var headers: [String]
  public var alignments: [Alignment]
  public var rows: [[String]]
  /// Lines printed under the table (`note: …`), saying how to read it; not part of the CSV.
  public var notes: [String]

  public init(title: String, headers: [String], alignments: [Alignment], rows: [[String]] = [], notes: [String] = []) {
    precondition(headers.count == alignments.count, "one alignment per column")
    self.title = title
    self.headers = headers
    self.alignments = alignments
    self.rows = rows
    self.notes = notes
  }

  /// Appends a column, one cell per existing row.
  public mutating func addColumn(_ header: String, _ alignment: Alignment, cells: [String]) {
    precondition(cells.count == rows.count, "one cell per row")
    headers.append(header)
    alignments.append(alignment)
    for k in rows.indices { rows[k].append(cells[k]) }
  }

  /// Column widths in characters: the longest of the header and the cells.
  var widths: [Int] {
    headers.indices.map { c in
      rows.reduce(headers[c].count) { w, row in
        precondition(row.count == headers.count, "one cell per column")
        return max(w, row[c].count)
      }
    }
  }

  /// The title, the header, a rule of dashes under each column, the rows, then each note as a
  /// line `note: …`. Columns are separated by two spaces; text is left-aligned and numbers
  /// right-aligned as `alignments` say; no line has trailing blanks.
  ///
  ///     Models
  ///     model  arch   samples  clean acc
  ///     -----  -----  -------  ---------
  ///     net    lenet     1000     0.9620
  public var text: String {
    let w = widths
    func line(_ cells: [String]) -> String {
      var s = cells.indices.map { c -> String in
        let fill = String(repeating: " ", count: w[c] - cells[c].count)
        return alignments[c] == .left ? cells[c] + fill : fill + cells[c]
      }.joined(separator: "  ")
      while s.hasSuffix(" ") { s.removeLast() }
      return s
    }
    let rule = w.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return ([title, line(headers), rule] + rows.map(line) + notes.map { "note: \($0)" }).joined(separator: "\n") + "\n"
  }

  /// A `###` heading with the title, a blank line, then the table; `|` in cells is escaped and
  /// right-aligned columns get `---:`. Notes follow after a blank line, one `Note: …` line each
  /// (ended by two spaces, a markdown line break).
  public var markdown: String {
    func line(_ cells: [String]) -> String {
      let escaped = cells.map {
        $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
      }
      return "| " + escaped.joined(separator: " | ") + " |"
    }
    let rule = "|" + alignments.map { $0 == .left ? "---|" : "---:|" }.joined()
    let notes = self.notes.isEmpty ? [] : [""] + self.notes.enumerated().map {
      "Note: \($0.element)" + ($0.offset < self.notes.count - 1 ? "  " : "")
    }
    return (["### \(title)", "", line(headers), rule] + rows.map(line) + notes).joined(separator: "\n") + "\n"
  }

  /// RFC 4180: the header record, then one record per row, each ended by CRLF; a field holding
  /// a comma, a double quote or a line break is enclosed in double quotes, with its quotes
  /// doubled. The title is not part of the CSV.
  public var csv: String {
    func field(_ s: String) -> String {
      guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return s }
      return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return ([headers] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
  }
}
