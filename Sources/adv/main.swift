import AdvLang
import ArgumentParser

/// Exit codes: 0 success, 64 usage, 65 script error (found by `check`), 66 unreadable script,
/// 70 runtime error, 130 interrupted. The work is done by `Runner`'s entry points in AdvLang;
/// this file parses arguments.
struct Adv: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "adv",
    abstract: "Adversarial-robustness experiments as short, checked, reproducible scripts.",
    version: advVersion,
    subcommands: [Run.self, Check.self, Repl.self, Bench.self, Grammar.self, Submit.self])
}

/// Ends the command with `status` unless it is success.
func finish(_ status: Int32) throws {
  if status != ExitStatus.success { throw ExitCode(status) }
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
      """)

  @Argument(help: "The .adv script.") var file: String
  @Option(help: "Directory for reports and results.json (default: ./adv-out/<script name>/).") var out: String?
  @Option(name: .customLong("allow-write"), help: allowWriteHelp) var allowWrite: [String] = []
  @Option(help: "Seed that overrides every 'seed' statement.") var seed: UInt64?
  @Flag(help: "Train every model again instead of using the model cache.") var noCache = false
  @Flag(help: "Continue a killed or failed run of the same script in the same --out: finished statements are replayed from its journal, not run again.")
  var resume = false

  func run() throws {
    try finish(Runner.runScript(file, outputDirectory: out, allowedWrites: allowWrite, seed: seed, useCache: !noCache,
                                resume: resume))
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

  func run() throws {
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

  func run() throws {
    try finish(Runner.bench(repeats: repeats, only: Set(workloads), attackModel: attackModel))
  }
}

struct Grammar: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Regenerate the parameter tables of grammar.md from the declarations.")

  @Argument(help: "Path of grammar.md.") var path = "grammar.md"

  func run() throws {
    try finish(Runner.updateGrammarFile(path))
  }
}

Runner.ensureShortOpenMPSpin()
Adv.main()
