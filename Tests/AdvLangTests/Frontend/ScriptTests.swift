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
/// set: nothing missing, nothing extra. A script without `error` expectations must check (its
/// warnings, if any, are expected too).
///
/// Scripts are checked with the paths they read and write, against a file system in memory
/// (`FakeFileSystem`): the working directory `/project`, empty, and the output directory
/// `adv-out/<script name>`, unless comments give more:
///
/// ```
/// # given dir data/mnist a.gz b.gz   (a directory, with empty files in it)
/// # given file bad.safetensors: hi\x00 (a file with these bytes; \xNN escapes)
/// # given checkpoint net.safetensors (a file that starts as safetensors files do)
/// # given readonly /srv              (a directory nothing can be created in)
/// # given link adv-out/x/up -> /srv  (a symbolic link)
/// # given out adv-out/other          (another output directory, as '--out' gives)
/// # given allow-write /srv           (as '--allow-write /srv' gives)
/// ```
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
    var fileSystem = FakeFileSystem()
    var outputDirectory: String
    var allowedWrites: [String] = []

    init(_ text: String, name: String) {
      outputDirectory = "adv-out/" + name.replacingOccurrences(of: ".adv", with: "")
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let marker = line.range(of: "# given ") {
          given(String(line[marker.upperBound...]))
          continue
        }
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

    /// Reads one `# given` comment into the file system or the file rules.
    mutating func given(_ text: String) {
      let words = text.split(separator: " ").map(String.init)
      guard let what = words.first, words.count >= 2 else { preconditionFailure("malformed '# given \(text)'") }
      switch what {
      case "dir":
        fileSystem.addDirectory(words[1])
        for name in words.dropFirst(2) { fileSystem.addFile(words[1] + "/" + name, []) }
      case "readonly":
        fileSystem.addDirectory(words[1], writable: false)
      case "checkpoint":
        fileSystem.addFile(words[1], FakeFileSystem.checkpoint)
      case "file":
        let parts = text.dropFirst("file ".count).split(separator: ":", maxSplits: 1)
        fileSystem.addFile(String(parts[0]), parts.count > 1 ? Expectations.bytes(String(parts[1].dropFirst())) : [])
      case "link":
        guard words.count == 4, words[2] == "->" else { preconditionFailure("write '# given link PATH -> TARGET'") }
        fileSystem.addLink(words[1], to: words[3])
      case "out":
        outputDirectory = words[1]
      case "allow-write":
        allowedWrites.append(words[1])
      default:
        preconditionFailure("unknown '# given \(what)'")
      }
    }

    /// UTF-8 bytes of `text`, with `\xNN` written as the byte NN.
    static func bytes(_ text: String) -> [UInt8] {
      var out: [UInt8] = []
      var rest = Substring(text)
      while let first = rest.first {
        if rest.hasPrefix("\\x"), let byte = UInt8(rest.dropFirst(2).prefix(2), radix: 16) {
          out.append(byte)
          rest = rest.dropFirst(4)
        } else {
          out += Array(String(first).utf8)
          rest = rest.dropFirst()
        }
      }
      return out
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
    let expected = Expectations(text, name: name)
    let rules = FileRules(outputDirectory: expected.outputDirectory, allowedWrites: expected.allowedWrites,
                          fileSystem: expected.fileSystem)
    var checker = Checker(vocabulary: TestVocabulary.extended, files: rules)
    let source = SourceFile(name: name, text: text)
    switch checker.check(source) {
    case .failure(let failure):
      #expect(ScriptTests.lines(failure.diagnostics).sorted() == expected.diagnostics.sorted(),
              "\(name):\n\(failure.rendered(in: source))")
    case .success(let steps):
      #expect(ScriptTests.lines(checker.warnings).sorted() == expected.diagnostics.sorted(),
              "\(name) checked\(checker.warnings.isEmpty ? ", but errors were expected" : ":\n" + CheckFailure(diagnostics: checker.warnings).rendered(in: source))")
      if let n = expected.steps { #expect(steps.count == n, "\(name)") }
      if let n = expected.attacks {
        let attacks = steps.filter { $0.step is AttackStep }
        #expect(attacks.count == n, "\(name)")
      }
    }
  }
}
