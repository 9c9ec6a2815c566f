import AdvAttacks
import AdvNN
import AdvReport
import AdvSpec
import Foundation

/// One finished step (or unit of a sharded run) as a `WorkStore` keeps it: what it added to the
/// report, what it printed, the session counters after it, and for `plot` the drawn figures (for
/// `report html`).
struct JournalEntry: Codable {
  var format = WorkStore.format
  var step: Int
  var key: String
  var statement: String
  var printed: [String]
  var models: [ModelRecord]
  var results: [AttackRecord]
  var surrogates: [SurrogateRecord]
  var transfers: [TransferRecord]
  var figures: [FigureRecord]
  var drawn: [JournalFigure]
  /// `Session.evaluations` after the step: the counter that gives each `evaluate` its stream.
  var evaluations: UInt64
  var lastAttacked: String?
  /// The training time of the model the step defined (a replayed step takes it from the cache).
  var trainSeconds: Double?
  /// Whether an adversarials file belongs to the entry (attack steps).
  var adversarials: Bool

  enum CodingKeys: String, CodingKey {
    case format, step, key, statement, printed, models, results, surrogates, transfers, figures, drawn,
         evaluations, adversarials
    case lastAttacked = "last_attacked", trainSeconds = "train_seconds"
  }
}

/// A drawn figure with its content (`DrawnFigure`); PNG bytes are base64 in the JSON.
struct JournalFigure: Codable {
  var figure: String
  var title: String
  var caption: String
  var file: String
  var svg: String?
  var png: Data?
  var statement: String
}

/// The journal of a script run, in its output directory, so that `adv run --resume` continues
/// a killed run without recomputing what finished (a `WorkStore`):
///
///     DIR/.adv-journal/run.json                          the run's identity (`RunIdentity`)
///     DIR/.adv-journal/step-00007-<key>.json             a finished step (`JournalEntry`)
///     DIR/.adv-journal/step-00007-<key>.adversarials.safetensors
///                                                        an attack step's images (`AdversarialFile`)
///     DIR/.adv-journal/models/<key>.safetensors          trained models, when the run has no model cache
///
/// A step's key hashes the journal format, the run's identity (script hash, `--seed`, engine
/// version), the step's index and its checked text: an entry of any other run never matches.
/// A step is the unit here because a script's steps depend on each other in order; the shards of
/// a run keep their units in a store of the same kind (`UnitStore`).
final class Journal {
  static let directoryName = ".adv-journal"

  let store: WorkStore

  init(outputDirectory: String, identity: RunIdentity) {
    store = WorkStore(Self.directoryName, in: outputDirectory, identity: identity)
  }

  var identity: RunIdentity { store.identity }
  var manifestPath: String { store.manifestPath }

  /// Where models trained by a run without the model cache are kept for its resumption.
  var modelStore: ModelCache { store.models }

  /// The identity of the run that wrote this directory's journal; nil when there is none.
  func earlierIdentity() throws -> RunIdentity? { try store.recordedIdentity() }

  /// Starts the journal of a new run: forgets the entries of any earlier run here (its
  /// identity first, so a half-cleared journal is never taken for this run's), then records
  /// this run's identity.
  func start() throws(WriteError) {
    unlink(store.manifestPath)
    for dir in [store.directory, modelStore.directory] {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where
        name.hasPrefix("step-") || name.hasSuffix(".safetensors") || TemporaryFileName(parsing: name) != nil {
        unlink((dir as NSString).appendingPathComponent(name))
      }
    }
    try store.recordIdentity()
  }

  /// The key of step `index` (`step.scriptText` is its text with loop values written exactly).
  func key(index: Int, step: PlannedStep) -> String {
    sha256([WorkStore.format, identity.version, identity.scriptHash, identity.seed.map(String.init) ?? "-",
                       String(index), step.scriptText].joined(separator: "|"))
  }

  /// The name of step `index`'s files: `step-00007-<key>`.
  func base(index: Int, key: String) -> String { String(format: "step-%05d-", index) + key.prefix(16) }

  /// What the journal holds for step `index`: nil when it did not finish, a failure (the reason)
  /// when its files are there but do not read back as this step's.
  func entry(index: Int, step: PlannedStep) -> Result<(JournalEntry, AdversarialFile?), JournalReadError>? {
    let key = key(index: index, step: step)
    return store.entry(base(index: index, key: key), isOwn: { $0.step == index && $0.key == key },
                       otherwise: "it belongs to another step")
  }

  /// Records a finished step: its images first, then its entry (the step counts as finished
  /// from that rename on).
  func record(_ entry: JournalEntry, adversarials: AdversarialFile?) throws(WriteError) {
    try store.record(entry, as: base(index: entry.step, key: entry.key), adversarials: adversarials)
  }
}

/// Why `--resume` refuses: the run in the output directory is not this one.
public struct ResumeRefusal: Error, CustomStringConvertible {
  public let directory: String
  public let reasons: [String]

  public var description: String {
    "cannot resume the run in '\(directory)': \(reasons.joined(separator: "; ")); "
      + "run without '--resume' to start it again, or give another '--out'"
  }
}
