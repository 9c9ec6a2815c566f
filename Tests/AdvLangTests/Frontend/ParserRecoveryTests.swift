import AdvLang
import Testing

/// Parse errors: messages, positions, and recovery at the next statement.
@Suite("Parser errors")
struct ParserRecoveryTests {
  func parse(_ text: String) -> ParseResult { Parser.parse(SourceFile(name: "t", text: text)) }

  @Test("an unknown statement keyword suggests the closest statement")
  func unknownStatement() {
    let m = Marked("‸atack‸ bim on net")
    let d = parse(m.text).diagnostics
    #expect(d.map(\.message) == ["unknown statement 'atack'"])
    #expect(d.first?.range == m.range(0, 1))
    #expect(d.first?.hint == "did you mean 'attack'?")
  }

  @Test("an unknown statement far from every keyword lists the statements")
  func unknownStatementWithoutSuggestion() {
    let d = parse("fgsm net").diagnostics
    #expect(d.first?.hint == nil)
    #expect(d.first?.notes == ["the statements are 'seed', 'load', 'model', 'describe', 'evaluate', 'attack', 'transfer', 'for', 'save', 'plot', 'set' and 'report'"])
  }

  @Test("'NAME = train' without 'model' says how to define a model")
  func missingModelKeyword() {
    let d = parse("net = train lenet").diagnostics
    #expect(d.first?.hint == "write 'model net = train ARCH' to define a model")
  }

  @Test("each bad statement reports one error and parsing resumes at the next line")
  func recovery() {
    let m = Marked("""
      seed 1
      atack bim on net
      model net = train
      evaluate net
      attack bim eps=‸
      report
      """)
    let d = parse(m.text)
    #expect(d.diagnostics.map(\.description) == [
      "2:1: error: unknown statement 'atack'",
      "3:18: error: expected an architecture name after 'train', found end of line",
      "5:16: error: expected a value after 'eps=', found end of line",
    ])
    #expect(d.diagnostics.last?.range.start == m[0])
    // seed, evaluate and report survive; the three broken statements become `.invalid`.
    #expect(d.statements.count == 6)
  }

  @Test("an unclosed '{' is reported at the brace with a note to add '}'")
  func unterminatedBrace() {
    let m = Marked("for e in [1, 2] ‸{‸\n  evaluate net\n")
    let d = parse(m.text).diagnostics
    #expect(d.map(\.message) == ["unterminated '{'"])
    #expect(d.first?.range == m.range(0, 1))
    #expect(d.first?.notes == ["add '}' after the last statement of the body"])
  }

  @Test("a '}' without '{' is reported")
  func strayBrace() {
    #expect(parse("evaluate net\n}\n").diagnostics.map(\.message) == ["unexpected '}'; no '{' is open"])
  }

  @Test("a broken loop header skips its whole body, so its '}' is not reported again")
  func brokenHeaderSkipsBody() {
    let d = parse("for e in [1, 2 {\n  atack\n}\nseed 1").diagnostics
    #expect(d.map(\.message) == ["expected ',' or ']' in the list, found '{'"])
  }

  @Test("an error inside a loop body does not lose the loop")
  func errorInBody() {
    let result = parse("for e in [1] {\n  seed\n  evaluate net\n}")
    #expect(result.diagnostics.map(\.message) == ["expected a number after 'seed', found end of line"])
    guard case .forLoop(_, _, _, let body)? = result.statements.first?.kind else {
      Issue.record("no loop")
      return
    }
    #expect(body.count == 2)
  }

  @Test("an attack without 'on MODEL' says so")
  func attackWithoutModel() {
    let d = parse("attack bim eps=0.1").diagnostics
    #expect(d.map(\.message) == ["expected 'on MODEL' in 'attack bim', found end of input"])
  }

  @Test("a missing attack name is not taken from 'on'")
  func attackWithoutName() {
    #expect(parse("attack on net").diagnostics.map(\.message) == ["expected an attack name after 'attack', found 'on'"])
  }

  @Test("extra words after a statement are reported, and the statement is kept")
  func trailingTokens() {
    let result = parse("evaluate net twice\nfor e in [1] { evaluate net } evaluate net")
    #expect(result.diagnostics.map(\.message) == [
      "expected a new line or ';' after the statement, found 'twice'",
      "expected a new line or ';' after the statement, found 'evaluate'",
    ])
    guard result.statements.count == 2, case .form("evaluate", _) = result.statements[0].kind, case .forLoop = result.statements[1].kind else {
      Issue.record("statements lost: \(result.statements)")
      return
    }
  }

  @Test("an error at the end of input points after the last token, not at an empty line")
  func endOfInputPosition() {
    let d = parse("load mnist\nfor e in [1,\n").diagnostics
    #expect(d.map(\.description) == ["2:13: error: expected a value or ']' after ',', found end of input"])
  }

  @Test("a value cannot be 'on'")
  func missingValueBeforeOn() {
    #expect(parse("attack bim eps= on net").diagnostics.map(\.message) == ["expected a value after 'eps=', found 'on'"])
  }
}
