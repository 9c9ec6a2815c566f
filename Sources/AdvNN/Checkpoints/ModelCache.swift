import AdvSpec
import AdvTensor
import Foundation

/// Content-addressed store of trained networks: `<dir>/<key>.safetensors`, where the key is a
/// hash of everything that determines the weights (data set, architecture, parameters, seed,
/// engine version). Entries are written atomically (a killed writer leaves the old entry or
/// none, never part of one) and carry a checksum of their tensors; an entry that does not parse
/// or whose tensors do not match the checksum is reported as corrupt, and callers train again.
public struct ModelCache {
  public let directory: String

  /// `$ADV_CACHE`, else `$HOME/.cache/adv`.
  public static var defaultDirectory: String {
    if let d = ProcessInfo.processInfo.environment["ADV_CACHE"], !d.isEmpty { return d }
    return ((ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) as NSString).appendingPathComponent(".cache/adv")
  }

  public init(directory: String = ModelCache.defaultDirectory) {
    self.directory = directory
  }

  /// The key of a trained model: a hash of everything that determines its weights. `version`
  /// is the engine's (a new engine trains again); `source` is the key of the model training
  /// started from (`train … from MODEL`), so a changed source trains again too.
  public static func key(version: String, dataset: String, architecture: String, params: Params, seed: UInt64,
                         source: String? = nil) -> String {
    var parts = ["v1", version, dataset, architecture, params.canonicalDescription, String(seed)]
    if let source { parts.append("from:" + source) }
    return AdvSpec.sha256(parts.joined(separator: "|"))
  }

  func path(_ key: String) -> String { (directory as NSString).appendingPathComponent(key + ".safetensors") }

  public enum Lookup {
    case hit(SafeTensors)
    case miss
    case corrupt(String)
  }

  /// The entry under `key`: `.corrupt` with the reason when it does not parse or its tensors
  /// differ from the checksum written with them (entries from before checksums are taken as
  /// they parse).
  public func lookup(_ key: String) -> Lookup {
    let p = path(key)
    guard FileManager.default.fileExists(atPath: p) else { return .miss }
    do {
      let st = try SafeTensors(contentsOf: p)
      if let recorded = st.metadata[Self.checksumKey], recorded != Self.checksum(st) {
        return .corrupt("'\(p)': its tensors do not match the checksum written with them")
      }
      return .hit(st)
    } catch {
      return .corrupt("\(error)")
    }
  }

  /// Stores `net`'s parameters with `metadata` under `key`, atomically, with a checksum.
  public func store(_ key: String, net: Network, metadata: [String: String]) throws(WriteError) {
    // The whole state, as `save` writes it: running statistics, normalisation and slope too.
    var st = Checkpoint.contents(of: net, metadata: metadata)
    st.metadata[Self.checksumKey] = Self.checksum(st)
    try writeAtomically(st.serialized(), to: path(key))
  }

  /// Removes temporary files that killed writers left in the cache directory; returns them.
  @discardableResult
  public func removeStaleTemporaryFiles() -> [String] {
    AdvSpec.removeStaleTemporaryFiles(in: directory)
  }

  /// The metadata key of an entry's checksum.
  static let checksumKey = "tensors_sha256"

  /// SHA-256 over every tensor's name, shape and little-endian values, in name order.
  static func checksum(_ st: SafeTensors) -> String {
    var hash = SHA256Hasher()
    func add(_ name: String, _ shape: [Int]) {
      hash.update(name + "|" + shape.map(String.init).joined(separator: "x") + "|")
    }
    for name in st.tensors.keys.sorted() {
      guard let t = st.tensors[name] else { continue }
      add(name, t.shape)
      t.scalars.map(\.bitPattern.littleEndian).withUnsafeBytes { hash.update(bytes: $0) }
    }
    for name in st.integers.keys.sorted() {
      guard let v = st.integers[name] else { continue }
      add(name, st.integerShapes[name] ?? [v.count])
      v.map { Int64($0).littleEndian }.withUnsafeBytes { hash.update(bytes: $0) }
    }
    return hash.finalize()
  }
}
