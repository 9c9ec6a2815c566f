import AdvAttacks
import AdvNN
import AdvSpec
import Foundation

/// The finished units of a sharded run, in its output directory, shared by every shard and read
/// by `adv merge` (a `WorkStore`):
///
///     DIR/units/run.json                               the script, its hash, `--seed`, engine version
///     DIR/units/<kind>-<key>.json                      a finished unit (a `JournalEntry`)
///     DIR/units/<kind>-<key>.adversarials.safetensors  an attack's images
///     DIR/units/<kind>-<key>.failed.json               why a unit failed (removed when it finishes)
///     DIR/units/models/<key>.safetensors               trained models, when shards run without a cache
///
/// A unit is finished exactly when its JSON exists and reads back with its key. Two shards that
/// write the same file write the same bytes.
final class UnitStore {
  static let directoryName = "units"

  let store: WorkStore

  init(outputDirectory: String, identity: RunIdentity) {
    store = WorkStore(Self.directoryName, in: outputDirectory, identity: identity)
  }

  var directory: String { store.directory }

  /// Where shards without the model cache keep the models they train, for each other and for merge.
  var models: ModelCache { store.models }

  /// The identity recorded by the shards that wrote here; nil when none did.
  static func recordedIdentity(in outputDirectory: String) throws -> RunIdentity? {
    try WorkStore.recordedIdentity(of: directoryName, in: outputDirectory)
  }

  /// Records this run's identity unless the same is there; refuses when another script (or
  /// `--seed`, or engine) wrote units here.
  func claim() throws -> Void {
    if let earlier = try store.recordedIdentity() {
      let differences = store.identity.differences(from: earlier)
      guard differences.isEmpty else {
        throw ShardRefusal(directory: (directory as NSString).deletingLastPathComponent, reasons: differences)
      }
      return
    }
    try store.recordIdentity()
  }

  /// The name of `unit`'s files: `<kind>-<key>`.
  func base(_ unit: WorkUnit) -> String { unit.kind.rawValue + "-" + unit.key.prefix(32) }

  func failurePath(_ unit: WorkUnit) -> String { store.path(base(unit) + ".failed.json") }

  /// What the store holds for `unit`: nil when it has not finished, a failure when its files
  /// are there but do not read back as this unit's.
  func entry(_ unit: WorkUnit) -> Result<(JournalEntry, AdversarialFile?), JournalReadError>? {
    store.entry(base(unit), isOwn: { $0.key == unit.key }, otherwise: "it belongs to another unit")
  }

  /// Whether `unit` finished (its entry reads back).
  func isFinished(_ unit: WorkUnit) -> Bool {
    if case .success? = entry(unit) { return true }
    return false
  }

  /// Records a finished unit: images first, then the entry; then forgets an earlier failure.
  func record(_ entry: JournalEntry, of unit: WorkUnit, adversarials: AdversarialFile?) throws(WriteError) {
    try store.record(entry, as: base(unit), adversarials: adversarials)
    unlink(failurePath(unit))
  }

  /// Why a unit failed, as the shard said it.
  struct Failure: Codable {
    var key: String
    var statement: String
    var error: String
  }

  func recordFailure(of unit: WorkUnit, _ message: String) {
    try? writeAtomically(WorkStore.encode(Failure(key: unit.key, statement: unit.statement, error: message)), to: failurePath(unit))
  }

  func failure(of unit: WorkUnit) -> Failure? {
    guard let data = FileManager.default.contents(atPath: failurePath(unit)) else { return nil }
    return try? WorkStore.decoder.decode(Failure.self, from: data)
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
