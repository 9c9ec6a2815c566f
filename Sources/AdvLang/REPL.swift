import AdvNN
import AdvTensor
import CReadline
import Foundation

/// The interactive front end: GNU readline with persistent history, `:help`, `:quit`, and
/// multi-line input while braces are open. A statement typed here is checked and run exactly
/// as in a script; an error or Ctrl-C ends the statement, never the session.
public final class REPL {
  let session: Session
  let historyPath: String
  nonisolated(unsafe) static var running = false

  public init(session: Session) {
    self.session = session
    historyPath = (NSHomeDirectory() as NSString).appendingPathComponent(".adv_history")
  }

  public func run() {
    installInterruptHandler()
    _ = read_history(historyPath)
    print("adv \(advVersion) — type :help for the language, :quit to leave")
    var pending = ""
    var lineNumber = 0
    while true {
      let prompt = pending.isEmpty ? "adv> " : "...> "
      guard let raw = readline(prompt) else {
        print("")
        break
      }
      let line = String(cString: raw)
      free(raw)
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if !trimmed.isEmpty {
        add_history(line)
        _ = append_history(1, historyPath) == 0 ? 0 : write_history(historyPath)
      }
      if pending.isEmpty && trimmed.hasPrefix(":") {
        if handleCommand(trimmed) { break }
        continue
      }
      pending += line + "\n"
      if openBraces(pending) > 0 { continue }
      lineNumber += 1
      let source = pending
      pending = ""
      execute(source, name: "<repl:\(lineNumber)>")
    }
    _ = write_history(historyPath)
  }

  /// Checks and runs one input; prints diagnostics or results.
  func execute(_ text: String, name: String) {
    let file = SourceFile(name: name, text: text)
    // A statement that fails or is interrupted at run time must not leave its names defined
    // for the checker (a model that was never trained); restore the checker's environment.
    let before = session.checker
    switch session.checker.check(file) {
    case .failure(let failure):
      FileHandle.standardError.write(Data(failure.rendered(in: file).utf8))
    case .success(let steps):
      REPL.running = true
      Interrupt.clear()
      defer { REPL.running = false }
      do {
        try session.run(steps, file: name)
      } catch is Interrupted {
        session.checker = before
        FileHandle.standardError.write(Data("\ninterrupted; the session keeps what was computed before\n".utf8))
      } catch {
        session.checker = before
        FileHandle.standardError.write(Data("\(error)\n".utf8))
      }
    }
  }

  /// Handles a `:command`; returns true to leave the REPL.
  func handleCommand(_ command: String) -> Bool {
    let parts = command.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    switch parts.first ?? "" {
    case ":quit", ":q", ":exit":
      return true
    case ":help", ":h":
      if parts.count > 1 {
        print(helpText(topic: parts[1], vocabulary: .standard) ?? "no help for '\(parts[1])'; try :help")
      } else {
        print(helpText(vocabulary: .standard))
      }
    case ":models":
      for (name, m) in session.models.sorted(by: { $0.key < $1.key }) {
        print("\(name): \(m.architecture.name) \(m.params.canonicalDescription)")
      }
    default:
      print("unknown command '\(parts.first ?? "")'; the commands are :help [topic], :models, :quit")
    }
    return false
  }

  func openBraces(_ text: String) -> Int {
    var depth = 0, inString = false, inComment = false
    for c in text {
      if inComment { if c == "\n" { inComment = false }; continue }
      if c == "\"" { inString.toggle() }
      if inString { continue }
      if c == "#" { inComment = true } else if c == "{" { depth += 1 } else if c == "}" { depth -= 1 }
    }
    return depth
  }

  func installInterruptHandler() {
    rl_catch_signals = 0
    signal(SIGINT) { _ in
      if REPL.running {
        Interrupt.request()
      } else {
        // At the prompt Ctrl-C discards the line being typed, as in a shell.
        write(1, "\n", 1)
        rl_on_new_line()
        rl_replace_line("", 0)
        rl_redisplay()
      }
    }
  }
}
