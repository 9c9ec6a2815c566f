import AdvReport
import AdvTensor
import CReadline
import Foundation

/// The interactive front end: GNU readline with persistent history and Tab completion,
/// `:commands`, and multi-line input while a `{`, `[` or `(` is open. An input is checked and
/// run as a script is (`Runner.checkAndRun`); an error or Ctrl-C ends the input, never the
/// session.
///
/// Ctrl-C stops the running statement; at the prompt it drops the line, and at `...>` the
/// whole unfinished block. Ctrl-D at `...>` drops the block too; at `adv>` it leaves.
public final class REPL {
  let runner: Runner
  var session: Session { runner.session }
  /// The history file, or nil when input is not a terminal (piped input is not history).
  let historyPath: String?
  /// Lines of an unfinished block, typed at `...>`.
  var pending: [String] = []
  var inputNumber = 0

  /// Entries kept in memory and in the history file.
  static let historyLimit: Int32 = 1000

  public init(runner: Runner, interactive: Bool = isatty(0) == 1) {
    self.runner = runner
    historyPath = interactive ? (homeDirectory() as NSString).appendingPathComponent(".adv_history") : nil
  }

  /// Reads, checks and runs inputs until `:quit` or Ctrl-D at `adv>`.
  public func run() {
    REPL.active = self
    installInterruptHandler()
    installCompletion()
    if let historyPath {
      stifle_history(REPL.historyLimit)
      _ = read_history(historyPath)
    }
    print("adv \(advVersion) — type :help for the language and the commands, :quit to leave")
    if let dir = session.outputDirectory {
      print("results go to \((dir as NSString).appendingPathComponent("results.json")) after each result")
    }
    while true {
      REPL.inBlock = !pending.isEmpty
      let raw = readline(pending.isEmpty ? "adv> " : "...> ")
      if REPL.abandoned {
        // Ctrl-C at a prompt: whatever was typed before it is gone.
        REPL.abandoned = false
        pending = []
      }
      guard let raw else {
        if pending.isEmpty {
          print("")
          break
        }
        pending = []
        FileHandle.standardError.write(Data("\nabandoned the unfinished block; Ctrl-D at 'adv>' leaves\n".utf8))
        continue
      }
      let line = String(cString: raw)
      free(raw)
      if pending.isEmpty {
        let trimmed = line.trimmingWhitespace()
        if trimmed.isEmpty { continue }
        if trimmed.hasPrefix(":") {
          if handleCommand(trimmed) { break }
          continue
        }
        if let hint = habitHint(trimmed) {
          print(hint)
          continue
        }
      }
      pending.append(line)
      if InputScan(pending.joined(separator: "\n")).needsMoreLines { continue }
      let lines = pending
      pending = []
      inputNumber += 1
      let file = SourceFile(name: "<repl:\(inputNumber)>", text: lines.joined(separator: "\n") + "\n")
      remember(lines, parsedFrom: file)
      execute(file)
    }
    if let historyPath { _ = history_truncate_file(historyPath, REPL.historyLimit) }
  }

  /// Adds an input that parses to the history, as one entry.
  func remember(_ lines: [String], parsedFrom file: SourceFile) {
    guard let historyPath else { return }
    guard !Parser.parse(file).diagnostics.contains(where: { $0.severity == .error }) else { return }
    add_history(historyEntry(lines))
    // Appending needs an existing file; the first entry writes it.
    if append_history(1, historyPath) != 0 { _ = write_history(historyPath) }
  }

  /// Checks and runs one input; errors are printed, the session keeps what ran.
  func execute(_ file: SourceFile) {
    REPL.running = true
    defer { REPL.running = false }
    if runner.checkAndRun(file) == .interrupted {
      FileHandle.standardError.write(Data("\ninterrupted; the session keeps what was computed before\n".utf8))
    }
  }

  // MARK: Signals

  /// Set while an input runs: Ctrl-C then stops the statement.
  nonisolated(unsafe) static var running = false
  /// Set while `...>` is shown.
  nonisolated(unsafe) static var inBlock = false
  /// Set by Ctrl-C at a prompt; the loop drops the unfinished block.
  nonisolated(unsafe) static var abandoned = false

  func installInterruptHandler() {
    rl_catch_signals = 0
    Runner.deliverInterrupts()
    signal(SIGINT) { _ in
      if REPL.running {
        Interrupt.request()
        return
      }
      // At a prompt Ctrl-C drops what is being typed, as in a shell; at `...>` the whole block
      // (the loop sees `abandoned` when readline returns). Only write(2) and readline's own
      // redisplay run here; readline is waiting in read(2), which resumes after the handler.
      let message: StaticString = "\nabandoned the unfinished block\n"
      if REPL.inBlock {
        _ = write(1, message.utf8Start, message.utf8CodeUnitCount)
      } else {
        _ = write(1, "\n", 1)
      }
      REPL.abandoned = true
      REPL.inBlock = false
      _ = rl_set_prompt("adv> ")
      rl_on_new_line()
      rl_replace_line("", 0)
      rl_redisplay()
    }
  }

