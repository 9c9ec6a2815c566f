import AdvTestSupport
import Foundation
import Testing

/// The built `adv repl` in a real terminal: tmux runs it in a detached 160x50 window, the test
/// types keys (`send-keys`) and reads the screen (`capture-pane -p`), polling with a timeout.
/// `HOME` and `ADV_CACHE` point into a temporary directory, so history and cache are the
/// test's own.
@Suite("REPL in a terminal", .serialized)
final class REPLTerminalTests {
  let work: String
  /// The socket of a tmux server of this test only, inside its temporary directory, so no
  /// user session is touched and nothing is left behind.
  var socket: String { work + "/tmux.sock" }
  let target = "repl"

  init() throws {
    work = FileManager.default.temporaryDirectory
      .appendingPathComponent("adv-repl-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: work + "/home", withIntermediateDirectories: true)
  }

  deinit {
    // A REPL left behind by a failed test: the signal mask it inherited from the test's thread
    // may block SIGHUP, so 'kill-server' alone would leave it running.
    if let pid = (try? tmux(["display-message", "-p", "-t", target, "#{pane_pid}"]))
      .flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
      kill(pid, SIGKILL)
    }
    _ = try? tmux(["kill-server"])
    try? FileManager.default.removeItem(atPath: work)
  }

