import AdvBench
import AdvData
import AdvLang
import ArgumentParser
import Foundation

/// Exit codes: 0 success, 64 usage, 65 script error (found by `check`), 66 unreadable script,
/// 70 runtime error, 130 interrupted. The work is done by `Runner`'s entry points in AdvLang;
/// this file parses arguments.
struct Adv: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "adv",
    abstract: "Adversarial-robustness experiments as short, checked, reproducible scripts.",
    version: advVersion,
    subcommands: [Run.self, Check.self, PlanCommand.self, Merge.self, Submit.self, Repl.self, Bench.self, Grammar.self,
                  ReadPCam.self])
}

/// Ends the command with `status` unless it is success.
func finish(_ status: Int32) throws {
  if status != ExitStatus.success { throw ExitCode(status) }
}

/// `--progress`: how long work shows its progress on stderr.
enum ProgressOption: String, ExpressibleByArgument, CaseIterable {
  case bar, lines, off
}

/// `--progress` and `--progress-interval`, shared by run and repl.
struct ProgressOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "How long work (training, attacks, figures) shows its progress on stderr: a bar redrawn in place, plain lines, or nothing (default: a bar when stderr is a terminal, lines otherwise).",
    valueName: "style"))
  var progress: ProgressOption?
  @Option(name: .customLong("progress-interval"), help: ArgumentHelp(
    "Seconds between progress lines (default: $ADV_PROGRESS_INTERVAL, else 5); each unit of work also ends with a line.",
    valueName: "S"))
  var progressInterval: Double?

  func validate() throws {
    if let s = progressInterval, !(s >= 0 && s.isFinite) { throw ValidationError("'--progress-interval' must be a number of seconds ≥ 0") }
  }

  func configure() {
    _ = Runner.configureProgress(style: progress?.rawValue, interval: progressInterval)
  }
}

/// The help of `--allow-write`, shared by run, check and repl.
let allowWriteHelp = ArgumentHelp(
  "Let the script also write under PATH (repeatable); otherwise it writes only under the output directory.",
  valueName: "PATH")

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a script, then run it.",
    discussion: """
      Everything is checked before anything runs: names, values, the paths the script reads (data \
      directories, checkpoints) and writes. The script writes only under the output directory \
      (relative paths go there; '..', absolute paths and symbolic links that lead out are refused) \
      unless '--allow-write PATH' allows more. An earlier results.json in the output directory is kept \
      as results-N.json; other files that existed are replaced with a note 'replacing …'.

      Each statement prints a line on stdout saying what it did; 'report' without 'to' prints its \
      table there. '--quiet' keeps only those reports on stdout. Warnings and errors go to stderr, \
      and so does progress: on a terminal a bar, otherwise (batch jobs, CI, nohup) a line every few \
      seconds and one when a unit of work ends: time since the start, statement, epoch and batch or \
      samples done, loss or ASR so far, elapsed and estimated time, as in '[00:01:12] attack bim on m: \
      40/100 samples, ASR so far 0.62, elapsed 12.0 s, eta 18.0 s'.
      """)

  @Argument(help: "The .adv script.") var file: String
  @Option(help: "Directory for reports and results.json (default: ./adv-out/<script name>/).") var out: String?
  @Option(name: .customLong("allow-write"), help: allowWriteHelp) var allowWrite: [String] = []
  @Option(help: "Seed that overrides every 'seed' statement.") var seed: UInt64?
  @Flag(help: "Train every model again instead of using the model cache.") var noCache = false
  @Flag(help: "Continue a killed or failed run of the same script in the same --out: finished statements are replayed from its journal, not run again.")
  var resume = false
  @Flag(help: "Print only the reports ('report' without 'to') on stdout; warnings, errors and progress still go to stderr.")
  var quiet = false
  @OptionGroup var progress: ProgressOptions

  @Option(help: ArgumentHelp("Run only shard I of N of the script's units (see 'adv plan'), writing each finished unit under DIR/units/ for 'adv merge DIR'; a shard run again skips its finished units.", valueName: "I/N"))
  var shard: String?

  /// `--shard I/N` as numbers.
  var shardNumbers: (index: Int, count: Int)? {
    guard let shard else { return nil }
    let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else { return nil }
    return (i, n)
  }

  func validate() throws {
    if shard != nil && shardNumbers == nil {
      throw ValidationError("'--shard' takes I/N with 1 <= I <= N, as in '--shard 2/4'; got '\(shard ?? "")'")
    }
    if shard != nil && resume {
      throw ValidationError("'--shard' resumes by itself (finished units are skipped); drop '--resume'")
    }
  }

  func run() throws {
    progress.configure()
    if let (index, count) = shardNumbers {
      return try finish(Runner.runShard(file, index: index, count: count, outputDirectory: out, allowedWrites: allowWrite,
                                        seed: seed, useCache: !noCache))
    }
    try finish(Runner.runScript(file, outputDirectory: out, allowedWrites: allowWrite, seed: seed, useCache: !noCache,
                                resume: resume, quiet: quiet))
  }
}

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "List a script's units of independent work: models, results, figures and reports, and what each needs.",
    discussion: """
      One line per unit: kind, key (first 8 hex digits), line, statement, and the keys of the units it \
      needs. Model and result units are what 'adv run FILE --shard I/N' runs; figures, reports and \
      saved files are made by 'adv merge DIR'.
      """)

  @Argument(help: "The .adv script.") var file: String
  @Flag(help: "Print the units as JSON.") var json = false
  @Option(help: ArgumentHelp("Also show which of N shards runs each unit.", valueName: "N")) var shards: Int?
  @Option(help: "Seed that overrides every 'seed' statement (as given to 'adv run').") var seed: UInt64?
  @Option(help: "The output directory 'adv run' would use (for the check of paths the script writes).") var out: String?

  func validate() throws {
    if let shards, shards < 1 { throw ValidationError("'--shards' must be at least 1") }
  }

  func run() throws {
    try finish(Runner.planScript(file, json: json, shards: shards, seed: seed, outputDirectory: out))
  }
}

