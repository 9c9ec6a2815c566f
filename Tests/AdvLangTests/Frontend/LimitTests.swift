@testable import AdvLang
import Foundation
import Testing

/// Input built to exhaust the front end: nesting beyond `Parser.maximumNesting`, loops that
/// repeat bodies without end, names too long to compare.
@Suite("Limits")
struct LimitTests {
  static let limit = Parser.maximumNesting

  /// The inputs that crashed the parser (stack overflow) before the limit: 30,000 parentheses,
  /// 100,000 brackets, 100,000 signs, 2,000 nested loops, and a chain of 100,000 additions,
  /// which parsed without recursing but overflowed the checker's tree walks.
  static let bombs: [(name: String, text: String, column: Int)] = [
    ("parentheses", "seed " + String(repeating: "(", count: 30_000) + "1" + String(repeating: ")", count: 30_000) + "\n",
     6 + limit),
    ("brackets", "seed " + String(repeating: "[", count: 100_000) + "\n", 6 + limit),
    ("signs", "seed " + String(repeating: "-", count: 100_000) + "1\n", 6 + limit),
    ("sum", "seed " + Array(repeating: "1", count: 100_000).joined(separator: "+") + "\n", 6 + 2 * limit + 1),
  ]

  static let loops = netPrelude
    + (0..<2000).map { "for a\($0) in [1] {\n" }.joined() + "evaluate net\n" + String(repeating: "}\n", count: 2000)

  @Test("nesting beyond the limit is one error at the first token past it", arguments: LimitTests.bombs.map(\.name))
  func expressionBomb(_ name: String) throws {
    let bomb = try #require(LimitTests.bombs.first { $0.name == name })
    let d = diagnosticsOf(bomb.text)
    #expect(d.map(\.description) == ["1:\(bomb.column): error: expression nested more than 256 levels deep"])
  }

  @Test("2,000 nested loops are one error at the first '{' past the limit")
  func loopBomb() {
    let d = diagnosticsOf(LimitTests.loops)
    // Two prelude lines, then one 'for' per line: the 257th opens on line 259.
    #expect(d.map(\.description) == ["259:17: error: loops nested more than 256 levels deep"])
    #expect(d.first?.hint == "split the sweep into several scripts")
  }

