import AdvAttacks
import AdvData
import AdvNN
import AdvReport
import AdvTensor
import Foundation

/// A model the session has built, with what it takes to reproduce it.
public struct SessionModel {
  public let name: String
  /// What attacks and evaluations see: a network, or a mixture of the session's models.
  public let model: any Model
  /// The declaration it was made from: an architecture, or `mixture`'s settings.
  public let architecture: ComponentSpec
  public let params: Params
  public let dataset: Dataset
  public let seed: UInt64
  public let hash: String
  /// Training time; nil for a model from a file or the cache (a resumed run restores the time
  /// its first training took).
  public internal(set) var trainSeconds: Double?
  /// For a surrogate: positions in the test split it never saw (its seed set excluded), the
  /// samples `transfer` may draw from it.
  public var evaluationPool: [Int]? = nil

  public init(name: String, model: any Model, architecture: ComponentSpec, params: Params, dataset: Dataset, seed: UInt64,
              hash: String, trainSeconds: Double?) {
    self.name = name
    self.model = model
    self.architecture = architecture
    self.params = params
    self.dataset = dataset
    self.seed = seed
    self.hash = hash
    self.trainSeconds = trainSeconds
  }

  /// The network, for what only a network has (weights to save, a policy to set, weights to
  /// start training from); nil for a mixture, which the checker keeps away from those.
  public var network: Network? { model as? Network }

  /// The inference policy as reports name it: `deterministic`, `single` or `average(n)`.
  public var policyDescription: String { model.stochasticPolicy?.description ?? "deterministic" }
}

/// Where a session's messages go: normally stdout (results, reports) and stderr (warnings).
public struct SessionOutput {
  /// What each statement says it did: `loaded …`, `trained …`, an attack's result, `wrote …`.
  public var print: (String) -> Void
  public var warn: (String) -> Void
  /// A report printed rather than written to a file (`report` without `to`).
  public var report: (String) -> Void

  /// `report` nil: reports go where `print` sends the rest.
  public init(print: @escaping (String) -> Void, warn: @escaping (String) -> Void,
              report: ((String) -> Void)? = nil) {
    self.print = print
    self.warn = warn
    self.report = report ?? print
  }

  public static let standard = SessionOutput(
    print: { Swift.print($0); fflush(stdout) },
    warn: { FileHandle.standardError.write(Data(("warning: " + $0 + "\n").utf8)) })

  /// `adv run --quiet`: stdout carries the printed reports only; the statements' own lines go
  /// nowhere, warnings still to stderr.
  public static let quiet = SessionOutput(print: { _ in }, warn: standard.warn, report: standard.print)
}

/// Why a statement failed at run time, as the session says it (data missing, a model that
/// fits nothing, …). `Session.run` wraps every failure in a `StatementError` with its place.
struct RuntimeError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

/// A statement that failed at run time: `exp.adv:4:1: error: cannot find 'no/such/dir'`. Every
/// error a step throws (the session's own, the data readers', a file that cannot be written)
/// reaches the user in this form, with the file, line and column of its statement.
public struct StatementError: Error, CustomStringConvertible {
  /// `file:line:column` of the statement.
  public let location: String
  /// The statement as written (loop variables replaced by their values).
  public let statement: String
  public let underlying: any Error

  public var message: String { "\(underlying)" }
  public var description: String { "\(location): error: \(message)" }
}