struct Merge: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Merge the units of a sharded run into the results.json, reports and figures of one run.",
    discussion: """
      Reads DIR/units/ (written by 'adv run FILE --shard I/N --out DIR'), runs the script's figure, \
      report and save statements against the merged records, and writes everything under DIR. Units \
      that have not finished are listed by statement; then merge stops with status 70 unless \
      '--partial' is given.
      """)

  @Argument(help: "The output directory the shards wrote.") var dir: String
  @Argument(help: "The script (default: the one the shards recorded).") var file: String?
  @Flag(help: "Write what the finished units give even when some are missing.") var partial = false
  @Option(name: .customLong("allow-write"), help: allowWriteHelp) var allowWrite: [String] = []
  @Flag(help: "Do not read the model cache (figures of a model's weights and 'save' then fail).") var noCache = false

  func run() throws {
    try finish(Runner.merge(dir, script: file, partial: partial, allowedWrites: allowWrite, useCache: !noCache))
  }
}

struct Submit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Submit a script's sweep to a cluster as sharded jobs (Slurm).",
    discussion: """
      Writes DIR/slurm/train.sbatch, attack.sbatch and merge.sbatch and submits them with \
      'sbatch --parsable', each after the one before succeeds: a training array of one task per \
      shard ('adv run FILE --shard I/N --out DIR'), the same array again for what is left (models \
      now come from the shared cache), then 'adv merge DIR FILE'. Logs: DIR/slurm/logs/. After a \
      failure or 'scancel', run the same command again: finished units and cached models are kept.
      """)

  @Argument(help: "The .adv script.") var file: String
  @Flag(help: "Submit to Slurm with sbatch (the only scheduler so far).") var slurm = false
  @Option(help: "Output directory the shards and the merge share (default: ./adv-out/<script name>/).") var out: String?
  @Option(help: "Number of shards, the tasks of each array (default: the script's number of models, or 4 without models).")
  var shards: Int?
  @Option(help: "Slurm partition (default: the cluster's default).") var partition: String?
  @Option(help: "Time limit of each task, in Slurm's format (30, 4:00:00, 1-00:00:00).") var time: String?
  @Option(help: "CPUs per task (--cpus-per-task; also OMP_NUM_THREADS).") var cpus: Int?
  @Option(name: .customLong("array-parallel"), help: ArgumentHelp("At most K tasks of an array at once (--array=1-N%K).", valueName: "K"))
  var arrayParallel: Int?
  @Option(name: .customLong("adv"), help: ArgumentHelp("The adv binary the jobs run (default: this one).", valueName: "PATH"))
  var advPath: String?
  @Option(help: ArgumentHelp("Model cache the shards share, on a file system every node sees (default: DIR/cache).", valueName: "PATH"))
  var cache: String?
  @Flag(help: "Print the batch scripts and sbatch command lines; submit nothing.") var dryRun = false

  func validate() throws {
    guard slurm else { throw ValidationError("say where to submit: '--slurm' (the only scheduler so far)") }
    if let shards, shards < 1 { throw ValidationError("'--shards' must be at least 1, not \(shards)") }
    if let cpus, cpus < 1 { throw ValidationError("'--cpus' must be at least 1, not \(cpus)") }
    if let arrayParallel, arrayParallel < 1 { throw ValidationError("'--array-parallel' must be at least 1, not \(arrayParallel)") }
  }

  func run() throws {
    let options = SlurmSubmission.Options(partition: partition, time: time, cpus: cpus, arrayParallel: arrayParallel)
    try finish(Runner.submitToSlurm(file, Runner.SubmitRequest(outputDirectory: out, shards: shards, adv: advPath, cache: cache,
                                                               options: options, dryRun: dryRun)))
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a script without running anything, the paths it reads and writes included.")

  @Argument(help: "The .adv script.") var file: String
  @Option(help: "The output directory 'adv run' would use (default: ./adv-out/<script name>/).") var out: String?
  @Option(name: .customLong("allow-write"), help: allowWriteHelp) var allowWrite: [String] = []

  func run() throws {
    try finish(Runner.checkScript(file, outputDirectory: out, allowedWrites: allowWrite))
  }
}