  /// `.build/<triple>/debug/adv`, beside the test bundle's resources; `swift build
  /// --build-tests` builds it with the tests.
  static func executable() throws -> String {
    let path = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("adv").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
      throw TerminalTestError("no 'adv' executable at \(path); build it with 'swift build --build-tests'")
    }
    return path
  }

  struct TerminalTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  /// Runs tmux on this test's server; returns its output, throws on a non-zero exit.
  @discardableResult
  func tmux(_ arguments: [String]) throws -> String {
    // The server that 'new-session' starts keeps the client's output open, so its output is
    // not captured.
    let result = try spawn(["tmux", "-S", socket] + arguments, capture: arguments.first != "new-session")
    guard result.status == 0 else {
      throw TerminalTestError("tmux \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)")
    }
    return result.output
  }

  /// Runs a program (found on PATH) and waits for it (`ChildProcess`: no signal blocked in
  /// the child, so the REPL sees Ctrl-C).
  func spawn(_ argv: [String], capture: Bool = true) throws -> (status: Int32, output: String) {
    let outputPath = work + "/.spawn-\(UInt32.random(in: 0...UInt32.max))"
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    do {
      return try ChildProcess.run(argv, outputPath: capture ? outputPath : nil)
    } catch let failure as ChildProcess.Failure {
      throw TerminalTestError(failure.description)
    }
  }

  func type(_ text: String) throws { try tmux(["send-keys", "-t", target, "-l", text]) }
  func press(_ keys: String...) throws { try tmux(["send-keys", "-t", target] + keys) }

  /// The whole screen and its scroll-back, wrapped lines joined.
  func screen() throws -> String { try tmux(["capture-pane", "-p", "-J", "-S", "-500", "-t", target]) }

  /// The line the cursor is on (the prompt and what is typed after it).
  func promptLine() throws -> String {
    // Without -J: the cursor's row counts screen rows, wrapped or not.
    let lines = try tmux(["capture-pane", "-p", "-t", target]).split(separator: "\n", omittingEmptySubsequences: false)
    let y = Int(try tmux(["display-message", "-p", "-t", target, "#{cursor_y}"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    return y < lines.count ? String(lines[y]) : ""
  }

  /// Polls until `condition` holds for the screen (or the prompt line); throws with the
  /// screen after `timeout` seconds.
  func waitFor(_ what: String, timeout: Double = 60, prompt: Bool = false,
               _ condition: (String) -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    var last = ""
    while Date() < deadline {
      last = prompt ? try promptLine() : try screen()
      if condition(last) { return }
      Thread.sleep(forTimeInterval: 0.1)
    }
    throw TerminalTestError("timed out waiting for \(what); the screen shows:\n\(try screen())")
  }

  /// Waits for an empty prompt: keys typed while a statement still runs are echoed by the
  /// terminal before readline redraws them after its prompt, so a check of the prompt line
  /// must not start earlier.
  func waitForPrompt() throws {
    try waitFor("an empty prompt", prompt: true) { $0.trimmingCharacters(in: .whitespaces) == "adv>" }
  }

  /// Waits until `text` appears `count` times on the screen.
  func waitFor(_ text: String, count: Int = 1, timeout: Double = 60) throws {
    try waitFor("'\(text)' (\(count)x)", timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
  }

  func occurrences(_ text: String) throws -> Int { try screen().components(separatedBy: text).count - 1 }

  /// Starts `adv repl` in the temporary directory and waits for its first prompt.
  func start() throws {
    let adv = try Self.executable()
    let command = "cd '\(work)' && env HOME='\(work)/home' ADV_CACHE='\(work)/cache' INPUTRC=/dev/null '\(adv)' repl"
    try tmux(["new-session", "-d", "-x", "160", "-y", "50", "-s", target, command])
    try waitFor("adv>")
  }

  @Test("Tab completes keywords, attack names, parameters, models and commands")
  func completion() throws {
    try start()
    try type("att")
    try press("Tab")
    try waitFor("'attack ' on the prompt line", prompt: true) { $0 == "adv> attack" }
    try press("C-u")

    try type("attack b")
    try press("Tab", "Tab")
    try waitFor("the attacks starting with 'b'") { $0.contains("bim") && $0.contains("boundary") }
    try press("C-u")

    try type("attack bim e")
    try press("Tab", "Tab")
    try waitFor("the parameters of 'bim' starting with 'e'") { $0.contains("early=") && $0.contains("eps=") }
    try press("C-u")

    try type(":he")
    try press("Tab")
    try waitFor("':help' on the prompt line", prompt: true) { $0 == "adv> :help" }
    try press("C-u")

    try type("seed 1; load mnist train=300 test=100")
    try press("Enter")
    try waitFor("loaded mnist")
    try type("model m = train mlp epochs=1 hidden=16")
    try press("Enter")
    try waitFor("trained m (mlp")
    try waitForPrompt()
    try type("attack bim samples=5 on ")
    try press("Tab")
    try waitFor("the model name completed", prompt: true) { $0 == "adv> attack bim samples=5 on m" }
    try press("Enter")
    try waitFor(": ASR ")
    try waitForPrompt()
    try type("load mnist from \"/us")
    try press("Tab")
    try waitFor("a path completed inside quotes", prompt: true) { $0 == "adv> load mnist from \"/usr/" }
    try press("C-u")
    try type(":quit")
    try press("Enter")
    try waitForExit()
  }

  @Test("Ctrl-C and Ctrl-D at '...>' abandon the block; a '[' continues; Ctrl-D at 'adv>' leaves")
  func blocks() throws {
    try start()
    try type("for e in [1, 2] { attack bim eps=e/255 on net")
    try press("Enter")
    try waitFor("the continuation prompt", prompt: true) { $0.hasPrefix("...>") }
    try type("  evaluate net")
    try press("C-c")
    try waitFor("abandoned the unfinished block")
    try waitFor("the prompt after Ctrl-C", prompt: true) { $0 == "adv>" }
    try type(":models")
    try press("Enter")
    try waitFor("no models yet")

    try type("for e in [8/255,")
    try press("Enter")
    try waitFor("'[' continuing", prompt: true) { $0.hasPrefix("...>") }
    try press("C-d")
    try waitFor("abandoned the unfinished block; Ctrl-D at 'adv>' leaves")
    try waitFor("the prompt after Ctrl-D", prompt: true) { $0 == "adv>" }

    try type("quit")
    try press("Enter")
    try waitFor("to leave, type ':quit'")
    try press("C-d")
    try waitForExit()
  }

  @Test("Ctrl-C stops the running statement; what the input defined before it stays defined, everywhere")
  func interruptRunning() throws {
    try start()
    try type("seed 1; load mnist train=300 test=100")
    try press("Enter")
    try waitFor("loaded mnist")
    try type("model c = train mlp epochs=1 hidden=8; model big = train lenet epochs=500")
    try press("Enter")
    try waitFor("trained c (mlp")
    // The progress bar shows training has started.
    try waitFor("train big")
    try press("C-c")
    try waitFor("interrupted; the session keeps what was computed before")
    try waitFor("the prompt after the interruption", prompt: true) { $0 == "adv>" }
    try type("evaluate c")
    try press("Enter")
    try waitFor("c: clean accuracy")
    try type("evaluate big")
    try press("Enter")
    try waitFor("unknown model 'big'")
    try type(":models")
    try press("Enter")
    try waitFor("c: mlp on mnist")
    #expect(try !screen().contains("big: lenet"))
    try type(":quit")
    try press("Enter")
    try waitForExit()
  }

  @Test("a session: multi-line loop, ':results', ':save' that 'adv check' accepts, history of whole statements")
  func session() throws {
    try start()
    try waitFor("results go to adv-out/repl-")
    try type("seed 2; load mnist train=300 test=100")
    try press("Enter")
    try waitFor("loaded mnist")
    try type("model m = train mlp epochs=1 hidden=16")
    try press("Enter")
    try waitFor("trained m (mlp")
    try type("for e in [0,")
    try press("Enter")
    try type("  16/255] {   # two budgets")
    try press("Enter")
    try type("  attack bim eps=e on m samples=5")
    try press("Enter")
    try type("}")
    try press("Enter")
    try waitFor(": ASR ", count: 2)
    try type("model b = train mlp epochs=1 hidden=8; load mnist train=5000")
    try press("Enter")
    try waitFor("asks for more images than the train split holds")
    try type("evaluate b")
    try press("Enter")
    try waitFor("b: clean accuracy")

    try type(":results")
    try press("Enter")
    try waitFor("attack bim eps=0 on m samples=5: ASR")
    try waitFor("attack bim eps=16/255 on m samples=5: ASR")
    try type(":save s.adv")
    try press("Enter")
    try waitFor("wrote 6 statements to s.adv")
    try press("C-d")
    try waitForExit()

    let saved = try String(contentsOfFile: work + "/s.adv", encoding: .utf8)
    #expect(saved.contains("seed 2; load mnist") == false, "statements are saved one by one")
    #expect(saved.contains("\nseed 2\nload mnist train=300 test=100\nmodel m = train mlp epochs=1 hidden=16\nfor e in [0,\n  16/255] {   # two budgets\n  attack bim eps=e on m samples=5\n}\nmodel b = train mlp epochs=1 hidden=8\nevaluate b\n"), "\(saved)")
    let check = try spawn([try Self.executable(), "check", work + "/s.adv"])
    #expect(check.status == 0)
    #expect(check.output.hasSuffix("s.adv: ok (7 steps)\n"), "\(check.output)")

    let history = try String(contentsOfFile: work + "/home/.adv_history", encoding: .utf8)
    #expect(history.contains("for e in [0, 16/255] { attack bim eps=e on m samples=5 }\n"), "\(history)")
    #expect(history.contains("seed 2; load mnist train=300 test=100\n"))
    #expect(!history.contains(":results") && !history.contains(":save"), "commands are not history")
    let results = try FileManager.default.subpathsOfDirectory(atPath: work + "/adv-out").filter { $0.hasSuffix("results.json") }
    #expect(results.count == 1 && results[0].hasPrefix("repl-"), "\(results)")
  }

  /// Polls until the REPL has left (its tmux session ends with it).
  func waitForExit(timeout: Double = 20) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if (try? tmux(["has-session", "-t", target])) == nil { return }
      Thread.sleep(forTimeInterval: 0.1)
    }
    throw TerminalTestError("the REPL did not exit; the screen shows:\n\(try screen())")
  }
}
