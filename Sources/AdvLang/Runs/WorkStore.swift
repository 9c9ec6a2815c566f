import AdvAttacks
import AdvNN
import AdvSpec
import Foundation

/// A directory of finished work in a run's output directory: the journal of `adv run --resume`
/// (`Journal`, `DIR/.adv-journal/`) and the units of a sharded run (`UnitStore`, `DIR/units/`).
///
///     STORE/run.json                           the identity of the run that writes here (`RunIdentity`)
///     STORE/<entry>.json                       a finished piece of work (`JournalEntry`)
///     STORE/<entry>.adversarials.safetensors   an attack's images (`AdversarialFile`)
///     STORE/models/<key>.safetensors           trained models, when the run has no model cache
///
/// Every file is written atomically, an entry's JSON last (after its images), so a piece of work
/// is finished exactly when its JSON exists and reads back as its own. The stores differ in how
/// they name an entry (a step's index, a unit's kind) and in what they do with another run's
/// files: the journal forgets them, shards refuse to write beside them.
struct WorkStore {
  /// The format of manifests and entries, in both stores.
  static let format = "adv-journal/1"

  let directory: String
  let identity: RunIdentity

  /// The store `name` (`.adv-journal`, `units`) in `outputDirectory`.
  init(_ name: String, in outputDirectory: String, identity: RunIdentity) {
    self.directory = (outputDirectory as NSString).appendingPathComponent(name)
    self.identity = identity
  }

  /// The file `name` in the store.
  func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

  var manifestPath: String { Self.manifestPath(in: directory) }

  static func manifestPath(in directory: String) -> String { (directory as NSString).appendingPathComponent("run.json") }

  /// Where a run without the model cache keeps the models it trains.
  var models: ModelCache { ModelCache(directory: path("models")) }

  /// The identity of the run that wrote this store's manifest; nil when there is none.
  func recordedIdentity() throws -> RunIdentity? { try Self.identity(inManifest: manifestPath) }

  /// The identity recorded in the manifest of the store `name` in `outputDirectory`; nil when
  /// there is none.
  static func recordedIdentity(of name: String, in outputDirectory: String) throws -> RunIdentity? {
    try identity(inManifest: manifestPath(in: (outputDirectory as NSString).appendingPathComponent(name)))
  }

  private static func identity(inManifest path: String) throws -> RunIdentity? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    return try decoder.decode(RunIdentity.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// Writes this run's identity as the manifest.
  func recordIdentity() throws(WriteError) {
    try writeAtomically(Self.encode(identity), to: manifestPath)
  }

  func entryPath(_ base: String) -> String { path(base + ".json") }
  func adversarialsPath(_ base: String) -> String { path(base + ".adversarials.safetensors") }

  /// The entry named `base` with its images: nil when it did not finish, a failure when its files
  /// are there but do not read back, or it is not `isOwn` (the failure's reason is `otherwise`).
  func entry(_ base: String, isOwn: (JournalEntry) -> Bool,
             otherwise: String) -> Result<(JournalEntry, AdversarialFile?), JournalReadError>? {
    let path = entryPath(base)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do {
      let entry = try Self.decoder.decode(JournalEntry.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
      guard entry.format == Self.format, isOwn(entry) else { return .failure(JournalReadError(path: path, reason: otherwise)) }
      let images = entry.adversarials ? try AdversarialFile(contentsOf: adversarialsPath(base)) : nil
      return .success((entry, images))
    } catch {
      return .failure(JournalReadError(path: path, reason: "\(error)"))
    }
  }

  /// Records a finished piece of work as the entry `base`: its images first, then its JSON (it
  /// counts as finished from that rename on).
  func record(_ entry: JournalEntry, as base: String, adversarials: AdversarialFile?) throws(WriteError) {
    if let adversarials { try adversarials.write(to: adversarialsPath(base)) }
    try writeAtomically(Self.encode(entry), to: entryPath(base))
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

/// What makes two runs the same run, for `adv run --resume` and for the shards of one run: the
/// script (its text, whose hash records carry), the seed given on the command line and the engine
/// version. The data set and model cache are not part of it: they are inputs a run reads, not
/// choices it makes.
struct RunIdentity: Codable, Equatable {
  var format = WorkStore.format
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

  /// What differs between the run that wrote a store (`earlier`) and this one, as clauses of an
  /// error message; empty when this run may resume it or add to it.
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

/// A store's file that exists but does not read back.
struct JournalReadError: Error, CustomStringConvertible {
  let path: String
  let reason: String
  var description: String { "'\(path)' cannot be used: \(reason)" }
}