  @Test("the nesting error renders with its caret, hint and note")
  func rendered() throws {
    let text = "seed " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)
    let file = SourceFile(name: "deep.adv", text: text)
    var checker = Checker(vocabulary: TestVocabulary.extended)
    guard case .failure(let failure) = checker.check(file) else {
      Issue.record("300 parentheses checked")
      return
    }
    let out = failure.rendered(in: file)
    #expect(out.hasPrefix("deep.adv:1:262: error: expression nested more than 256 levels deep\n"))
    // The 606-character line is shown from 60 characters before the error, cut at both ends.
    #expect(out.contains(" 1 | …" + String(repeating: "(", count: 103) + "1" + String(repeating: ")", count: 54) + "…\n"))
    #expect(out.contains(" | " + String(repeating: " ", count: 60) + "^ write a simpler expression\n"))
    #expect(out.hasSuffix("note: each '(', '[', sign and operator inside another is one level\n"))
  }

  @Test("nesting up to the limit checks")
  func atTheLimit() {
    let parens = "seed " + String(repeating: "(", count: LimitTests.limit) + "1" + String(repeating: ")", count: LimitTests.limit)
    #expect(planOf(parens).count == 1)
    let signs = "seed " + String(repeating: "-", count: LimitTests.limit) + "1"
    #expect(planOf(signs).count == 1)
    let sum = "seed " + Array(repeating: "1", count: LimitTests.limit + 1).joined(separator: "+")
    #expect(planOf(sum).map(\.comparable) == [ComparableStep(SeedStep(seed: 257))])
    let loops = netPrelude + (0..<LimitTests.limit).map { "for a\($0) in [1] { " }.joined() + "evaluate net"
      + String(repeating: " }", count: LimitTests.limit)
    #expect(planOf(loops).count == 3)
  }

  @Test("the statements after a too deep one are still checked")
  func recovery() {
    let d = diagnosticsOf("seed " + String(repeating: "(", count: 1000) + "\nevaluate nothing\n")
    #expect(d.map(\.message) == ["expression nested more than 256 levels deep", "unknown model 'nothing'"])
  }

  /// The diagnostics of `text` under a step limit of 1,000 (statements in loops: 2,000), to stay quick.
  func diagnostics(_ text: String, stepLimit: Int = 1000) -> [Diagnostic] {
    var checker = Checker(vocabulary: TestVocabulary.extended)
    checker.stepLimit = stepLimit
    guard case .failure(let failure) = checker.check(SourceFile(name: "test.adv", text: text)) else { return [] }
    return failure.diagnostics
  }

  @Test("nested loops whose bodies plan nothing stop at the statement limit")
  func loopPasses() {
    #expect(Checker(vocabulary: TestVocabulary.extended).stepLimit == 100_000)
    let nest = (0..<30).map { "for a\($0) in [1, 2] { " }.joined() + String(repeating: " }", count: 30)
    #expect(diagnostics(nest).map(\.message) == ["the loops unroll to more than 2000 statements"])
    let failing = (0..<30).map { "for a\($0) in [1, 2] { " }.joined() + "evaluate x" + String(repeating: " }", count: 30)
    #expect(diagnostics(failing).map(\.message) == ["the loops unroll to more than 2000 statements", "unknown model 'x'"])
    let planning = netPrelude + "for a in [1, 2, 3, 4] { for b in [1, 2, 3, 4, 5] { evaluate net } }"
    #expect(diagnostics(planning, stepLimit: 10).map(\.message) == ["the loops unroll to more than 10 steps"])
  }

  @Test("values quoted in messages are cut after 200 characters")
  func longValues() {
    let list = ScriptValue.list(Array(repeating: .int(12345), count: 1000))
    #expect(list.description.count == 201 && list.description.hasSuffix("…"))
    #expect(list.written(exact: true).count == 7000)
    #expect(ScriptValue.list([.int(3), .int(1)]).description == "[3, 1]")
  }

  @Test("default figure names in a loop count on without searching from the start")
  func figureNames() {
    let steps = planOf(netPrelude + "attack bim on net\nfor a in [1, 2, 3] { plot bars }\nplot bars")
    #expect(steps.compactMap { ($0.step as? PlotStep)?.path }
              == ["plot-bars.svg", "plot-bars-2.svg", "plot-bars-3.svg", "plot-bars-4.svg"])
  }

  @Test("very long names get no suggestion")
  func longNames() {
    let a = String(repeating: "a", count: 50_000), b = String(repeating: "a", count: 49_999) + "b"
    let d = diagnosticsOf(netPrelude + "model \(a) = train lenet\nevaluate \(b)\n")
    #expect(d.count == 1)
    #expect(d.first?.hint == nil)
    #expect(suggestion(for: String(repeating: "x", count: maximumSuggestedLength + 1), among: ["x"]) == nil)
  }

  /// `adv check` on each input that crashed it: exit status 65 and the one error.
  @Test("'adv check' rejects each nesting bomb with status 65")
  func command() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adv-limits-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let adv = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("adv")
    for (name, text) in LimitTests.bombs.map({ ($0.name, $0.text) }) + [("loops", LimitTests.loops)] {
      let script = dir.appendingPathComponent(name + ".adv")
      try text.write(to: script, atomically: true, encoding: .utf8)
      let process = Process()
      process.executableURL = adv
      process.arguments = ["check", script.path]
      let errors = Pipe()
      process.standardError = errors
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 65, "\(name): \(output.prefix(300))")
      #expect(output.contains("nested more than 256 levels deep"), "\(name)")
    }
  }
}
