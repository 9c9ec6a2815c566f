import AdvSpec

/// `for VAR in [VALUE, ...] { STATEMENTS }`: a bespoke parse rule (its body is statements);
/// the checker unrolls it, so it has no step of its own.
extension Statements {
  static let `for` = StatementSpec(
    name: "for",
    forms: [StatementForm("for", SyntaxPattern(
      .word("for"), .opaque(text: "VAR", ebnf: "NAME", words: []), .word("in"),
      .opaque(text: "[VALUE, ...]", ebnf: "list", words: []),
      .opaque(text: "{ STATEMENTS }", ebnf: "\"{\" { separator | statement } \"}\"", words: [])),
      parse: { parser in try parser.parseFor() }, check: { _, _, _ in })],
    doc: "run the statements once per value, VAR standing for the value",
    details: { _ in
      "The body may be on the same line or on the following lines; loops nest. The checker unrolls "
        + "loops, so an error that only some values cause is reported with the value "
        + "(`note: when 'eps' = 2`). The list must not be empty; a nest of loops may unroll to at most "
        + "\(Checker.maximumSteps) steps. Results record each statement with the loop variables replaced "
        + "by their values (`attack bim eps=8/255 on net`)."
    },
    examples: ["for eps in [8/255, 16/255] { attack bim eps=eps on net }"])
}

extension Parser {
  mutating func parseFor() throws -> Statement {
    let keyword = advance()
    let variable = try parseName("a loop variable after 'for'", reserved: ["in"])
    guard current.isKeyword("in") else {
      throw error("expected 'in' after 'for \(variable.text)', found \(current)", at: current)
    }
    advance()
    guard current.kind == .leftBracket else {
      throw error("expected a list such as '[1, 2, 3]' after 'in', found \(current)", at: current)
    }
    let list = try parseList()
    guard case .list(let values, let valuesRange) = list else { preconditionFailure("parseList returns a list") }
    if current.kind == .leftBrace && blockNesting >= Parser.maximumNesting { throw tooDeep(at: current, in: .loop) }
    let open = try expect(.leftBrace, "'{' to start the loop body")
    blockNesting += 1
    defer { blockNesting -= 1 }
    let body = parseBlock(openedBy: open)
    return Statement(.forLoop(variable: variable, values: values, valuesRange: valuesRange, body: body), range: rangeFrom(keyword))
  }
}
