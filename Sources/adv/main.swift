import AdvLang
import AdvNN
import AdvTensor
import ArgumentParser
import Foundation

/// Exit codes: 0 success, 64 usage, 65 script error (found by `check`), 70 runtime error,
/// 130 interrupted.
struct Adv: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "adv",
    abstract: "Adversarial-robustness experiments as short, checked, reproducible scripts.",
    version: advVersion,
    subcommands: [Run.self, Check.self, Repl.self, Bench.self, Grammar.self])
}

func readScript(_ path: String) throws -> String {
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    let why = FileManager.default.fileExists(atPath: path) ? "cannot read it as UTF-8 text" : "no such file"
    FileHandle.standardError.write(Data("error: cannot open script '\(path)': \(why)\n".utf8))
    throw ExitCode(66)
  }
  return text
}

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Check a script, then run it.")

  @Argument(help: "The .adv script.") var file: String
  @Option(help: "Directory for reports and results.json (default: ./adv-out/<script name>/).") var out: String?
  @Option(help: "Seed that overrides every 'seed' statement.") var seed: UInt64?
  @Flag(help: "Train every model again instead of using the model cache.") var noCache = false

  func run() throws {
    let text = try readScript(file)
    let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    let outDir = out ?? "adv-out/\(stem)"
    let session = Session(scriptName: file, scriptText: text, outputDirectory: outDir,
                          cache: noCache ? nil : ModelCache(), seedOverride: seed)
    let source = SourceFile(name: file, text: text)
    switch session.checker.check(source) {
    case .failure(let failure):
      FileHandle.standardError.write(Data(failure.rendered(in: source).utf8))
      throw ExitCode(65)
    case .success(let steps):
      signal(SIGINT) { _ in Interrupt.request() }
      do {
        try session.run(steps, file: file)
      } catch is Interrupted {
        FileHandle.standardError.write(Data("\ninterrupted; results so far are in \(outDir)/results.json\n".utf8))
        throw ExitCode(130)
      } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(70)
      }
    }
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Check a script without running anything.")

  @Argument(help: "The .adv script.") var file: String

  func run() throws {
    let text = try readScript(file)
    var checker = Checker(vocabulary: .standard)
    let source = SourceFile(name: file, text: text)
    switch checker.check(source) {
    case .failure(let failure):
      FileHandle.standardError.write(Data(failure.rendered(in: source).utf8))
      throw ExitCode(65)
    case .success(let steps):
      print("\(file): ok (\(steps.count) steps)")
    }
  }
}

struct Repl: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Explore interactively (readline, history in ~/.adv_history).")

  @Option(help: "Directory for reports written with 'report ... to'.") var out: String?
  @Flag(help: "Train every model again instead of using the model cache.") var noCache = false

  func run() throws {
    let session = Session(scriptName: "repl", scriptText: nil, outputDirectory: out,
                          cache: noCache ? nil : ModelCache())
    REPL(session: session).run()
  }
}

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Time the benchmark workloads in this engine (see 'make bench').")

  @Option(help: "Timed repetitions per workload (median reported).") var repeats = 3
  @Option(help: "Comma-separated workloads to run (default: all of \(Benchmarks.workloads.joined(separator: ", "))).")
  var only: String = ""
  @Option(help: "Where the attack workloads write the LeNet they attack (read by scripts/bench_foolbox.py).")
  var attackModel = ".build/bench-lenet.safetensors"

  func validate() throws {
    let unknown = only.split(separator: ",").map(String.init).filter { !Benchmarks.workloads.contains($0) }
    if let u = unknown.first {
      throw ValidationError("unknown workload '\(u)'; choose from \(Benchmarks.workloads.joined(separator: ", "))")
    }
  }

  func run() throws {
    for t in try Benchmarks.run(repeats: repeats, only: Set(only.split(separator: ",").map(String.init)), attackModel: attackModel) {
      print(String(format: "ours %@ seconds=%.4f", t.workload, t.seconds) + (t.note.isEmpty ? "" : " " + t.note))
    }
  }
}

struct Grammar: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Regenerate the parameter tables of grammar.md from the declarations.")

  @Argument(help: "Path of grammar.md.") var path = "grammar.md"

  func run() throws {
    let text = try readScript(path)
    let updated = updateGrammar(text, vocabulary: .standard)
    if updated != text {
      try updated.write(toFile: path, atomically: true, encoding: .utf8)
      print("updated \(path)")
    } else {
      print("\(path) is up to date")
    }
  }
}

/// oneDNN's OpenMP threads spin-wait after every parallel region (300,000 iterations by
/// default), holding the core that our own parallel loops need in between; a short spin measured
/// 1.5x faster on the stochastic launches workload and no slower elsewhere. libgomp reads the
/// setting when it loads, before `main`, so set it and execute this program again, once.
if getenv("GOMP_SPINCOUNT") == nil {
  setenv("GOMP_SPINCOUNT", "10000", 1)
  execv("/proc/self/exe", CommandLine.unsafeArgv)
}

Adv.main()
