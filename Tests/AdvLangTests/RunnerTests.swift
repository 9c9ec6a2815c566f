@testable import AdvLang
import AdvReport
import AdvTensor
import Foundation
import Testing

/// The shared check-and-run path: after a run-time error or Ctrl-C, the checker knows exactly
/// what the session holds, and the transcript (what `:save` writes) reproduces it.
@Suite("runner")
final class RunnerTests {
  let work = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-runner-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  var printed: [String] = []
  var errors: [String] = []
  /// Called with each printed line; a test presses "Ctrl-C" from here.
  var onPrint: (String) -> Void = { _ in }
  /// "Ctrl-C" for this test's runner only (the process-wide flag would stop other tests).
  var stop = false

  deinit { try? FileManager.default.removeItem(atPath: work) }

  func runner() -> Runner {
    let session = Session(scriptName: "repl", scriptText: nil, outputDirectory: work + "/out", cache: nil,
                          output: SessionOutput(print: { [unowned self] in self.printed.append($0); self.onPrint($0) },
                                                warn: { [unowned self] in self.printed.append("warning: " + $0) }))
    return Runner(session: session, errors: { [unowned self] in self.errors.append($0) },
                  interruptRequested: { [unowned self] in self.stop })
  }

  static let prelude = "seed 3\nload mnist train=300 test=100\n"

  @Test("a run-time error keeps what the input defined before it, in the checker and the session alike")
  func failureKeepsPrefix() throws {
    let r = runner()
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:1>", text: Self.prelude)) == .completed)
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:2>", text: "model b = train mlp epochs=1 hidden=16; load mnist train=5000\n")) == .failed)
    #expect(errors.last?.hasPrefix("<repl:2>:1:41: error: ") == true, "\(errors)")
    #expect(r.session.models.keys.sorted() == ["b"])
    #expect(r.session.checker.environment.modelNames == ["b"])
    #expect(r.session.checker.environment.dataset?.name == "mnist", "the failed load defines nothing")
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:3>", text: "evaluate b\n")) == .completed)
    #expect(r.transcript.statements == ["seed 3", "load mnist train=300 test=100", "model b = train mlp epochs=1 hidden=16", "evaluate b"])
  }

  @Test("Ctrl-C between statements keeps the finished ones; the interrupted one defines nothing")
  func interruptKeepsPrefix() throws {
    let r = runner()
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:1>", text: Self.prelude)) == .completed)
    onPrint = { [unowned self] in if $0.hasPrefix("trained c ") { self.stop = true } }
    let outcome = r.checkAndRun(AdvLang.SourceFile(name: "<repl:2>", text: "model c = train mlp epochs=1 hidden=16\nmodel d = train mlp epochs=1\n"))
    (onPrint, stop) = ({ _ in }, false)
    #expect(outcome == .interrupted)
    #expect(r.session.models.keys.sorted() == ["c"])
    #expect(r.session.checker.environment.modelNames == ["c"])
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:3>", text: "evaluate d\n")) == .rejected, "'d' was never trained")
    #expect(errors.last?.contains("unknown model 'd'") == true)
  }

