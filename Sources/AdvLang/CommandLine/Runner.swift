import AdvReport
import AdvTensor
import Foundation

/// How checking and running one script or REPL input ended.
public enum RunOutcome: Sendable, Equatable {
  /// Every step ran.
  case completed
  /// The check failed; nothing ran.
  case rejected
  /// A step failed at run time; the steps before it ran.
  case failed
  /// Ctrl-C stopped a step; the steps before it ran.
  case interrupted

  /// The process exit status `adv run` gives for it.
  public var exitStatus: Int32 {
    switch self {
    case .completed: return ExitStatus.success
    case .rejected: return ExitStatus.scriptError
    case .failed: return ExitStatus.runtimeError
    case .interrupted: return ExitStatus.interrupted
    }
  }
}

/// The exit statuses of `adv` (the README lists them).
public enum ExitStatus {
  public static let success: Int32 = 0
  public static let usage: Int32 = 64
  public static let scriptError: Int32 = 65
  public static let unreadableScript: Int32 = 66
  public static let runtimeError: Int32 = 70
  public static let interrupted: Int32 = 130
}

/// The one check-and-run path of `adv run`, the REPL and `:load`: a session, and the
/// transcript of what succeeded in it.
///
/// After every input the session's checker knows exactly the names the session holds: what
/// the steps that ran defined, nothing from a step that failed or was interrupted, nothing
/// after it. (The checker alone would know every name of the input, the session only those
/// that ran, and `evaluate b` would be refused for a model `:models` lists.)
public final class Runner {
  public private(set) var session: Session
  public private(set) var transcript: Transcript
  /// Where diagnostics and run-time errors go (stderr unless a test listens).
  let errors: (String) -> Void
  /// Whether Ctrl-C was pressed; tests answer for it without touching the process-wide flag,
  /// which the engine's loops of other tests poll.
  let interruptRequested: () -> Bool

  public init(session: Session, errors: @escaping (String) -> Void = Runner.standardError,
              interruptRequested: @escaping () -> Bool = { Interrupt.requested }) {
    self.session = session
    self.transcript = Transcript(seed: session.seed)
    self.errors = errors
    self.interruptRequested = interruptRequested
  }

  public static let standardError: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

  /// Checks `file` against what the session defines, then runs its steps in order until one
  /// fails or Ctrl-C stops one. Diagnostics and the run-time error go to `errors`.
  @discardableResult
  public func checkAndRun(_ file: SourceFile) -> RunOutcome {
    let before = session.checker
    let steps: [PlannedStep]
    switch session.checker.check(file) {
    case .failure(let failure):
      errors(failure.rendered(in: file))
      return .rejected
    case .success(let planned):
      steps = planned
      // Warnings do not stop a run, but are said first.
      for warning in session.checker.warnings { errors(warning.rendered(in: file)) }
    }
    var completed = 0
    defer {
      session.checker = before.replaying(steps.prefix(completed))
      transcript.record(file, steps: steps, completed: completed)
    }
    Interrupt.clear()
    for step in steps {
      do {
        try session.run([step], file: file.name)
      } catch is Interrupted {
        Interrupt.clear()
        return .interrupted
      } catch {
        errors("\(error)\n")
        return .failed
      }
      completed += 1
      // Ctrl-C that lands after a step's last check would be cleared by the next step's start.
      if interruptRequested() && completed < steps.count {
        Interrupt.clear()
        return .interrupted
      }
    }
    return .completed
  }

  /// Forgets models, data set, results and seed: a fresh session with the same output
  /// directory, file rules, cache and output. The results so far are kept in `results-N.json`
  /// (the next free number) and the old session's `results.json` goes, so the fresh session
  /// starts its own; returns that path (nil when there was nothing to keep or no output
  /// directory).
  @discardableResult
  public func reset() throws(WriteError) -> String? {
    let old = session
    var kept: String? = nil
    if let dir = old.outputDirectory, !(old.report.models.isEmpty && old.report.results.isEmpty) {
      let path = Session.freeResultsPath(in: dir)
      try writeAtomically(render(old.report, as: .json), to: path)
      if old.resultsStarted { unlink((dir as NSString).appendingPathComponent("results.json")) }
      kept = path
    }
    session = Session(scriptName: old.scriptName, scriptText: nil, outputDirectory: old.outputDirectory,
                      cache: old.cache, seedOverride: old.seedOverride, output: old.output,
                      allowedWrites: old.files?.allowedWrites ?? [], fileSystem: old.files?.fileSystem)
    transcript = Transcript(seed: session.seed)
    return kept
  }
}
