import AdvNN
import AdvReport
import AdvTensor
import Foundation

/// What the `adv` executable does, behind an API of this module, so the executable parses
/// arguments and nothing else: each entry point prints its messages and returns the exit
/// status.

/// A script file that cannot be read.
public struct ScriptReadError: Error, CustomStringConvertible, Sendable {
  public let path: String
  public let reason: String

  public var description: String { "error: cannot open script '\(path)': \(reason)" }
}

/// The text of the script at `path`.
public func readScript(_ path: String) -> Result<String, ScriptReadError> {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
    return .failure(ScriptReadError(path: path, reason: "no such file"))
  }
  if isDirectory.boolValue { return .failure(ScriptReadError(path: path, reason: "it is a directory")) }
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    return .failure(ScriptReadError(path: path, reason: "cannot read it as UTF-8 text"))
  }
  return .success(text)
}

extension Runner {
  /// The text of the script at `path`, or nil after saying on stderr why it cannot be read.
  static func readScriptOrReport(_ path: String) -> String? {
    switch readScript(path) {
    case .failure(let error):
      standardError("\(error)\n")
      return nil
    case .success(let text):
      return text
    }
  }

  /// The output directory of `adv run FILE` and `adv check FILE`: `adv-out/<script name>`.
  static func defaultOutputDirectory(for path: String) -> String {
    "adv-out/" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension
  }

  /// False, after saying why on stderr, when nothing can be written in the output directory:
  /// the run would compute for nothing, so it stops before anything runs.
  static func outputDirectoryIsWritable(_ rules: FileRules, errors: (String) -> Void = standardError) -> Bool {
    guard let problem = rules.outputDirectoryProblem() else { return true }
    errors(problem.description)
    return false
  }

  /// `adv check FILE`: checks without running anything, the paths the script reads and writes
  /// included (against `outputDirectory`, default `adv-out/<script name>/`, and `allowedWrites`).
  public static func checkScript(_ path: String, outputDirectory: String? = nil, allowedWrites: [String] = []) -> Int32 {
    guard let text = readScriptOrReport(path) else { return ExitStatus.unreadableScript }
    let rules = FileRules(outputDirectory: outputDirectory ?? defaultOutputDirectory(for: path), allowedWrites: allowedWrites,
                          fileSystem: LocalFileSystem())
    guard outputDirectoryIsWritable(rules) else { return ExitStatus.scriptError }
    var checker = Checker(vocabulary: .standard, files: rules)
    let source = SourceFile(name: path, text: text)
    switch checker.check(source) {
    case .failure(let failure):
      standardError(failure.rendered(in: source))
      return ExitStatus.scriptError
    case .success(let steps):
      for warning in checker.warnings { standardError(warning.rendered(in: source)) }
      print("\(path): ok (\(steps.count) steps)")
      return ExitStatus.success
    }
  }

  /// `adv run FILE`: checks, then runs; results go to `outputDirectory` (default
  /// `adv-out/<script name>/`), and the script writes nowhere else but under `allowedWrites`.
  /// Finished steps are recorded in its journal; with `resume` a killed or failed run of the same
  /// script there continues where it stopped.
  public static func runScript(_ path: String, outputDirectory: String?, allowedWrites: [String] = [], seed: UInt64?,
                               useCache: Bool, resume: Bool = false, quiet: Bool = false) -> Int32 {
    guard let text = readScriptOrReport(path) else { return ExitStatus.unreadableScript }
    let outDir = outputDirectory ?? defaultOutputDirectory(for: path)
    let cache = useCache ? ModelCache() : nil
    // Temporary files of writes a kill cut short: harmless, but they would pile up. (Outputs
    // sit at most a few directories deep; a deeper walk could take long in a large --out.)
    removeStaleTemporaryFiles(in: outDir, depth: 3)
    cache?.removeStaleTemporaryFiles()
    let session = Session(scriptName: path, scriptText: text, outputDirectory: outDir,
                          cache: cache, seedOverride: seed, output: quiet ? .quiet : .standard, allowedWrites: allowedWrites)
    guard let rules = session.files, outputDirectoryIsWritable(rules) else { return ExitStatus.scriptError }
    do {
      if try !session.attachJournal(resume: resume) && resume {
        session.output.warn("'\(outDir)' holds no earlier run of a script to resume; running '\(path)' from the start")
      }
    } catch {
      standardError("error: \(error)\n")
      return ExitStatus.usage
    }
    installInterruptRequest()
    let outcome = Runner(session: session).checkAndRun(SourceFile(name: path, text: text))
    session.endReplay()
    if outcome == .interrupted {
      let options = (outputDirectory.map { " --out \($0)" } ?? "") + (seed.map { " --seed \($0)" } ?? "")
      standardError("\ninterrupted; results so far are in \(outDir)/results.json; 'adv run \(path)\(options) --resume' continues\n")
    }
    return outcome.exitStatus
  }

