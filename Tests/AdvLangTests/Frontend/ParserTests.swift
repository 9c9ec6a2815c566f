import AdvLang
import Testing

/// The parser on valid input: one test per statement form, plus expressions.
@Suite("Parser")
struct ParserTests {
  func parse(_ text: String) -> ParseResult { Parser.parse(SourceFile(name: "t", text: text)) }

  func only(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Statement? {
    let result = parse(text)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)", sourceLocation: sourceLocation)
    #expect(result.statements.count == 1, sourceLocation: sourceLocation)
    return result.statements.first
  }

  @Test("every name in an attack statement carries its exact range")
  func attackRanges() {
    let m = Marked("‸attack ‸bim‸ ‸eps‸=‸32/255‸ on ‸net‸ ‸samples=100‸")
    let statement = only(m.text)
    guard case .form("attack", let slots)? = statement?.kind, let range = statement?.range,
          let attack = slots.name("attack"), let model = slots.name("model") else {
      Issue.record("not an attack statement")
      return
    }
    let arguments = slots.arguments
    #expect(attack == Name("bim", range: m.range(1, 2)))
    #expect(model == Name("net", range: m.range(7, 8)))
    #expect(range.start == m[0])
    #expect(arguments.map(\.name) == ["eps", "samples"])
    #expect(arguments[0].nameRange == m.range(3, 4))
    #expect(arguments[0].value.range == m.range(5, 6))
    #expect(arguments[1].range == m.range(9, 10))
  }

  @Test("parameters may stand before and after 'on MODEL'")
  func attackArgumentsOnBothSides() {
    guard case .form("attack", let slots)? = only("attack bim steps=5 on net eps=0.1")?.kind else {
      Issue.record("not an attack statement")
      return
    }
    #expect(slots.arguments.map(\.name) == ["steps", "eps"])
    #expect(slots.name("model")?.text == "net")
  }

  @Test("load takes an optional path and parameters")
  func load() {
    guard case .form("load", let slots)? = only(#"load mnist from "data/mnist" train=1000"#)?.kind else {
      Issue.record("not a load statement")
      return
    }
    #expect(slots.name("dataset")?.text == "mnist")
    if case .string(let s, _)? = slots.value("path") { #expect(s == "data/mnist") } else { Issue.record("no path") }
    #expect(slots.arguments.map(\.name) == ["train"])
  }

  @Test("a model definition names the model and the architecture")
  func train() {
    guard case .form("model = train", let slots)? = only("model net = train bsn-l epochs=3 lr=0.001")?.kind else {
      Issue.record("not a model statement")
      return
    }
    #expect(slots.name("model")?.text == "net")
    #expect(slots.name("architecture")?.text == "bsn-l")
    #expect(slots.name("source") == nil)
    #expect(slots.arguments.map(\.name) == ["epochs", "lr"])
  }

  @Test("'from MODEL' may stand anywhere among a training's arguments")
  func trainFrom() {
    guard case .form("model = train", let slots)? = only("model s = train bnn-s epochs=2 from bnnD lr=0.001")?.kind else {
      Issue.record("not a model statement")
      return
    }
    #expect(slots.name("source")?.text == "bnnD")
    #expect(slots.arguments.map(\.name) == ["epochs", "lr"])
  }

  @Test("seed, evaluate and report parse")
  func simpleStatements() {
    #expect(parse("seed 7\nevaluate net\nreport\nreport csv\nreport to \"r.md\"\nreport json to \"r\"").statements.count == 6)
    guard case .form("report", let slots)? = only(#"report csv to "r.csv""#)?.kind else {
      Issue.record("not a report statement")
      return
    }
    #expect(slots.name("format")?.text == "csv")
    #expect(slots.value("path") != nil)
  }

  @Test("a for loop holds its list and body, on one line or several, nested")
  func forLoops() {
    let text = """
      for e in [1, 2,
                3] { attack bim eps=e/255 on net }
      for a in [1] {
        for b in [2, 3] {
          evaluate net; evaluate net
        }
      }
      """
    let result = parse(text)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    guard result.statements.count == 2,
          case .forLoop(let v, let values, _, let body) = result.statements[0].kind,
          case .forLoop(_, _, _, let outerBody) = result.statements[1].kind,
          case .forLoop(_, _, _, let innerBody)? = outerBody.first?.kind
    else {
      Issue.record("unexpected statements \(result.statements)")
      return
    }
    #expect(v.text == "e")
    #expect(values.count == 3)
    #expect(body.count == 1)
    #expect(innerBody.count == 2)
  }

  @Test("multiplication binds tighter than addition and unary minus tighter than both")
  func precedence() {
    guard case .form("seed", let slots)? = only("seed -1 + 2 * (3 - 4) / 5")?.kind, let e = slots.value("value") else {
      Issue.record("not a seed statement")
      return
    }
    guard case .binary(.add, .unary(.negate, .number("1", _), _), .binary(.divide, .binary(.multiply, _, _, _), _, _), _) = e else {
      Issue.record("wrong tree \(e)")
      return
    }
  }

  @Test("a parenthesised expression's range includes the parentheses")
  func parenthesesRange() {
    let m = Marked("seed 1/‸(2 - 2)‸")
    guard case .form("seed", let slots)? = only(m.text)?.kind, case .binary(.divide, _, let divisor, _)? = slots.value("value") else {
      Issue.record("not a division")
      return
    }
    #expect(divisor.range == m.range(0, 1))
  }

  @Test("statements are separated by semicolons and blank lines, comments are ignored")
  func separators() {
    let result = parse("seed 1; seed 2;;\n\n# comment\nseed 3 # trailing\n")
    #expect(result.diagnostics.isEmpty)
    #expect(result.statements.count == 3)
  }
}
