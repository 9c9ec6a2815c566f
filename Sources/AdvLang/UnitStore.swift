import AdvAttacks
import AdvNN
import AdvSpec
import Foundation

/// The finished units of a sharded run, in its output directory, shared by every shard and read
/// by `adv merge`:
///
///     DIR/units/run.json                               the script, its hash, `--seed`, engine version
///     DIR/units/<kind>-<key>.json                      a finished unit (a `JournalEntry`)
///     DIR/units/<kind>-<key>.adversarials.safetensors  an attack's images
///     DIR/units/<kind>-<key>.failed.json               why a unit failed (removed when it finishes)
///     DIR/units/models/<key>.safetensors               trained models, when shards run without a cache
///
/// Files are written atomically, a unit's JSON last, so a unit is finished exactly when its JSON
/// exists and reads back with its key. Two shards that write the same file write the same bytes.
final class UnitStore {
  static let directoryName = "units"

  let directory: String
  let identity: RunIdentity

  init(outputDirectory: String, identity: RunIdentity) {
    self.directory = (outputDirectory as NSString).appendingPathComponent(Self.directoryName)
    self.identity = identity
  }

  var manifestPath: String { (directory as NSString).appendingPathComponent("run.json") }

  /// Where shards without the model cache keep the models they train, for each other and for merge.
  var models: ModelCache { ModelCache(directory: (directory as NSString).appendingPathComponent("models")) }

  /// The identity recorded by the shards that wrote here; nil when none did.
  static func recordedIdentity(in outputDirectory: String) throws -> RunIdentity? {
    let path = ((outputDirectory as NSString).appendingPathComponent(directoryName) as NSString).appendingPathComponent("run.json")
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    return try Journal.decoder.decode(RunIdentity.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// Records this run's identity unless the same is there; refuses when another script (or
  /// `--seed`, or engine) wrote units here.
  func claim() throws -> Void {
    let outputDirectory = (directory as NSString).deletingLastPathComponent
    if let earlier = try Self.recordedIdentity(in: outputDirectory) {
      let differences = identity.differences(from: earlier)
      guard differences.isEmpty else { throw ShardRefusal(directory: outputDirectory, reasons: differences) }
      return
    }
    try writeAtomically(Journal.encode(identity), to: manifestPath)
  }

  func base(_ unit: WorkUnit) -> String {
    (directory as NSString).appendingPathComponent(unit.kind.rawValue + "-" + unit.key.prefix(32))
  }

  func entryPath(_ unit: WorkUnit) -> String { base(unit) + ".json" }
  func adversarialsPath(_ unit: WorkUnit) -> String { base(unit) + ".adversarials.safetensors" }
  func failurePath(_ unit: WorkUnit) -> String { base(unit) + ".failed.json" }

  /// What the store holds for `unit`: nil when it has not finished, a failure when its files
  /// are there but do not read back as this unit's.
  func entry(_ unit: WorkUnit) -> Result<(JournalEntry, AdversarialFile?), JournalReadError>? {
    let path = entryPath(unit)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do {
      let entry = try Journal.decoder.decode(JournalEntry.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
      guard entry.format == Journal.format, entry.key == unit.key else {
        return .failure(JournalReadError(path: path, reason: "it belongs to another unit"))
      }
      let images = entry.adversarials ? try AdversarialFile(contentsOf: adversarialsPath(unit)) : nil
      return .success((entry, images))
    } catch {
      return .failure(JournalReadError(path: path, reason: "\(error)"))
    }
  }

  /// Whether `unit` finished (its entry reads back).
  func isFinished(_ unit: WorkUnit) -> Bool {
    if case .success? = entry(unit) { return true }
    return false
  }

  /// Records a finished unit: images first, then the entry; then forgets an earlier failure.
  func record(_ entry: JournalEntry, of unit: WorkUnit, adversarials: AdversarialFile?) throws(WriteError) {
    if let adversarials { try adversarials.write(to: adversarialsPath(unit)) }
    try writeAtomically(Journal.encode(entry), to: entryPath(unit))
    unlink(failurePath(unit))
  }

  /// Why a unit failed, as the shard said it.
  struct Failure: Codable {
    var key: String
    var statement: String
    var error: String
  }

  func recordFailure(of unit: WorkUnit, _ message: String) {
    try? writeAtomically(Journal.encode(Failure(key: unit.key, statement: unit.statement, error: message)), to: failurePath(unit))
  }

  func failure(of unit: WorkUnit) -> Failure? {
    guard let data = FileManager.default.contents(atPath: failurePath(unit)) else { return nil }
    return try? Journal.decoder.decode(Failure.self, from: data)
  }
}

/// Why a shard will not write into an output directory: other units are there.
public struct ShardRefusal: Error, CustomStringConvertible {
  public let directory: String
  public let reasons: [String]

  public var description: String {
    "the units in '\(directory)/\(UnitStore.directoryName)' are from another run: \(reasons.joined(separator: "; ")); "
      + "give another '--out', or remove that directory to start again"
  }
}
