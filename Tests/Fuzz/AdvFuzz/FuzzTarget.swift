import AdvLang
import Foundation

/// One thing the fuzzers exercise: it makes inputs and runs them. `run` must be deterministic
/// for a given input, so a saved input replays what was found.
public protocol FuzzTarget: AnyObject {
  var name: String { get }
  /// The next input (a mutation of a seed, or a generated one).
  func makeInput(_ rng: inout FuzzRandom) -> [UInt8]
  /// Runs one input; returns what it broke, if anything.
  func run(_ input: [UInt8]) -> Finding?
  /// True when inputs run in a child process: a crash in a C library we call (libhdf5) must
  /// not end the run, and is reported as that library's.
  var isolated: Bool { get }
  /// The C library (a file-name part, such as "libhdf5") whose own crashes `adv` survives, by
  /// running it in a process of its own: an isolated input that crashes inside it is counted,
  /// not a finding (`LibraryCrash`). A crash in our code stays a finding.
  var survivedLibrary: String? { get }
  /// Puts back what a run changes (a reader target's files), after a child process ran the
  /// input and may have died before doing so itself.
  func recover()
  /// Runs bytes that a coverage-guided fuzzer made (libFuzzer mutates inputs itself): the
  /// input as it is, except for targets whose inputs must be well-formed.
  func runMutated(_ bytes: [UInt8]) -> Finding?
}

extension FuzzTarget {
  public var isolated: Bool { false }
  public var survivedLibrary: String? { nil }
  public func recover() {}
  public func runMutated(_ bytes: [UInt8]) -> Finding? { run(bytes) }
}

/// The repository root, from this file's place in it (`Tests/Fuzz/AdvFuzz/`).
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every `.adv` file the repository ships: examples, script tests, run tests. (Not the fuzz
/// regressions: built to be slow to check, their mutations would take most of a run.)
public func repositoryScripts() -> [(name: String, bytes: [UInt8])] {
  var out: [(String, [UInt8])] = []
  for dir in ["examples", "Tests/AdvLangTests/Scripts", "Tests/AdvLangTests/Runs"] {
    let url = repositoryRoot.appendingPathComponent(dir)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
    for name in names.sorted() where name.hasSuffix(".adv") {
      if let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path) {
        out.append((dir + "/" + name, [UInt8](data)))
      }
    }
  }
  return out
}

/// Mutated repository scripts through the front end (`FrontendTarget`).
public final class FrontendFuzzer: FuzzTarget {
  public let name = FrontendTarget.name
  let corpus: [[UInt8]]
  let dictionary: [String]

  public init() {
    let scripts = repositoryScripts().map(\.bytes)
    corpus = scripts.isEmpty ? [Array("seed 1\nload mnist\n".utf8)] : scripts
    // Every distinct token of the corpus, for splicing.
    var tokens = Set<String>()
    for script in corpus {
      for t in Lexer.tokenize(SourceFile(name: "", text: String(decoding: script, as: UTF8.self))).tokens where t.kind != .end {
        tokens.insert(t.text)
      }
    }
    dictionary = tokens.sorted()
  }

  public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    let seed = rng.pick(corpus)
    // Now and then a seed as it is, or cut to a few lines, so small inputs are common too.
    if rng.chance(0.02) { return seed }
    var input = seed
    if rng.chance(0.3) {
      let lines = seed.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      let start = rng.int(0..<lines.count)
      input = Array(lines[start..<min(lines.count, start + rng.size(upTo: 12))].joined(separator: [10]))
    }
    return Mutator.mutateText(input, dictionary: dictionary, corpus: corpus, rng: &rng)
  }

  public func run(_ input: [UInt8]) -> Finding? { FrontendTarget.run(input) }
}

/// Generated well-formed scripts: each must check, and survive print → re-parse with the same
/// tree and plan. The input is the generated text; `run` takes any text.
public final class GeneratorFuzzer: FuzzTarget {
  public let name = "generator"

  public init() {}

  public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    var generator = ScriptGenerator(seed: rng.next())
    return Array(generator.script(statements: rng.int(1...20)).utf8)
  }

  /// The bytes seed the generator (a hash of them), so libFuzzer's mutations give other
  /// well-formed scripts rather than broken ones.
  public func runMutated(_ bytes: [UInt8]) -> Finding? {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
    var rng = FuzzRandom(seed: hash)
    return run(makeInput(&rng))
  }

  public func run(_ input: [UInt8]) -> Finding? {
    let text = String(decoding: input, as: UTF8.self)
    var checker = FrontendTarget.checker()
    switch checker.check(SourceFile(name: "generated.adv", text: text)) {
    case .failure(let failure):
      return Finding(target: name, message: "a generated script does not check:\n\(failure.rendered(in: SourceFile(name: "generated.adv", text: text)))", input: input)
    case .success(let steps):
      if let problem = FrontendTarget.roundTrip(text, planned: steps, vocabulary: .standard) {
        return Finding(target: name, message: problem, input: input)
      }
      return nil
    }
  }
}

/// Runs a reader on a file and judges how it ended: success, or one error of a reader's type
/// whose message names `path`.
func judge(_ target: String, _ input: [UInt8], path: String, _ read: () throws -> Void) -> Finding? {
  do {
    try read()
    ReaderOutcomes.note(target, "read")
    return nil
  } catch {
    let message = "\(error)"
    ReaderOutcomes.note(target, message.replacingOccurrences(of: path, with: "FILE"))
    guard error is ReaderError else {
      return Finding(target: target, message: "an error of type \(type(of: error)): \(message)", input: input)
    }
    guard message.contains(path) else {
      return Finding(target: target, message: "the error does not name '\(path)': \(message)", input: input)
    }
    return nil
  }
}

/// The error types the readers throw.
protocol ReaderError: Error {}

/// How the readers' inputs ended, by kind of error (numbers and the file's path left out):
/// `adv-fuzz --outcomes` prints them, to show which checks the mutations reach.
/// Test cases fuzz several targets at once in one process, so the counts are kept under a lock.
public enum ReaderOutcomes {
  nonisolated(unsafe) private static var _counts: [String: [String: Int]] = [:]
  private static let lock = NSLock()

  public static var counts: [String: [String: Int]] {
    lock.lock()
    defer { lock.unlock() }
    return _counts
  }

  static func note(_ target: String, _ message: String) {
    let kind = String(message.map { $0.isNumber ? "#" : $0 }).replacingOccurrences(of: "##", with: "#")
      .split(separator: "#", omittingEmptySubsequences: false).joined(separator: "N")
    lock.lock()
    defer { lock.unlock() }
    _counts[target, default: [:]][String(kind.prefix(110)), default: 0] += 1
  }
}
