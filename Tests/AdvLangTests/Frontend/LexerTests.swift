import AdvLang
import Testing

/// The lexer: token kinds, spellings, ranges, and its errors.
@Suite("Lexer")
struct LexerTests {
  func kinds(_ text: String) -> [Token.Kind] {
    Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.map(\.kind)
  }

  func texts(_ text: String) -> [String] {
    Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.filter { $0.kind != .end }.map(\.text)
  }

  @Test("a statement is cut into identifiers, numbers, operators and a line break")
  func statementTokens() {
    #expect(texts("attack bim eps=32/255 on net\n") == ["attack", "bim", "eps", "=", "32", "/", "255", "on", "net", "\n"])
    #expect(kinds("eps=32/255") == [.identifier, .equals, .number, .slash, .number, .end])
  }

  @Test("a minus between letters or digits continues a name")
  func minusInsideNames() {
    #expect(texts("bsn-l bsn-2 linf-bim lenet-5") == ["bsn-l", "bsn-2", "linf-bim", "lenet-5"])
  }

  @Test("a minus with spaces, before a non-name character or between numbers is an operator")
  func minusAsOperator() {
    #expect(texts("e - 1") == ["e", "-", "1"])
    #expect(texts("2-1") == ["2", "-", "1"])
    #expect(texts("e -1") == ["e", "-", "1"])
    #expect(texts("e-(1)") == ["e", "-", "(", "1", ")"])
    #expect(texts("eps=-1") == ["eps", "=", "-", "1"])
  }

  @Test("numbers take fractions, exponents and digit separators")
  func numbers() {
    #expect(texts("0.5 1e-3 2E+4 1_000") == ["0.5", "1e-3", "2E+4", "1_000"])
    #expect(kinds("1e") == [.number, .identifier, .end])
  }

  @Test("comments run to the end of the line and keep the line break")
  func comments() {
    #expect(texts("seed 1 # the seed\nseed 2") == ["seed", "1", "\n", "seed", "2"])
  }

  @Test("strings resolve escapes and keep their spelling")
  func strings() {
    let tokens = Lexer.tokenize(SourceFile(name: "t", text: #""a \"b\"\\c""#)).tokens
    #expect(tokens[0].kind == .string)
    #expect(tokens[0].value == #"a "b"\c"#)
    #expect(tokens[0].text == #""a \"b\"\\c""#)
  }

  @Test("token ranges give line, column and offset")
  func ranges() {
    let m = Marked("seed 1\n  ‸attack‸ bim")
    let tokens = Lexer.tokenize(m.file).tokens
    let attack = tokens.first { $0.text == "attack" }
    #expect(attack?.range == m.range(0, 1))
    #expect(attack?.range.start.line == 2)
    #expect(attack?.range.start.column == 3)
  }

  @Test("an unterminated string is reported at its opening quote and still lexed")
  func unterminatedString() {
    let m = Marked("load mnist from ‸\"data/mnist‸\ntrain")
    let (tokens, diagnostics) = Lexer.tokenize(m.file)
    #expect(diagnostics.map(\.message) == ["unterminated string"])
    #expect(diagnostics.first?.range == m.range(0, 1))
    #expect(tokens.contains { $0.kind == .string && $0.value == "data/mnist" })
    #expect(tokens.contains { $0.text == "train" })
  }

  @Test("a stray character is reported and skipped")
  func strayCharacter() {
    let m = Marked("seed ‸@‸1")
    let (tokens, diagnostics) = Lexer.tokenize(m.file)
    #expect(diagnostics.map(\.message) == ["unexpected character '@'"])
    #expect(diagnostics.first?.range == m.range(0, 1))
    #expect(tokens.map(\.text) == ["seed", "1", ""])
  }

  @Test("single quotes are refused with a hint to use double quotes")
  func singleQuotes() {
    let (_, diagnostics) = Lexer.tokenize(SourceFile(name: "t", text: "report to 'a.csv'"))
    #expect(diagnostics.first?.hint == "strings use double quotes")
  }

  @Test("carriage-return line breaks count as one line break")
  func crlf() {
    let tokens = Lexer.tokenize(SourceFile(name: "t", text: "seed 1\r\nseed 2")).tokens
    #expect(tokens.map(\.kind) == [.identifier, .number, .newline, .identifier, .number, .end])
    #expect(tokens[3].range.start.line == 2)
    #expect(tokens[3].range.start.column == 1)
  }
}
