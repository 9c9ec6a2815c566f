/// What the front end tells the user about a script, and the one way it is printed.
///
/// Every stage (lexer, parser, checker) reports `Diagnostic`s; only `rendered(in:)` turns
/// them into text, so scripts, `adv check` and the REPL print errors the same way:
///
/// ```
/// sweep.adv:12:8: error: unknown attack 'cwl3'
///  12 | attack cwl3 steps=1000 on bsn2
///     |        ^~~~ did you mean 'cwl2'?
/// ```

/// One message about a stretch of source.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
  public enum Severity: String, Sendable, Hashable, CaseIterable {
    case error, warning, note
  }

  public let severity: Severity
  /// Lower case, code in '…', saying what was expected and what was found.
  public let message: String
  /// What the message is about; the caret line underlines it.
  public let range: SourceRange
  /// A short fix printed after the caret: "did you mean 'cwl2'?", "write 'a - 1' to subtract".
  public let hint: String?
  /// Further facts printed below the source line as `note: …`.
  public let notes: [String]

  public init(severity: Severity, message: String, range: SourceRange, hint: String? = nil, notes: [String] = []) {
    self.severity = severity
    self.message = message
    self.range = range
    self.hint = hint
    self.notes = notes
  }

  public static func error(_ message: String, at range: SourceRange, hint: String? = nil,
                           notes: [String] = []) -> Diagnostic {
    Diagnostic(severity: .error, message: message, range: range, hint: hint, notes: notes)
  }

  /// The hint text for a suggested name: `did you mean 'cwl2'?`.
  public static func didYouMean(_ name: String) -> String { "did you mean '\(name)'?" }

  /// `3:8: error: unknown attack 'cwl3'`, without file name or source line (for tests and logs).
  public var description: String { "\(range.start): \(severity.rawValue): \(message)" }

  /// The full rendering: `file:line:column: severity: message`, the source line with a
  /// line-number gutter, a caret under the first character of `range` and `~` under the rest
  /// of it on that line, the hint after the carets, then one `note:` line per note.
  /// Ends with a line break.
  public func rendered(in file: SourceFile) -> String {
    var out = "\(file.name):\(range.start.line):\(range.start.column): \(severity.rawValue): \(Diagnostic.shortened(message))\n"
    if let whole = file.line(range.start.line) {
      let number = String(range.start.line)
      let gutter = String(repeating: " ", count: number.count)
      let (line, shift) = Diagnostic.excerpt(of: whole, around: range.start.column - 1)
      out += " \(number) | \(line)\n"
      out += " \(gutter) | \(caretLine(under: line, shift: shift))"
      if let hint { out += " \(hint)" }
      out += "\n"
    } else if let hint {
      out += "note: \(hint)\n"
    }
    for note in notes { out += "note: \(note)\n" }
    return out
  }

  /// Padding up to the start column (tabs copied, so the caret lines up), `^`, then `~` for
  /// the rest of the range on this line.
  /// `shift`: how many characters `line` starts after the source line (an excerpt of a long one).
  func caretLine(under line: String, shift: Int = 0) -> String {
    let chars = Array(line)
    let startIndex = max(0, range.start.column - 1 - shift)
    let padding = chars.prefix(startIndex).map { $0 == "\t" ? "\t" : " " }.joined()
    let extra = String(repeating: " ", count: max(0, startIndex - chars.count))
    let onThisLine = range.end.line == range.start.line ? range.length : chars.count - startIndex
    let width = max(1, min(onThisLine, chars.count - startIndex))
    return padding + extra + "^" + String(repeating: "~", count: width - 1)
  }

  /// `message` with every quoted text over 80 characters (a name a damaged file made
  /// thousands of characters long) cut to its first 60 and its length.
  static func shortened(_ message: String) -> String {
    guard message.count > 200 else { return message }
    let parts = message.split(separator: "'", omittingEmptySubsequences: false)
    var out = ""
    for (k, part) in parts.enumerated() {
      if k % 2 == 0 {
        out += part
      } else if k == parts.count - 1 {
        out += "'" + part  // an opening quote without its closing one
      } else if part.count > 80 {
        out += "'" + part.prefix(60) + "…' (\(part.count) characters)"
      } else {
        out += "'" + part + "'"
      }
    }
    return out
  }

  /// Source lines longer than this are shown as an excerpt around the column.
  static let widestLine = 160

  /// `line` itself, or for a longer one the part from 60 characters before `column` (0-based)
  /// to 100 after, with `…` where it was cut (in place of the first or last character shown); and
  /// the source column at which the excerpt starts.
  static func excerpt(of line: String, around column: Int) -> (String, Int) {
    let chars = Array(line)
    guard chars.count > widestLine else { return (line, 0) }
    let from = min(max(0, column - 60), max(0, chars.count - widestLine))
    let to = min(chars.count, from + widestLine)
    var text = String(chars[from..<to])
    if from > 0 { text = "…" + text.dropFirst() }
    if to < chars.count { text = text.dropLast() + "…" }
    return (text, from)
  }
}

/// Every diagnostic of a failed check, in source order.
public struct CheckFailure: Error, Sendable, Hashable, CustomStringConvertible {
  public let diagnostics: [Diagnostic]

  public init(diagnostics: [Diagnostic]) {
    self.diagnostics = diagnostics
  }

  /// At most this many diagnostics of one file are printed; a damaged or random file can have
  /// thousands, and the first ones say what is wrong.
  public static let maximumShown = 50

  /// The first `maximumShown` diagnostics rendered one after the other, a note on how many more
  /// there are, then a count of the errors when there is more than one.
  public func rendered(in file: SourceFile) -> String {
    var out = diagnostics.prefix(CheckFailure.maximumShown).map { $0.rendered(in: file) }.joined()
    let hidden = diagnostics.dropFirst(CheckFailure.maximumShown)
    if !hidden.isEmpty {
      let counts = Diagnostic.Severity.allCases.compactMap { severity -> String? in
        let n = hidden.filter { $0.severity == severity }.count
        return n == 0 ? nil : "\(n) more \(severity.rawValue)\(n == 1 ? "" : "s")"
      }
      out += "note: \(listed(counts, quote: { $0 })) not shown\n"
    }
    let errors = diagnostics.filter { $0.severity == .error }.count
    if errors > 1 { out += "\(errors) errors\n" }
    return out
  }

  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

extension Array where Element == Diagnostic {
  /// Sorted by position (stable), with exact repeats removed — an error in a loop body is
  /// found once per iteration but reported once.
  func sortedUnique() -> [Diagnostic] {
    var seen = Set<Diagnostic>()
    let unique = filter { seen.insert($0).inserted }
    return unique.enumerated()
      .sorted { ($0.element.range.start.offset, $0.offset) < ($1.element.range.start.offset, $1.offset) }
      .map(\.element)
  }
}