  /// `--progress bar|lines|off` and `--progress-interval S` of `adv run` and `adv repl`: how
  /// long work shows its progress on stderr (nil: a bar on a terminal, lines otherwise; lines
  /// every `ADV_PROGRESS_INTERVAL` seconds, default 5). Returns false for an unknown style.
  public static func configureProgress(style: String?, interval: Double?) -> Bool {
    var chosen: ProgressStyle? = nil
    if let style {
      guard let s = ProgressStyle(rawValue: style) else { return false }
      chosen = s
    }
    Progress.configure(style: chosen, interval: interval)
    return true
  }

  /// `adv repl`: the interactive session; results go to `outputDirectory` (default
  /// `adv-out/repl-<date>-<time>/`), so nothing computed is lost when it ends.
  public static func startREPL(outputDirectory: String?, allowedWrites: [String] = [], useCache: Bool) -> Int32 {
    let session = Session(scriptName: "repl", scriptText: nil,
                          outputDirectory: outputDirectory ?? defaultREPLOutputDirectory(),
                          cache: useCache ? ModelCache() : nil, allowedWrites: allowedWrites)
    guard let rules = session.files, outputDirectoryIsWritable(rules) else { return ExitStatus.scriptError }
    REPL(runner: Runner(session: session)).run()
    return ExitStatus.success
  }

  /// `adv-out/repl-20261202-0415`, from the local time; seconds are added when that exists.
  static func defaultREPLOutputDirectory(now: Date = Date()) -> String {
    let format = DateFormatter()
    format.locale = Locale(identifier: "en_US_POSIX")
    format.dateFormat = "yyyyMMdd-HHmm"
    let minute = "adv-out/repl-" + format.string(from: now)
    guard FileManager.default.fileExists(atPath: minute) else { return minute }
    format.dateFormat = "yyyyMMdd-HHmmss"
    return "adv-out/repl-" + format.string(from: now)
  }

  /// `adv grammar FILE`: regenerates grammar.md's parameter tables.
  public static func updateGrammarFile(_ path: String) -> Int32 {
    guard let text = readScriptOrReport(path) else { return ExitStatus.unreadableScript }
    let updated = updateGrammar(text, vocabulary: .standard)
    guard updated != text else {
      print("\(path) is up to date")
      return ExitStatus.success
    }
    do {
      try writeAtomically(updated, to: path)
    } catch {
      standardError("error: \(error)\n")
      return ExitStatus.runtimeError
    }
    print("updated \(path)")
    return ExitStatus.success
  }

  /// `adv bench`: times the workloads, one line each.
  public static func bench(repeats: Int, only: Set<String>, attackModel: String) -> Int32 {
    do {
      print("# " + Machine.description)
      for t in try Benchmarks.run(repeats: repeats, only: only, attackModel: attackModel) {
        print(String(format: "ours %@ seconds=%.4f", t.workload, t.seconds) + (t.note.isEmpty ? "" : " " + t.note)
              + (t.peakMB.map { String(format: " rss_mb=%.0f", $0) } ?? ""))
      }
    } catch {
      standardError("error: \(error)\n")
      return ExitStatus.runtimeError
    }
    return ExitStatus.success
  }

  /// Ctrl-C asks the running step to stop (it polls `Interrupt`).
  public static func installInterruptRequest() {
    signal(SIGINT) { _ in Interrupt.request() }
    deliverInterrupts()
  }

  /// A process started from a thread that blocks SIGINT (a libdispatch worker, as in a test
  /// runner) inherits the block, and Ctrl-C would never arrive; unblock it.
  static func deliverInterrupts() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// oneDNN's OpenMP threads spin-wait after every parallel region (300,000 iterations by
  /// default), holding the core that our own parallel loops need in between; a short spin
  /// measured 1.5x faster on the stochastic launches workload and no slower elsewhere. libgomp
  /// reads the setting when it loads, before `main`, so set it and execute this program
  /// again, once. Returns only when the setting is already in place (or exec failed). An
  /// explicit OMP_WAIT_POLICY is left alone: GOMP_SPINCOUNT would override it, and PASSIVE
  /// (no spin) is the faster choice when other processes keep the cores busy.
  public static func ensureShortOpenMPSpin() {
    guard getenv("GOMP_SPINCOUNT") == nil, getenv("OMP_WAIT_POLICY") == nil else { return }
    setenv("GOMP_SPINCOUNT", "10000", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
  }
}