  // MARK: Completion

  /// The REPL whose session Tab completes from.
  nonisolated(unsafe) static weak var active: REPL?
  /// The words the current Tab offers, handed out one by one to readline.
  nonisolated(unsafe) static var offered: [String] = []

  func installCompletion() {
    rl_readline_name = UnsafePointer(strdup("adv"))
    rl_completer_word_break_characters = UnsafePointer(strdup(Completer.wordBreakCharacters))
    rl_completer_quote_characters = UnsafePointer(strdup("\""))
    rl_attempted_completion_function = { text, _, end in
      // Readline falls back to file names unless told the answer is final.
      rl_attempted_completion_over = 1
      guard let repl = REPL.active, let buffer = rl_line_buffer else { return nil }
      let before = String(decoding: UnsafeRawBufferPointer(start: buffer, count: Int(max(0, end))), as: UTF8.self)
      let context = CompletionContext(vocabulary: repl.session.checker.vocabulary,
                                      models: repl.session.checker.environment.modelNames,
                                      pending: repl.pending.joined(separator: "\n"))
      switch Completer.complete(before, in: context) {
      case .files:
        rl_attempted_completion_over = 0
        return nil
      case .words(let words):
        guard !words.isEmpty else { return nil }
        REPL.offered = words
        // `eps=` is followed by its value, not a space.
        rl_completion_append_character = words.allSatisfy { $0.hasSuffix("=") } ? 0 : 32
        return rl_completion_matches(text) { _, state in
          let index = Int(state)
          guard index < REPL.offered.count else { return nil }
          return strdup(REPL.offered[index])
        }
      }
    }
  }
}

/// `$HOME`, which tests and sandboxes set, else the account's home directory.
func homeDirectory() -> String {
  if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { return home }
  return NSHomeDirectory()
}

extension REPL {
  /// Handles a `:command`; returns true to leave the REPL.
  func handleCommand(_ input: String) -> Bool {
    let parts = input.split(whereSeparator: \.isWhitespace).map(String.init)
    let name = parts.first ?? input
    guard let command = REPLCommand.named(name) else {
      print(REPLCommand.unknown(name))
      return false
    }
    let argument = parts.dropFirst().joined(separator: " ")
    if command.argument.isEmpty && !argument.isEmpty {
      print("'\(command.name)' takes nothing after it; found '\(argument)'")
      return false
    }
    let vocabulary = session.checker.vocabulary
    switch command.name {
    case ":quit":
      return true
    case ":help":
      print(argument.isEmpty ? replHelp(vocabulary: vocabulary) : replHelp(topic: argument, vocabulary: vocabulary),
            terminator: "")
    case ":models":
      print(modelsListing(session))
    case ":results":
      print(resultsListing(session.report))
    case ":save":
      guard !argument.isEmpty else {
        print("expected a file name after ':save', as in ':save session.adv'")
        return false
      }
      do {
        try writeAtomically(runner.transcript.script, to: argument)
        print("wrote \(runner.transcript.statements.count) statements to \(argument); 'adv run \(argument)' reproduces the session")
      } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      }
    case ":load":
      guard !argument.isEmpty else {
        print("expected a file name after ':load', as in ':load sweep.adv'")
        return false
      }
      switch readScript(argument) {
      case .failure(let error):
        FileHandle.standardError.write(Data("\(error)\n".utf8))
      case .success(let text):
        execute(SourceFile(name: argument, text: text))
      }
    case ":reset":
      do {
        let kept = try runner.reset()
        print("forgot the models, data set, results and seed (back to seed \(session.seed))"
              + (kept.map { "; the results so far are kept in \($0)" } ?? ""))
      } catch {
        FileHandle.standardError.write(Data("error: \(error); nothing was forgotten\n".utf8))
      }
    default:
      // Every command of the table is handled above.
      print(REPLCommand.unknown(name))
    }
    return false
  }
}

/// `:models`: one line per model, in name order.
func modelsListing(_ session: Session) -> String {
  guard !session.models.isEmpty else { return "no models yet; 'model NAME = train ARCH' defines one" }
  return session.models.sorted { $0.key < $1.key }.map { name, m in
    "\(name): \(m.architecture.name) on \(m.dataset.name), seed \(m.seed); \(m.params.canonicalDescription)"
  }.joined(separator: "\n")
}

/// `:results`: one line per attack result, in order.
func resultsListing(_ report: Report) -> String {
  guard !report.results.isEmpty else { return "no results yet; 'attack …' adds one" }
  return report.results.map { r in
    let l2 = r.l2PerPixel.map { String(format: "%.4f", $0 * 1000) } ?? "-"
    return "\(r.statement): ASR \(String(format: "%.4f", r.asr)), mean L2/px x1000 \(l2) (\(r.samples) samples)"
  }.joined(separator: "\n")
}
