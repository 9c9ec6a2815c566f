/// Recursive-descent parser: tokens → statements, collecting every independent error.
///
/// A statement that fails to parse reports one error and is skipped up to the next statement
/// (line break, `;` or `}`; a `{ … }` block inside the skipped text is skipped whole, so its
/// `}` is not reported again). Statement rules are in `Parser+Statements.swift`, expressions
/// in `Parser+Expressions.swift`.

/// The statements of a file and the lexer's and parser's diagnostics.
public struct ParseResult: Sendable, Hashable {
  public let statements: [Statement]
  /// Every token of the file, in order (the checker records each step's text from them).
  public let tokens: [Token]
  /// Sorted by position.
  public let diagnostics: [Diagnostic]
}

/// Thrown inside the parser to abandon a statement; caught at statement level.
struct ParseError: Error {
  let diagnostic: Diagnostic
}

public struct Parser {
  var tokens: [Token]
  var index = 0
  var diagnostics: [Diagnostic]
  /// Open `(` and `[`: inside them line breaks are white space.
  var bracketDepth = 0
  /// Set once `model NAME =` has parsed, so a failed definition still defines its name.
  var pendingModel: Name? = nil
  /// Open levels of the expression being parsed (`(`, `[` and signs) and open `for` bodies.
  var expressionNesting = 0
  var blockNesting = 0

  /// How deeply an expression may nest (parentheses, lists, signs and operators, each one
  /// level) and, counted apart, how deeply `for` bodies may nest. Deeper input gets one error
  /// at the first token beyond the limit, and the statement is skipped: the parser, the checker
  /// and the evaluator recurse once per level, and without a limit 30,000 parentheses overflow
  /// the stack. Documented in grammar.md ("Limits").
  public static let maximumNesting = 256

  /// Lexes and parses a file.
  public static func parse(_ file: SourceFile) -> ParseResult {
    let (tokens, lexed) = Lexer.tokenize(file)
    var parser = Parser(tokens: tokens, diagnostics: lexed)
    let statements = parser.parseProgram()
    return ParseResult(statements: statements, tokens: tokens, diagnostics: parser.diagnostics.sortedUnique())
  }

  init(tokens: [Token], diagnostics: [Diagnostic]) {
    self.tokens = tokens
    self.diagnostics = diagnostics
  }

  // MARK: Tokens

  var current: Token { tokens[min(index, tokens.count - 1)] }

  func peek(_ ahead: Int) -> Token { tokens[min(index + ahead, tokens.count - 1)] }

  /// The last consumed token (the first token before anything is consumed).
  var previous: Token { tokens[max(0, min(index, tokens.count) - 1)] }

  @discardableResult
  mutating func advance() -> Token {
    let t = current
    if t.kind != .end { index += 1 }
    return t
  }

  /// Inside `(` or `[`, line breaks do not end anything.
  mutating func skipNewlinesInBrackets() {
    while bracketDepth > 0, current.kind == .newline { index += 1 }
  }

  /// Where an error about `token` points: the token itself, or just after the last token
  /// before it that is not a line break, for a line break or the end of input ("expected a
  /// value here").
  func errorRange(at token: Token) -> SourceRange {
    switch token.kind {
    case .newline, .end:
      let before = tokens[..<min(index, tokens.count)].last { $0.kind != .newline }
      return SourceRange(at: before?.range.end ?? token.range.start)
    default:
      return token.range
    }
  }

  func error(_ message: String, at token: Token, hint: String? = nil, notes: [String] = []) -> ParseError {
    ParseError(diagnostic: .error(message, at: errorRange(at: token), hint: hint, notes: notes))
  }

  enum Nesting { case expression, loop }

  /// "nested too deeply", at the token that opens the level beyond `maximumNesting`.
  func tooDeep(at token: Token, in nesting: Nesting) -> ParseError {
    switch nesting {
    case .expression:
      return error("expression nested more than \(Parser.maximumNesting) levels deep", at: token,
                   hint: "write a simpler expression",
                   notes: ["each '(', '[', sign and operator inside another is one level"])
    case .loop:
      return error("loops nested more than \(Parser.maximumNesting) levels deep", at: token,
                   hint: "split the sweep into several scripts")
    }
  }

  /// Consumes a token of `kind` or throws "expected …, found …".
  @discardableResult
  mutating func expect(_ kind: Token.Kind, _ expected: String, hint: String? = nil) throws -> Token {
    skipNewlinesInBrackets()
    guard current.kind == kind else { throw error("expected \(expected), found \(current)", at: current, hint: hint) }
    return advance()
  }

  // MARK: Statement lists and recovery

  mutating func parseProgram() -> [Statement] {
    var statements: [Statement] = []
    while true {
      skipSeparators()
      switch current.kind {
      case .end:
        return statements
      case .rightBrace:
        diagnostics.append(.error("unexpected '}'; no '{' is open", at: current.range))
        advance()
      default:
        statements.append(parseStatementRecovering())
      }
    }
  }

  /// The statements of a `{ … }` body; the `{` is already consumed. An unclosed body reports
  /// an error at its `{` and keeps the statements parsed so far.
  mutating func parseBlock(openedBy open: Token) -> [Statement] {
    var body: [Statement] = []
    while true {
      skipSeparators()
      switch current.kind {
      case .rightBrace:
        advance()
        return body
      case .end:
        diagnostics.append(unterminatedBrace(open))
        return body
      default:
        body.append(parseStatementRecovering())
      }
    }
  }

  func unterminatedBrace(_ open: Token) -> Diagnostic {
    .error("unterminated '{'", at: open.range, notes: ["add '}' after the last statement of the body"])
  }

  mutating func skipSeparators() {
    while current.kind == .newline || current.kind == .semicolon { advance() }
  }

  /// Parses one statement and its terminator; on error reports it, skips to the next
  /// statement and returns `.invalid`.
  mutating func parseStatementRecovering() -> Statement {
    let first = current
    pendingModel = nil
    do {
      let statement = try parseStatement()
      if !current.endsStatement {
        // Keep the statement: it parsed, and dropping it could cause errors at later uses.
        diagnostics.append(.error("expected a new line or ';' after the statement, found \(current)",
                                  at: errorRange(at: current)))
        synchronize()
      }
      return statement
    } catch let failure as ParseError {
      diagnostics.append(failure.diagnostic)
      let defined = pendingModel
      synchronize()
      return Statement(.invalid(definesModel: defined), range: first.range.union(previous.range))
    } catch {
      preconditionFailure("the parser throws only ParseError")
    }
  }

  /// Skips to the start of the next statement: past a line break or `;`, or up to a `}` or the
  /// end of input. A `{ … }` block met on the way is skipped whole.
  mutating func synchronize() {
    bracketDepth = 0
    while true {
      switch current.kind {
      case .newline, .semicolon:
        advance()
        return
      case .rightBrace, .end:
        return
      case .leftBrace:
        let open = advance()
        if !skipBlock() { diagnostics.append(unterminatedBrace(open)) }
      default:
        advance()
      }
    }
  }

  /// Skips to just past the `}` matching an already consumed `{`; false if the input ends first.
  mutating func skipBlock() -> Bool {
    var depth = 1
    while true {
      switch current.kind {
      case .leftBrace:
        depth += 1
      case .rightBrace:
        depth -= 1
        if depth == 0 {
          advance()
          return true
        }
      case .end:
        return false
      default:
        break
      }
      advance()
    }
  }
}
