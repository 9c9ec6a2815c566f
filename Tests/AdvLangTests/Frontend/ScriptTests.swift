import AdvLang
import Foundation
import Testing

/// Script tests: each `.adv` file in `Tests/AdvLangTests/Scripts/` shows one behaviour and
/// states what checking it must produce in comments (Crafting Interpreters' `test/` style):
///
/// ```
/// attack cwl3 on net  # expect error 4:8: unknown attack 'cwl3'
/// # expect hint 4:8: did you mean 'cwl2'?
/// # expect note 4:8: …
/// # expect steps 19        (the script checks and plans 19 steps)
/// # expect attacks 12      (… of which 12 are attacks)
/// ```
/// The diagnostics must match the `error`/`warning`/`hint`/`note` expectations exactly, as a
/// set: nothing missing, nothing extra. A script without `error` expectations must check.
@Suite("Scripts")
struct ScriptTests {
  /// The script folder copied into the test bundle.
  static var folder: URL? { Bundle.module.url(forResource: "Scripts", withExtension: nil) }

  static let scripts: [String] = {
    guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
    return names.filter { $0.hasSuffix(".adv") }.sorted()
  }()

  /// What the comments of a script expect.
  struct Expectations {
    var diagnostics: [String] = []
    var steps: Int? = nil
    var attacks: Int? = nil

    init(_ text: String) {
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        guard let marker = line.range(of: "# expect ") else { continue }
        let rest = line[marker.upperBound...].trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("steps ") {
          steps = Int(rest.dropFirst("steps ".count))
        } else if rest.hasPrefix("attacks ") {
          attacks = Int(rest.dropFirst("attacks ".count))
        } else {
          diagnostics.append(rest)
        }
      }
    }
  }

  /// Diagnostics in the expectation syntax: `error 4:8: message`, `hint 4:8: …`, `note 4:8: …`.
  static func lines(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.flatMap { d -> [String] in
      let at = "\(d.range.start.line):\(d.range.start.column)"
      return ["\(d.severity.rawValue) \(at): \(d.message)"] + (d.hint.map { ["hint \(at): \($0)"] } ?? [])
        + d.notes.map { "note \(at): \($0)" }
    }
  }

  @Test("the script folder is bundled and holds scripts")
  func folderIsBundled() {
    #expect(ScriptTests.scripts.count >= 10)
  }

  @Test("each script produces exactly the diagnostics and steps its comments expect", arguments: ScriptTests.scripts)
  func script(_ name: String) throws {
    let url = try #require(ScriptTests.folder).appendingPathComponent(name)
    let text = try String(contentsOf: url, encoding: .utf8)
    let expected = Expectations(text)
    var checker = Checker(vocabulary: TestVocabulary.extended)
    switch checker.check(SourceFile(name: name, text: text)) {
    case .failure(let failure):
      #expect(ScriptTests.lines(failure.diagnostics).sorted() == expected.diagnostics.sorted(),
              "\(name):\n\(failure.rendered(in: SourceFile(name: name, text: text)))")
    case .success(let steps):
      #expect(expected.diagnostics.isEmpty, "\(name) checked, but errors were expected")
      if let n = expected.steps { #expect(steps.count == n, "\(name)") }
      if let n = expected.attacks {
        let attacks = steps.filter { if case .attack = $0.step { return true } else { return false } }
        #expect(attacks.count == n, "\(name)")
      }
    }
  }
}
