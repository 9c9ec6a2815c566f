/// Cuts script text into tokens.
///
/// Rules (documented in grammar.md):
/// - `#` starts a comment that runs to the end of the line.
/// - A line break is a token (it ends a statement); other white space only separates tokens.
/// - An identifier starts with a letter or `_` and continues with letters, digits and `_`.
///   A `-` continues it when it stands directly between an identifier character and a letter
///   or digit, so `bsn-l`, `bsn-2` and `linf-bim` are single names. Subtraction of a name
///   therefore needs a space: `e - 1`; `e-1` is the name `e-1`. Between numbers `-` is always
///   subtraction: `2-1`.
/// - A number is digits (with optional `_` separators), an optional fraction and an optional
///   exponent: `3`, `0.5`, `1e-3`, `1_000`. A leading `-` is the unary minus operator.
/// - A string is enclosed in double quotes on one line; escapes `\"`, `\\`, `\n`, `\t`.
public struct Lexer {
  let file: SourceFile
  let chars: [Character]
  var index = 0
  var line = 1
  var column = 1
  var tokens: [Token] = []
  var diagnostics: [Diagnostic] = []

  /// Tokenizes a whole file. Always ends with an `.end` token; problems (stray characters,
  /// unterminated strings) are reported and lexing goes on after them.
  public static func tokenize(_ file: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    var lexer = Lexer(file: file, chars: file.characters)
    lexer.run()
    return (lexer.tokens, lexer.diagnostics)
  }

  var location: SourceLocation { SourceLocation(line: line, column: column, offset: index) }

  func peek(_ ahead: Int = 0) -> Character? {
    let i = index + ahead
    return i < chars.count ? chars[i] : nil
  }

  mutating func advance() {
    guard index < chars.count else { return }
    if chars[index].isNewline { line += 1; column = 1 } else { column += 1 }
    index += 1
  }

  mutating func add(_ kind: Token.Kind, from start: SourceLocation, value: String? = nil) {
    let range = SourceRange(start: start, end: location)
    tokens.append(Token(kind: kind, text: file.text(in: range), value: value, range: range))
  }

  mutating func run() {
    while let c = peek() {
      let start = location
      if c.isNewline {
        advance()
        add(.newline, from: start)
      } else if c.isWhitespace {
        advance()
      } else if c == "#" {
        while let d = peek(), !d.isNewline { advance() }
      } else if c.isLetter || c == "_" {
        lexIdentifier(from: start)
      } else if c.isASCII, c.isNumber {
        lexNumber(from: start)
      } else if c == "\"" {
        lexString(from: start)
      } else if let kind = Lexer.punctuation[c] {
        advance()
        add(kind, from: start)
      } else {
        advance()
        diagnostics.append(.error("unexpected character '\(c)'", at: SourceRange(start: start, end: location),
                                  hint: c == "'" ? "strings use double quotes" : nil))
      }
    }
    add(.end, from: location)
  }

  static let punctuation: [Character: Token.Kind] = [
    "=": .equals, "+": .plus, "-": .minus, "*": .star, "/": .slash,
    "(": .leftParen, ")": .rightParen, "[": .leftBracket, "]": .rightBracket,
    "{": .leftBrace, "}": .rightBrace, ",": .comma, ";": .semicolon,
  ]

  static func isIdentifierCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

  mutating func lexIdentifier(from start: SourceLocation) {
    while let c = peek() {
      if Lexer.isIdentifierCharacter(c) {
        advance()
      } else if c == "-", let next = peek(1), next.isLetter || next.isNumber {
        advance()
      } else {
        break
      }
    }
    add(.identifier, from: start)
  }

  mutating func lexNumber(from start: SourceLocation) {
    func digits(_ lexer: inout Lexer) {
      while let c = lexer.peek(), (c.isASCII && c.isNumber) || c == "_" { lexer.advance() }
    }
    digits(&self)
    if peek() == ".", let next = peek(1), next.isASCII, next.isNumber {
      advance()
      digits(&self)
    }
    if let e = peek(), e == "e" || e == "E" {
      let signed = peek(1) == "+" || peek(1) == "-"
      if let d = peek(signed ? 2 : 1), d.isASCII, d.isNumber {
        advance()
        if signed { advance() }
        digits(&self)
      }
    }
    add(.number, from: start)
  }

  mutating func lexString(from start: SourceLocation) {
    advance()  // opening quote
    var value = ""
    while let c = peek(), !c.isNewline {
      if c == "\"" {
        advance()
        add(.string, from: start, value: value)
        return
      }
      if c == "\\" {
        let escapeStart = location
        advance()
        guard let e = peek(), !e.isNewline else { break }
        advance()
        switch e {
        case "\"": value.append("\"")
        case "\\": value.append("\\")
        case "n": value.append("\n")
        case "t": value.append("\t")
        default:
          diagnostics.append(.error("unknown escape '\\\(e)' in string", at: SourceRange(start: escapeStart, end: location),
                                    notes: ["the escapes are \\\", \\\\, \\n and \\t"]))
        }
        continue
      }
      value.append(c)
      advance()
    }
    // Still a string token, so the statement parses and only this error is reported.
    add(.string, from: start, value: value)
    diagnostics.append(.error("unterminated string", at: SourceRange(start: start, end: location),
                              hint: "add '\"' at the end"))
  }
}
