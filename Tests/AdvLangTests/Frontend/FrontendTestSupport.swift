import AdvLang
import AdvTensor
import Testing

/// Helpers shared by the front-end tests.

/// Source text with `‸` markers, so tests name positions instead of counting columns
/// (swift-syntax's marker style): `Marked("attack ‸cwl3 on net")[0]` is line 1, column 8.
struct Marked {
  static let marker: Character = "‸"
  let text: String
  let locations: [AdvLang.SourceLocation]

  init(_ marked: String) {
    var text = "", locations: [AdvLang.SourceLocation] = []
    var line = 1, column = 1, offset = 0
    for c in marked {
      if c == Marked.marker {
        locations.append(AdvLang.SourceLocation(line: line, column: column, offset: offset))
        continue
      }
      text.append(c)
      offset += 1
      if c.isNewline { line += 1; column = 1 } else { column += 1 }
    }
    self.text = text
    self.locations = locations
  }

  subscript(_ i: Int) -> AdvLang.SourceLocation { locations[i] }

  /// The range from marker `i` to marker `j`.
  func range(_ i: Int, _ j: Int) -> SourceRange { SourceRange(start: locations[i], end: locations[j]) }

  var file: SourceFile { SourceFile(name: "test.adv", text: text) }
}

/// The diagnostics of checking `text` with a fresh checker (empty when it checks).
func diagnosticsOf(_ text: String, vocabulary: Vocabulary = TestVocabulary.extended) -> [Diagnostic] {
  var checker = Checker(vocabulary: vocabulary)
  switch checker.check(SourceFile(name: "test.adv", text: text)) {
  case .success: return []
  case .failure(let failure): return failure.diagnostics
  }
}

/// The only diagnostic of checking `text`; records an issue unless there is exactly one.
func onlyDiagnostic(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
  let found = diagnosticsOf(text)
  #expect(found.count == 1, "expected one diagnostic, got \(found)", sourceLocation: sourceLocation)
  return found.first
}

/// The plan of `text`; records an issue (and returns []) when it does not check.
func planOf(_ text: String, vocabulary: Vocabulary = TestVocabulary.extended,
          sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [PlannedStep] {
  var checker = Checker(vocabulary: vocabulary)
  switch checker.check(SourceFile(name: "test.adv", text: text)) {
  case .success(let steps): return steps
  case .failure(let failure):
    Issue.record("expected the script to check, got:\n\(failure)", sourceLocation: sourceLocation)
    return []
  }
}

/// A script prefix that loads data and defines model `net`.
let netPrelude = "load mnist\nmodel net = train lenet\n"