  @Test("a loop stopped part way is saved as the steps that ran, and the saved script checks to the same plan")
  func partialLoop() throws {
    let r = runner()
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:1>", text: Self.prelude + "model m = train mlp epochs=2 hidden=32\n")) == .completed)
    onPrint = { [unowned self] in if $0.contains(": ASR ") { self.stop = true } }
    let loop = "for e in [0, 16/255, 64/255] {\n  attack bim eps=e on m samples=5\n}\n"
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:2>", text: loop)) == .interrupted)
    (onPrint, stop) = ({ _ in }, false)
    #expect(r.session.report.results.count == 1)
    #expect(r.transcript.statements.suffix(2) == [
      "# 1 of the 3 steps of the loop at <repl:2>:1:1 ran",
      "attack bim eps=0 on m samples=5",
    ])
    var fresh = Checker(vocabulary: .standard)
    let saved = try fresh.check(AdvLang.SourceFile(name: "saved.adv", text: r.transcript.script)).get()
    var original = Checker(vocabulary: .standard)
    let ran = try original.check(AdvLang.SourceFile(name: "all.adv", text: Self.prelude + "model m = train mlp epochs=2 hidden=32\n" + loop)).get()
    #expect(saved.map(\.comparable) == Array(ran.map(\.comparable).prefix(4)))
  }

  @Test("the saved script starts with the seed in effect and runs to the same results")
  func savedScriptReproduces() throws {
    let r = runner()
    _ = r.checkAndRun(AdvLang.SourceFile(name: "<repl:1>", text: "load mnist train=300 test=100\nmodel m = train mlp epochs=1 hidden=16\n"))
    _ = r.checkAndRun(AdvLang.SourceFile(name: "<repl:2>", text: "attack bmi on m\n"))
    _ = r.checkAndRun(AdvLang.SourceFile(name: "<repl:3>", text: "attack bim eps=16/255 on m samples=5  # a comment\n"))
    #expect(r.transcript.script == """
      # an adv session: the statements that succeeded, in order; 'adv run' reproduces its models and results
      seed 0
      load mnist train=300 test=100
      model m = train mlp epochs=1 hidden=16
      attack bim eps=16/255 on m samples=5

      """)
    let again = runner()
    #expect(again.checkAndRun(AdvLang.SourceFile(name: "saved.adv", text: r.transcript.script)) == .completed)
    #expect(again.session.report.results.map(\.asr) == r.session.report.results.map(\.asr))
    #expect(again.session.report.results.map(\.perSample) == r.session.report.results.map(\.perSample))
  }

  @Test("reset forgets models, data set, results and seed, and keeps the results so far in a file")
  func reset() throws {
    let r = runner()
    _ = r.checkAndRun(AdvLang.SourceFile(name: "<repl:1>", text: "seed 9\nload mnist train=300 test=100\nmodel m = train mlp epochs=1 hidden=16\nevaluate m\n"))
    let kept = try #require(try r.reset())
    #expect(kept == work + "/out/results-1.json")
    let json = try Data(contentsOf: URL(fileURLWithPath: kept))
    #expect(try JSONDecoder().decode(Report.self, from: json).models.map(\.name) == ["m"])
    #expect(r.session.models.isEmpty && r.session.dataset == nil && r.session.report.models.isEmpty)
    #expect(r.session.seed == 0 && r.session.checker.environment.modelNames.isEmpty)
    #expect(r.transcript.statements.isEmpty)
    #expect(try r.reset() == nil, "nothing to keep")
  }
}

@Suite("plan replay and step text")
struct PlanReplayTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Every script the repository ships: the examples and the run tests.
  func scripts() throws -> [SourceFile] {
    var files: [SourceFile] = []
    for dir in ["examples", "Tests/AdvLangTests/Runs"] {
      let url = Self.root.appendingPathComponent(dir)
      for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() where name.hasSuffix(".adv") {
        files.append(AdvLang.SourceFile(name: name, text: try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)))
      }
    }
    return files
  }

  @Test("replaying a checked plan's steps gives the environment the check ended with")
  func replayMatchesCheck() throws {
    let files = try scripts()
    #expect(files.count > 5)
    for file in files {
      var checker = Checker(vocabulary: .standard)
      let steps = try checker.check(file).get()
      #expect(Checker(vocabulary: .standard).replaying(steps).environment == checker.environment, "\(file.name)")
    }
  }

  @Test("every step written out as a statement checks back to the same step")
  func stepTextRoundTrips() throws {
    for file in try scripts() {
      var checker = Checker(vocabulary: .standard)
      let steps = try checker.check(file).get()
      var replay = Checker(vocabulary: .standard)
      for planned in steps {
        let text = planned.scriptText
        let again = replay.check(AdvLang.SourceFile(name: "step", text: text))
        #expect((try? again.get().map(\.comparable)) == [planned.comparable], "\(file.name): \(text)")
        replay = replay.replaying([planned])
      }
    }
  }

  @Test("a statement after a failed one is not recorded, nor anything after it")
  func transcriptStopsAtFailure() throws {
    let file = AdvLang.SourceFile(name: "<repl:1>", text: "seed 1; load mnist\nmodel a = train mlp\nevaluate a\n")
    var checker = Checker(vocabulary: .standard)
    let steps = try checker.check(file).get()
    var transcript = Transcript(seed: 0)
    transcript.record(file, steps: steps, completed: 2)
    #expect(transcript.statements == ["seed 1", "load mnist"])
    #expect(transcript.script.hasSuffix("\nseed 1\nload mnist\n"))
    #expect(!transcript.script.contains("seed 0"), "a leading 'seed' is the seed in effect")
  }
}