/// The environment a script runs in: seed, loaded data set, trained models and the result
/// records. Executes checked plans one step at a time; a REPL keeps one session alive.
public final class Session {
  public internal(set) var seed: UInt64 = 0
  public internal(set) var dataset: Dataset?
  public internal(set) var models: [String: SessionModel] = [:]
  public internal(set) var report: Report
  /// The latest attack on each model name, with its adversarial images, for
  /// `saveAdversarials(of:to:)`; `lastAttacked` names the model of the latest attack of all.
  var latestAttacks: [String: LatestAttack] = [:]
  var lastAttacked: String?
  var evaluations: UInt64 = 0
  /// Each attack's images, for figures, `save adversarials` and the HTML report.
  var kept: [KeptAdversarials] = []
  /// The figures drawn so far, for the HTML report.
  var figures: [DrawnFigure] = []
  /// The script's text, shown in the HTML report.
  public let scriptText: String?
  public var checker: Checker
  public let scriptName: String
  public let outputDirectory: String?
  public let cache: ModelCache?
  public var output: SessionOutput
  /// Seed given on the command line: overrides every `seed` statement.
  public let seedOverride: UInt64?
  /// Where the script may write and how paths resolve (nil without an output directory, or
  /// when the checker is not to look at files); the checker holds the same rules.
  public let files: FileRules?
  /// The files this session has written: a file that already existed is replaced with a note
  /// the first time only.
  var writtenFiles: Set<String> = []
  /// Whether this session has written `results.json` (the first write keeps an earlier run's).
  var resultsStarted = false
  /// The record of finished steps that `adv run --resume` continues from (`Session+Journal`);
  /// nil in the REPL.
  var journal: Journal?
  var journalState = JournalState.fresh
  /// The index of the next step in the run, and how many were replayed from the journal.
  var stepIndex = 0
  var replayedSteps = 0
  /// True while a finished step runs again to restore its models (`replay`).
  var replaying = false
  /// A shard of a sharded run, or its merge (`Session+Shards`); nil for a whole run.
  var shard: ShardRole?
  /// False in a merge: a model missing from the cache is not trained but made untrained, and
  /// named in `weightless` (only figures of its weights and `save` need them).
  var trainsModels = true
  var weightless: Set<String> = []

  /// `allowedWrites` are the `--allow-write` paths; `fileSystem` is what the checker sees of
  /// files (nil: no checks of paths, as for a session without an output directory).
  public init(scriptName: String, scriptText: String?, outputDirectory: String?, cache: ModelCache?,
              seedOverride: UInt64? = nil, output: SessionOutput = .standard, allowedWrites: [String] = [],
              fileSystem: (any FileSystemView)? = LocalFileSystem()) {
    self.scriptName = scriptName
    self.outputDirectory = outputDirectory
    self.cache = cache
    self.seedOverride = seedOverride
    self.scriptText = scriptText
    self.output = output
    if let s = seedOverride { seed = s }
    if let outputDirectory, let fileSystem {
      files = FileRules(outputDirectory: outputDirectory, allowedWrites: allowedWrites, fileSystem: fileSystem)
    } else {
      files = nil
    }
    checker = Checker(vocabulary: .standard, files: files)
    let hash = scriptText.map { sha256($0) } ?? ""
    report = Report(tool: "adv", version: advVersion, script: scriptName, scriptHash: hash, models: [], results: [])
  }

  /// Runs the steps in order. Results already computed stay in the report if a step fails;
  /// the failure is thrown as a `StatementError` naming the statement's place in `file`
  /// (`Interrupted` passes through as it is).
  public func run(_ steps: [PlannedStep], file: String) throws {
    for planned in steps {
      Interrupt.clear()
      do {
        try perform(planned)
      } catch let error as Interrupted {
        throw error
      } catch {
        let location = "\(file):\(planned.range.start.line):\(planned.range.start.column)"
        throw StatementError(location: location, statement: planned.text, underlying: error)
      }
    }
  }

  func execute(_ planned: PlannedStep) throws {
    try planned.step.run(in: self, planned)
  }

  func reportParams(_ p: Params) -> [String: ReportValue] {
    p.values.mapValues(reportValue)
  }

  func reportValue(_ v: ParamValue) -> ReportValue {
    switch v {
    case .real(let d): return .number(d)
    case .int(let i): return .number(Double(i))
    case .string(let s): return .string(s)
    case .bool(let b): return .bool(b)
    case .reals(let vs): return .list(vs.map { .number($0) })
    }
  }

  /// The declaration's defaults (for `dataset`, where they differ by data set) of the parameters
  /// in `params`: what a record keeps so tables can show only what a script changed.
  func declaredDefaults(_ spec: ComponentSpec, of params: Params, dataset: String) -> [String: ReportValue] {
    var out: [String: ReportValue] = [:]
    for key in params.values.keys {
      if let d = spec.defaultValue(key, dataset: dataset) { out[key] = reportValue(d) }
    }
    return out
  }

}

/// The latest attack on a model, for `save adversarials`: the file it writes (images,
/// originals, labels and where they came from) and the attack's name.
struct LatestAttack {
  let file: AdversarialFile
  let attack: String
}

/// The engine version recorded in reports and cache keys.
public let advVersion = "0.1.0"
