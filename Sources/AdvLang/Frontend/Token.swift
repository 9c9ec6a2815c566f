/// The words and symbols of a script, as the lexer cuts them.

/// One token with its place in the source.
public struct Token: Sendable, Hashable, CustomStringConvertible {
  public enum Kind: Sendable, Hashable {
    /// A name: `attack`, `net`, `bsn-l`, `weight_decay`. Keywords are identifiers too; the
    /// parser recognises them by their spelling where a keyword may stand.
    case identifier
    /// `3`, `0.5`, `1e-3`, `1_000` (no sign: `-1` is unary minus applied to `1`).
    case number
    /// `"data/mnist"`; `value` holds the text without quotes and with escapes resolved.
    case string
    case equals, plus, minus, star, slash
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, semicolon
    /// A line break outside a comment; ends a statement.
    case newline
    /// The end of the input.
    case end
  }

  public let kind: Kind
  /// The spelling in the source (with quotes for strings).
  public let text: String
  /// The meaning: the unescaped content of a string, otherwise the spelling.
  public let value: String
  public let range: SourceRange

  public init(kind: Kind, text: String, value: String? = nil, range: SourceRange) {
    self.kind = kind
    self.text = text
    self.value = value ?? text
    self.range = range
  }

  /// True for an identifier spelled `word` (keywords are matched exactly, lower case).
  public func isKeyword(_ word: String) -> Bool { kind == .identifier && text == word }

  /// True for tokens that end a statement: a line break, `;`, `}` or the end of input.
  public var endsStatement: Bool {
    switch kind {
    case .newline, .semicolon, .rightBrace, .end: return true
    default: return false
    }
  }

  /// The token as error messages quote it: `'on'`, `end of line`, `end of input`.
  public var description: String {
    switch kind {
    case .newline: return "end of line"
    case .end: return "end of input"
    case .string: return "string \(text)"
    default: return "'\(text)'"
    }
  }
}
