/// Parser rules for values: arithmetic with the usual precedence, parentheses and lists.
///
/// ```
/// expr    = term { ("+" | "-") term }
/// term    = unary { ("*" | "/") unary }
/// unary   = ("-" | "+") unary | primary
/// primary = NUMBER | STRING | IDENT | "(" expr ")" | "[" [ expr { "," expr } [","] ] "]"
/// ```
/// Inside `(…)` and `[…]` line breaks are ignored, so a long list may span lines.

extension Parser {
  /// Words that end a value rather than being one (`attack bim eps= on net` is missing a value).
  static let reservedInValues: Set<String> = ["on", "from", "to", "in"]

  /// An expression; `expected` completes "expected … , found …" when none is there.
  mutating func parseExpression(_ expected: String) throws -> Expr {
    var lhs = try parseTerm(expected)
    while true {
      skipNewlinesInBrackets()
      let op: BinaryOperator
      switch current.kind {
      case .plus: op = .add
      case .minus: op = .subtract
      default: return lhs
      }
      advance()
      let rhs = try parseTerm("a value after '\(op.rawValue)'")
      lhs = .binary(op, lhs, rhs, range: lhs.range.union(rhs.range))
    }
  }

  mutating func parseTerm(_ expected: String) throws -> Expr {
    var lhs = try parseUnary(expected)
    while true {
      skipNewlinesInBrackets()
      let op: BinaryOperator
      switch current.kind {
      case .star: op = .multiply
      case .slash: op = .divide
      default: return lhs
      }
      advance()
      let rhs = try parseUnary("a value after '\(op.rawValue)'")
      lhs = .binary(op, lhs, rhs, range: lhs.range.union(rhs.range))
    }
  }

  mutating func parseUnary(_ expected: String) throws -> Expr {
    skipNewlinesInBrackets()
    let op: UnaryOperator
    switch current.kind {
    case .minus: op = .negate
    case .plus: op = .plus
    default: return try parsePrimary(expected)
    }
    let sign = advance()
    let operand = try parseUnary("a value after '\(op.rawValue)'")
    return .unary(op, operand, range: sign.range.union(operand.range))
  }

  mutating func parsePrimary(_ expected: String) throws -> Expr {
    skipNewlinesInBrackets()
    let t = current
    switch t.kind {
    case .number:
      advance()
      return .number(t.text, range: t.range)
    case .string:
      advance()
      return .string(t.value, range: t.range)
    case .identifier where !Parser.reservedInValues.contains(t.text):
      advance()
      return .identifier(t.text, range: t.range)
    case .leftParen:
      advance()
      bracketDepth += 1
      let inner = try parseExpression("a value after '('")
      try expect(.rightParen, "')' to close the '(' at \(t.range.start)")
      bracketDepth -= 1
      // The parentheses belong to the range, so errors underline `(1/0)` whole.
      return reranged(inner, t.range.union(previous.range))
    case .leftBracket:
      return try parseList()
    default:
      throw error("expected \(expected), found \(t)", at: t)
    }
  }

  /// `[a, b, c]`, the current token being `[`.
  mutating func parseList() throws -> Expr {
    let open = advance()
    bracketDepth += 1
    var items: [Expr] = []
    while true {
      skipNewlinesInBrackets()
      if current.kind == .rightBracket { break }
      items.append(try parseExpression(items.isEmpty ? "a value or ']' after '['" : "a value or ']' after ','"))
      skipNewlinesInBrackets()
      if current.kind == .comma {
        advance()
      } else if current.kind != .rightBracket {
        throw error("expected ',' or ']' in the list, found \(current)", at: current)
      }
    }
    bracketDepth -= 1
    let close = advance()
    return .list(items, range: open.range.union(close.range))
  }

  /// The same expression with a wider range (for parenthesised expressions).
  func reranged(_ e: Expr, _ range: SourceRange) -> Expr {
    switch e {
    case .number(let s, _): return .number(s, range: range)
    case .string(let s, _): return .string(s, range: range)
    case .identifier(let s, _): return .identifier(s, range: range)
    case .unary(let op, let x, _): return .unary(op, x, range: range)
    case .binary(let op, let a, let b, _): return .binary(op, a, b, range: range)
    case .list(let items, _): return .list(items, range: range)
    }
  }
}
