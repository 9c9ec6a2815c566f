/// Positions in script text, and the script text itself.
///
/// Positions count `Character`s (grapheme clusters), the unit a reader sees, so a caret drawn
/// under column `n` of a line lands under the `n`-th character. `"\r\n"` is one character and
/// one line break.

/// One position in a source file.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// 1-based line number.
  public var line: Int
  /// 1-based column, in characters.
  public var column: Int
  /// 0-based character offset from the start of the file.
  public var offset: Int

  public init(line: Int, column: Int, offset: Int) {
    self.line = line
    self.column = column
    self.offset = offset
  }

  /// The first character of a file.
  public static let start = SourceLocation(line: 1, column: 1, offset: 0)

  public static func < (a: SourceLocation, b: SourceLocation) -> Bool { a.offset < b.offset }

  /// `line:column`, as diagnostics print it.
  public var description: String { "\(line):\(column)" }
}

/// A half-open stretch of source: `start` is the first character, `end` the one after the last.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
  public var start: SourceLocation
  public var end: SourceLocation

  public init(start: SourceLocation, end: SourceLocation) {
    self.start = start
    self.end = end
  }

  /// An empty range at `location` (used for "expected … here" at the end of a line).
  public init(at location: SourceLocation) {
    self.init(start: location, end: location)
  }

  /// The smallest range covering both.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(start: min(start, other.start), end: max(end, other.end))
  }

  /// Number of characters covered.
  public var length: Int { max(0, end.offset - start.offset) }

  public var description: String { "\(start)-\(end)" }
}

/// A named script: its text, split into lines once for diagnostics.
public struct SourceFile: Sendable, Equatable {
  /// The name printed in diagnostics: a path, or `<repl:3>` for a REPL input.
  public let name: String
  public let text: String
  /// The lines without their line breaks; a trailing line break does not add an empty line.
  public let lines: [String]
  /// The text as characters, for slicing by offset.
  let characters: [Character]

  public init(name: String, text: String) {
    self.name = name
    self.text = text
    self.characters = Array(text)
    var split = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    if split.count > 1, split.last == "" { split.removeLast() }
    self.lines = split
  }

  /// The text of line `number` (1-based), or nil past the end.
  public func line(_ number: Int) -> String? {
    guard number >= 1, number <= lines.count else { return nil }
    return lines[number - 1]
  }

  /// The source text a range covers (clamped to the file).
  public func text(in range: SourceRange) -> String {
    let lower = min(max(0, range.start.offset), characters.count)
    let upper = min(max(lower, range.end.offset), characters.count)
    return String(characters[lower..<upper])
  }
}
