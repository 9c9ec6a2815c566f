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
    try parseSum(expected).expr
  }

  /// An expression and its height: how many levels of parentheses, lists, signs and operators
  /// it nests (0 for a number or a name). Every tree walk of the checker and the evaluator
  /// recurses that deep, so it is bounded by `maximumNesting` as the tree is built.
  typealias Parsed = (expr: Expr, height: Int)

  mutating func parseSum(_ expected: String) throws -> Parsed {
    var lhs = try parseTerm(expected)
    while true {
      skipNewlinesInBrackets()
      let op: BinaryOperator
      switch current.kind {
      case .plus: op = .add
      case .minus: op = .subtract
      default: return lhs
      }
      let operatorToken = advance()
      let rhs = try parseTerm("a value after '\(op.rawValue)'")
      lhs = try binary(op, lhs, rhs, at: operatorToken)
    }
  }

  mutating func parseTerm(_ expected: String) throws -> Parsed {
    var lhs = try parseUnary(expected)
    while true {
      skipNewlinesInBrackets()
      let op: BinaryOperator
      switch current.kind {
      case .star: op = .multiply
      case .slash: op = .divide
      default: return lhs
      }
      let operatorToken = advance()
      let rhs = try parseUnary("a value after '\(op.rawValue)'")
      lhs = try binary(op, lhs, rhs, at: operatorToken)
    }
  }

  /// `lhs op rhs`, one level above the deeper of the two; refused at the operator when that
  /// goes past the limit (a chain `1+1+1…` nests one level per operator, without recursing).
  func binary(_ op: BinaryOperator, _ lhs: Parsed, _ rhs: Parsed, at operatorToken: Token) throws -> Parsed {
    let height = max(lhs.height, rhs.height) + 1
    if expressionNesting + height > Parser.maximumNesting { throw tooDeep(at: operatorToken, in: .expression) }
    return (.binary(op, lhs.expr, rhs.expr, range: lhs.expr.range.union(rhs.expr.range)), height)
  }

  mutating func parseUnary(_ expected: String) throws -> Parsed {
    skipNewlinesInBrackets()
    let op: UnaryOperator
    switch current.kind {
    case .minus: op = .negate
    case .plus: op = .plus
    default: return try parsePrimary(expected)
    }
    let sign = try enterExpressionLevel()
    defer { expressionNesting -= 1 }
    let operand = try parseUnary("a value after '\(op.rawValue)'")
    return (.unary(op, operand.expr, range: sign.range.union(operand.expr.range)), operand.height + 1)
  }

  mutating func parsePrimary(_ expected: String) throws -> Parsed {
    skipNewlinesInBrackets()
    let t = current
    switch t.kind {
    case .number:
      advance()
      return (.number(t.text, range: t.range), 0)
    case .string:
      advance()
      return (.string(t.value, range: t.range), 0)
    case .identifier where !Parser.reservedInValues.contains(t.text):
      advance()
      return (.identifier(t.text, range: t.range), 0)
    case .leftParen:
      try enterExpressionLevel()
      defer { expressionNesting -= 1 }
      bracketDepth += 1
      let inner = try parseSum("a value after '('")
      try expect(.rightParen, "')' to close the '(' at \(t.range.start)")
      bracketDepth -= 1
      // The parentheses belong to the range, so errors underline `(1/0)` whole.
      return (reranged(inner.expr, t.range.union(previous.range)), inner.height + 1)
    case .leftBracket:
      return try parseNestedList()
    default:
      throw error("expected \(expected), found \(t)", at: t)
    }
  }

  /// `[a, b, c]`, the current token being `[`.
  mutating func parseList() throws -> Expr {
    try parseNestedList().expr
  }

  mutating func parseNestedList() throws -> Parsed {
    let open = try enterExpressionLevel()
    defer { expressionNesting -= 1 }
    bracketDepth += 1
    var items: [Expr] = []
    var height = 0
    while true {
      skipNewlinesInBrackets()
      if current.kind == .rightBracket { break }
      let item = try parseSum(items.isEmpty ? "a value or ']' after '['" : "a value or ']' after ','")
      items.append(item.expr)
      height = max(height, item.height)
      skipNewlinesInBrackets()
      if current.kind == .comma {
        advance()
      } else if current.kind != .rightBracket {
        throw error("expected ',' or ']' in the list, found \(current)", at: current)
      }
    }
    bracketDepth -= 1
    let close = advance()
    return (.list(items, range: open.range.union(close.range)), height + 1)
  }

  /// Consumes the `(`, `[` or sign that opens one more level of an expression; refuses it,
  /// before recursing, when it would go past `maximumNesting`.
  @discardableResult
  mutating func enterExpressionLevel() throws -> Token {
    if expressionNesting + 1 > Parser.maximumNesting { throw tooDeep(at: current, in: .expression) }
    expressionNesting += 1
    return advance()
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
