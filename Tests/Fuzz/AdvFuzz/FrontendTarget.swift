import AdvLang

/// Something a fuzzer input showed that must not happen. A crash or a hang is found by the
/// driver; these are the properties each target checks itself.
public struct Finding: Error, CustomStringConvertible {
  public let target: String
  public let message: String
  public let input: [UInt8]

  public init(target: String, message: String, input: [UInt8]) {
    self.target = target
    self.message = message
    self.input = input
  }

  public var description: String { "\(target): \(message)" }
}

/// The front end on one input, as `adv check` runs it: lexer → parser → checker with the
/// standard vocabulary, then the diagnostics rendered (capped). Besides not crashing or
/// hanging, an input must satisfy:
/// - a failed check has at least one error, each inside the file, and renders with at most
///   `CheckFailure.maximumShown` diagnostics;
/// - every statement that parsed prints (`ScriptPrinter`) to text that parses back to the same
///   tree, and printing that again gives the same text;
/// - a script that checks plans the same steps from its printed form.
///
/// The checker runs with a step limit of `stepLimit`, a tenth of `adv`'s: planning the full
/// 100,000 steps takes about a second in a release build, the fuzzers' limit for one input, so
/// with the full budget a time limit would measure the budget rather than find a hang. Under
/// libFuzzer, whose AddressSanitizer and coverage counters make planning 5 to 10 times slower,
/// a hundredth: there an input near a tenth's limit took 1.1 to 1.7 s (0.18 s without them).
public enum FrontendTarget {
  public static let name = "frontend"
  #if LIBFUZZER
  public static let stepLimit = Checker.maximumSteps / 100
  #else
  public static let stepLimit = Checker.maximumSteps / 10
  #endif

  /// A checker of the standard vocabulary with the fuzzers' step limit.
  public static func checker(_ vocabulary: Vocabulary = .standard) -> Checker {
    var checker = Checker(vocabulary: vocabulary)
    checker.stepLimit = stepLimit
    return checker
  }

  /// Checks one input; returns what it broke, if anything. Bytes that are not UTF-8 are read
  /// with replacement characters (`adv` itself refuses them before the lexer).
  public static func run(_ bytes: [UInt8], vocabulary: Vocabulary = .standard) -> Finding? {
    let text = String(decoding: bytes, as: UTF8.self)
    func finding(_ message: String) -> Finding { Finding(target: name, message: message, input: bytes) }
    let file = SourceFile(name: "fuzz.adv", text: text)
    var checker = checker(vocabulary)
    let result = checker.check(file)
    let length = text.count
    switch result {
    case .failure(let failure):
      guard failure.diagnostics.contains(where: { $0.severity == .error }) else { return finding("a failed check without an error") }
      for d in failure.diagnostics {
        guard d.range.start.offset >= 0, d.range.start.offset <= d.range.end.offset, d.range.end.offset <= length,
              d.range.start.line >= 1, d.range.start.column >= 1 else {
          return finding("diagnostic '\(d.message)' has range \(d.range) outside the \(length) characters of the file")
        }
      }
      let rendered = failure.rendered(in: file)
      let shown = rendered.components(separatedBy: "fuzz.adv:").count - 1
      guard shown <= CheckFailure.maximumShown else { return finding("\(shown) diagnostics rendered") }
    case .success:
      break
    }
    if let problem = roundTrip(text, planned: try? result.get(), vocabulary: vocabulary) { return finding(problem) }
    return nil
  }

  /// Print → re-parse of the statements of `text` that parsed; with `planned`, also the plan of
  /// the printed script. Returns what differs.
  public static func roundTrip(_ text: String, planned: [PlannedStep]?, vocabulary: Vocabulary) -> String? {
    let parsed = ScriptPrinter.valid(Parser.parse(SourceFile(name: "fuzz.adv", text: text)).statements)
    let printed = ScriptPrinter.script(parsed)
    let again = Parser.parse(SourceFile(name: "printed.adv", text: printed))
    guard again.diagnostics.isEmpty else {
      return "the printed statements do not parse: \(again.diagnostics.first.map(String.init(describing:)) ?? "")\n--- printed:\n\(printed)"
    }
    let before = ScriptPrinter.structure(parsed), after = ScriptPrinter.structure(again.statements)
    guard before == after else { return "print → parse changes the tree:\n\(before)\n--- became:\n\(after)" }
    let reprinted = ScriptPrinter.script(again.statements)
    guard reprinted == printed else { return "printing is not stable:\n\(printed)\n--- became:\n\(reprinted)" }
    if let planned {
      var checker = checker(vocabulary)
      switch checker.check(SourceFile(name: "printed.adv", text: printed)) {
      case .failure(let failure):
        return "the script checks, its printed form does not: \(failure)\n--- printed:\n\(printed)"
      case .success(let steps):
        guard steps.count == planned.count, zip(steps, planned).allSatisfy({ $0.step.isEqual(to: $1.step) }) else {
          return "the printed script plans other steps:\n\(planned.map(\.text))\n--- became:\n\(steps.map(\.text))"
        }
      }
    }
    return nil
  }
}
