import AdvAttacks
import AdvNN
import AdvReport
import AdvSpec
import Foundation

/// What makes two runs the same run for `adv run --resume`: the script (its text, whose hash
/// records carry), the seed given on the command line and the engine version. The data set and
/// model cache are not part of it: they are inputs a run reads, not choices it makes.
struct RunIdentity: Codable, Equatable {
  var format = Journal.format
  var version: String
  var script: String
  var scriptHash: String
  var scriptText: String
  /// `--seed`; nil when the script's `seed` statements decide.
  var seed: UInt64?

  enum CodingKeys: String, CodingKey {
    case format, version, script, seed
    case scriptHash = "script_hash", scriptText = "script_text"
  }

  /// What differs between the run that wrote a journal (`earlier`) and this one, as clauses
  /// of an error message; empty when this run may resume it.
  func differences(from earlier: RunIdentity) -> [String] {
    var out: [String] = []
    if earlier.format != format {
      out.append("its journal has format '\(earlier.format)', this adv writes '\(format)'")
    }
    if earlier.version != version {
      out.append("it ran on adv \(earlier.version), this is adv \(version)")
    }
    if earlier.scriptHash != scriptHash {
      out.append("the script changed since it ran (\(Self.firstDifference(earlier.scriptText, scriptText)))")
    }
    if earlier.seed != seed {
      func shown(_ s: UInt64?) -> String { s.map { "'--seed \($0)'" } ?? "no '--seed'" }
      out.append("it ran with \(shown(earlier.seed)), this run has \(shown(seed))")
    }
    return out
  }

  /// `line 7 was 'attack bim eps=8/255 on m', now 'attack bim eps=16/255 on m'`.
  static func firstDifference(_ old: String, _ new: String) -> String {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false)
    for i in 0..<max(a.count, b.count) {
      let x = i < a.count ? String(a[i]) : nil, y = i < b.count ? String(b[i]) : nil
      guard x != y else { continue }
      func quoted(_ s: String?) -> String {
        guard let s else { return "absent" }
        let t = s.trimmingCharacters(in: .whitespaces)
        return "'" + (t.count > 60 ? String(t.prefix(57)) + "..." : t) + "'"
      }
      return "line \(i + 1) was \(quoted(x)), now \(quoted(y))"
    }
    return "only white space at line ends differs"
  }
}

/// One finished step as the journal keeps it: what it added to the report, what it printed,
/// the session counters after it, and for `plot` the drawn figures (for `report html`).
struct JournalEntry: Codable {
  var format = Journal.format
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
/// a killed run without recomputing what finished:
///
///     DIR/.adv-journal/run.json                          the run's identity (`RunIdentity`)
///     DIR/.adv-journal/step-00007-<key>.json             a finished step (`JournalEntry`)
///     DIR/.adv-journal/step-00007-<key>.adversarials.safetensors
///                                                        an attack step's images (`AdversarialFile`)
///     DIR/.adv-journal/models/<key>.safetensors          trained models, when the run has no model cache
///
/// Every file is written atomically, and a step's JSON last (after its images), so a finished
/// step is exactly one whose JSON exists and reads back. A step's key hashes the journal format,
/// the run's identity (script hash, `--seed`, engine version), the step's index and its checked
/// text: an entry of any other run never matches.
///
/// A step is the unit here because a script's steps depend on each other in order. Sharded runs
/// can grow from the same files: key an entry by its unit of work instead of its index, and skip
/// units whose entry exists.
final class Journal {
  static let directoryName = ".adv-journal"
  static let format = "adv-journal/1"

  let directory: String
  let identity: RunIdentity

  init(outputDirectory: String, identity: RunIdentity) {
    self.directory = (outputDirectory as NSString).appendingPathComponent(Self.directoryName)
    self.identity = identity
  }

  var manifestPath: String { (directory as NSString).appendingPathComponent("run.json") }

  /// Where models trained by a run without the model cache are kept for its resumption.
  var modelStore: ModelCache { ModelCache(directory: (directory as NSString).appendingPathComponent("models")) }

  /// The identity of the run that wrote this directory's journal; nil when there is none.
  func earlierIdentity() throws -> RunIdentity? {
    guard FileManager.default.fileExists(atPath: manifestPath) else { return nil }
    return try Self.decoder.decode(RunIdentity.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
  }

  /// Starts the journal of a new run: forgets the entries of any earlier run here (its
  /// identity first, so a half-cleared journal is never taken for this run's), then records
  /// this run's identity.
  func start() throws(WriteError) {
    unlink(manifestPath)
    for dir in [directory, modelStore.directory] {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where
        name.hasPrefix("step-") || name.hasSuffix(".safetensors") || TemporaryFileName(parsing: name) != nil {
        unlink((dir as NSString).appendingPathComponent(name))
      }
    }
    try writeAtomically(Self.encode(identity), to: manifestPath)
  }

  /// The key of step `index` (`step.scriptText` is its text with loop values written exactly).
  func key(index: Int, step: PlannedStep) -> String {
    ModelCache.sha256([Self.format, identity.version, identity.scriptHash, identity.seed.map(String.init) ?? "-",
                       String(index), step.scriptText].joined(separator: "|"))
  }

  func entryPath(index: Int, key: String) -> String {
    (directory as NSString).appendingPathComponent(String(format: "step-%05d-", index) + key.prefix(16) + ".json")
  }

  func adversarialsPath(index: Int, key: String) -> String {
    (directory as NSString).appendingPathComponent(String(format: "step-%05d-", index) + key.prefix(16) + ".adversarials.safetensors")
  }

  /// What the journal holds for step `index`: nil when it did not finish, a failure (the reason)
  /// when its files are there but do not read back as this step's.
  func entry(index: Int, step: PlannedStep) -> Result<(JournalEntry, AdversarialFile?), JournalReadError>? {
    let key = key(index: index, step: step)
    let path = entryPath(index: index, key: key)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do {
      let entry = try Self.decoder.decode(JournalEntry.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
      guard entry.format == Self.format, entry.step == index, entry.key == key else {
        return .failure(JournalReadError(path: path, reason: "it belongs to another step"))
      }
      let images = entry.adversarials ? try AdversarialFile(contentsOf: adversarialsPath(index: index, key: key)) : nil
      return .success((entry, images))
    } catch {
      return .failure(JournalReadError(path: path, reason: "\(error)"))
    }
  }

  /// Records a finished step: its images first, then its entry (the step counts as finished
  /// from that rename on).
  func record(_ entry: JournalEntry, adversarials: AdversarialFile?) throws(WriteError) {
    if let adversarials { try adversarials.write(to: adversarialsPath(index: entry.step, key: entry.key)) }
    try writeAtomically(Self.encode(entry), to: entryPath(index: entry.step, key: entry.key))
  }

  static func encode(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // As results.json writes non-finite numbers, so records read back exactly as they were.
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    } catch {
      preconditionFailure("a journal entry holds only records, strings and numbers: \(error)")
    }
  }

  static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }
}

/// A journal file that exists but does not read back.
struct JournalReadError: Error, CustomStringConvertible {
  let path: String
  let reason: String
  var description: String { "'\(path)' cannot be used: \(reason)" }
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
