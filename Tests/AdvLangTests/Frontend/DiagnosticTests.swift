import AdvLang
import Testing

/// The one diagnostic formatter, pinned exactly, and the did-you-mean rule.
@Suite("Diagnostics")
struct DiagnosticTests {
  /// Eleven valid lines, then an unknown attack on line 12.
  static let sweep = """
    # BIM and C&W against a binary stochastic network
    seed 1
    load mnist

    model bsn2 = train bsn-2 epochs=3
    evaluate bsn2

    for eps in [8/255, 16/255] {
      attack bim eps=eps on bsn2
    }

    attack cwl3 steps=1000 on bsn2
    report

    """

  @Test("a checked script's error renders with position, source line, caret and suggestion")
  func renderedCheckError() {
    let file = SourceFile(name: "sweep.adv", text: DiagnosticTests.sweep)
    var checker = Checker(vocabulary: TestVocabulary.extended)
    guard case .failure(let failure) = checker.check(file) else {
      Issue.record("the script should not check")
      return
    }
    #expect(failure.rendered(in: file) == """
      sweep.adv:12:8: error: unknown attack 'cwl3'
       12 | attack cwl3 steps=1000 on bsn2
          |        ^~~~ did you mean 'cwl2'?

      """)
  }

  @Test("notes follow the caret line and several errors end with a count")
  func renderedNotesAndCount() {
    let file = SourceFile(name: "a.adv", text: "load mnist\nmodel net = train lenet\nattack bim step=3 on net\nevaluate x")
    var checker = Checker(vocabulary: TestVocabulary.extended)
    guard case .failure(let failure) = checker.check(file) else {
      Issue.record("the script should not check")
      return
    }
    #expect(failure.rendered(in: file) == """
      a.adv:3:12: error: unknown parameter 'step' for attack 'bim'
       3 | attack bim step=3 on net
         |            ^~~~ did you mean 'steps'?
      note: 'bim' takes 'eps', 'alpha', 'steps', 'early', 'keep', 'samples', 'launches' and 'batch'
      a.adv:4:10: error: unknown model 'x'
       4 | evaluate x
         |          ^
      note: the models defined so far are 'net'
      2 errors

      """)
  }

  @Test("the gutter widens with the line number and tabs are kept under the caret")
  func gutterAndTabs() {
    let text = String(repeating: "\n", count: 99) + "\tseed x"
    let m = Marked(String(repeating: "\n", count: 99) + "\tseed ‸x‸")
    let d = Diagnostic.error("unknown variable 'x'", at: m.range(0, 1))
    #expect(d.rendered(in: SourceFile(name: "f", text: text)) == """
      f:100:7: error: unknown variable 'x'
       100 | \tseed x
           | \t     ^

      """)
  }

  @Test("an error at the end of input points just past the last character")
  func endOfInput() {
    let file = SourceFile(name: "f", text: "attack bim eps=")
    var checker = Checker(vocabulary: TestVocabulary.extended)
    guard case .failure(let failure) = checker.check(file) else {
      Issue.record("'attack bim eps=' checked without an error")
      return
    }
    #expect(failure.rendered(in: file) == """
      f:1:16: error: expected a value after 'eps=', found end of input
       1 | attack bim eps=
         |                ^

      """)
  }

  @Test("suggestions ignore case, '-' and '_', and allow one typo per three characters")
  func suggestions() {
    #expect(suggestion(for: "cwl3", among: ["bim", "cwl2"]) == "cwl2")
    #expect(suggestion(for: "BSN_L", among: ["bsn-2", "bsn-l"]) == "bsn-l")
    #expect(suggestion(for: "bmi", among: ["bim"]) == "bim")
    #expect(suggestion(for: "fgsm", among: ["bim", "cwl2"]) == nil)
    #expect(suggestion(for: "resnet", among: ["resnet18"]) == "resnet18")
    #expect(suggestion(for: "lenet", among: ["resnet18"]) == nil)
  }

  @Test("edit distance counts a swap of neighbours as one edit")
  func distance() {
    #expect(editDistance("kitten", "sitting") == 3)
    #expect(editDistance("bim", "bmi") == 1)
    #expect(editDistance("", "abc") == 3)
    #expect(editDistance("same", "same") == 0)
  }

  @Test("at most 50 diagnostics are printed, then how many more there are and the count")
  func cap() {
    let text = (1...120).map { "evaluate x\($0)" }.joined(separator: "\n")
    let file = SourceFile(name: "many.adv", text: text)
    let failure = CheckFailure(diagnostics: diagnosticsOf(text))
    #expect(failure.diagnostics.count == 120)
    let out = failure.rendered(in: file)
    #expect(out.components(separatedBy: ": error: ").count - 1 == CheckFailure.maximumShown)
    #expect(out.contains("many.adv:50:10: error: unknown model 'x50'\n"))
    #expect(!out.contains("x51"))
    #expect(out.hasSuffix("note: 70 more errors not shown\n120 errors\n"))
  }

  @Test("a very long source line is shown as an excerpt around the error, the caret under it")
  func longLine() {
    let text = "seed 1\nload mnist\nevaluate " + String(repeating: "a", count: 30_000) + " zz " + String(repeating: "b", count: 30_000)
    let d = diagnosticsOf(text)
    let out = CheckFailure(diagnostics: d).rendered(in: SourceFile(name: "long.adv", text: text))
    let lines = out.split(separator: "\n").map(String.init)
    #expect(lines.allSatisfy { $0.count < 300 }, "\(lines.map(\.count))")
    #expect(out.contains("error: unknown model '" + String(repeating: "a", count: 60) + "…' (30000 characters)"), "\(out.prefix(300))")
    let source = try? #require(lines.first { $0.hasPrefix(" 3 | ") })
    #expect(source?.hasSuffix("…") == true)
    // A short line is printed whole, and the caret of a long one still points into the excerpt.
    let d2 = Diagnostic.error("here", at: SourceRange(start: SourceLocation(line: 1, column: 1000, offset: 999), end: SourceLocation(line: 1, column: 1002, offset: 1001)))
    let long = String(repeating: "x", count: 999) + "YZW" + String(repeating: "x", count: 2000)
    let shown = d2.rendered(in: SourceFile(name: "f", text: long)).split(separator: "\n").map(String.init)
    let excerpt = shown[1].dropFirst(" 1 | ".count), carets = shown[2].dropFirst(" 1 | ".count)
    let caret = carets.firstIndex(of: "^").map { carets.distance(from: carets.startIndex, to: $0) } ?? -1
    #expect(Array(excerpt)[caret] == "Y" && excerpt.hasPrefix("…") && excerpt.hasSuffix("…"))
    #expect(carets.hasSuffix("^~"))
  }

  @Test("hidden warnings and errors are counted apart")
  func capCounts() {
    let range = SourceRange(at: .start)
    let d = Array(repeating: Diagnostic.error("e", at: range), count: 51)
      + Array(repeating: Diagnostic(severity: .warning, message: "w", range: range), count: 2)
    let out = CheckFailure(diagnostics: d).rendered(in: SourceFile(name: "f", text: ""))
    #expect(out.hasSuffix("note: 1 more error and 2 more warnings not shown\n51 errors\n"))
  }

  @Test("a random 600 KB file gives a capped list, quickly")
  func randomText() {
    // The characters of the trial's `tr -dc 'a-z0-9 =;{}()[]"#\n/+*-.'`, drawn by a fixed LCG.
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 =;{}()[]\"#\n/+*-.")
    var state: UInt64 = 15
    let text = String((0..<600_000).map { _ in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return alphabet[Int((state >> 33) % UInt64(alphabet.count))]
    })
    let file = SourceFile(name: "random.adv", text: text)
    let failure = CheckFailure(diagnostics: diagnosticsOf(text))
    #expect(failure.diagnostics.count > 1000)
    let out = failure.rendered(in: file)
    #expect(out.components(separatedBy: "\n").count < 400)
    #expect(out.contains(" not shown\n"))
  }
}