struct Repl: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Explore interactively (readline, Tab completion, history in $HOME/.adv_history).")

  @Option(help: "Directory for results.json and reports (default: ./adv-out/repl-<date>-<time>/).") var out: String?
  @Option(name: .customLong("allow-write"), help: allowWriteHelp) var allowWrite: [String] = []
  @Flag(help: "Train every model again instead of using the model cache.") var noCache = false
  @OptionGroup var progress: ProgressOptions

  func run() throws {
    progress.configure()
    try finish(Runner.startREPL(outputDirectory: out, allowedWrites: allowWrite, useCache: !noCache))
  }
}

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Time the benchmark workloads in this engine (see 'make bench').")

  @Option(help: "Timed repetitions per workload (median reported).") var repeats = 3
  @Option(help: "Comma-separated workloads to run (default: all of \(Benchmarks.workloads.joined(separator: ", "))).")
  var only: String = ""
  @Option(help: "Where the attack workloads write the LeNet they attack (read by scripts/bench_foolbox.py).")
  var attackModel = ".build/bench-lenet.safetensors"

  var workloads: [String] { only.split(separator: ",").map(String.init) }

  func validate() throws {
    if let u = workloads.first(where: { !Benchmarks.workloads.contains($0) }) {
      throw ValidationError("unknown workload '\(u)'; choose from \(Benchmarks.workloads.joined(separator: ", "))")
    }
  }

  /// One line per workload, after the machine's (`Benchmarks.header`, `Timing.line`).
  func run() throws {
    print(Benchmarks.header)
    do {
      for t in try Benchmarks.run(repeats: repeats, only: Set(workloads), attackModel: attackModel) { print(t.line) }
    } catch {
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      throw ExitCode(ExitStatus.runtimeError)
    }
  }
}

struct Grammar: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Regenerate the parameter tables of grammar.md from the declarations.")

  @Argument(help: "Path of grammar.md.") var path = "grammar.md"

  func run() throws {
    try finish(Runner.updateGrammarFile(path))
  }
}

/// The helper process that reads PCam's HDF5 files (`PCamHelper`): not for users.
struct ReadPCam: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: PCamHelper.subcommand,
    abstract: "Read PCam's HDF5 files for a running adv, so that a damaged file cannot crash it.",
    shouldDisplay: false)

  @Argument var directory: String
  @Option var train = 0
  @Option var test = 0
  @Option var seed: UInt64 = 0
  @Option var reduce = "resize"
  @Option var size = 32
  @Option var to: String

  func run() throws {
    guard let reduction = PCam.Reduction(rawValue: reduce) else { throw ValidationError("unknown reduce '\(reduce)'") }
    try finish(PCamHelper.serve(directory: directory, train: train, test: test, seed: seed, reduce: reduction,
                                size: size, transfer: to))
  }
}

Runner.ensureShortOpenMPSpin()
PCamHelper.executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
Adv.main()
