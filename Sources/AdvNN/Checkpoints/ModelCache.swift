import AdvTensor
import Crypto
import Foundation

/// Content-addressed store of trained networks: `<dir>/<key>.safetensors`, where the key is a
/// hash of everything that determines the weights (data set, architecture, parameters, seed,
/// engine version). Entries are written atomically; a corrupt entry is reported and rebuilt.
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
    return sha256(parts.joined(separator: "|"))
  }

  /// The SHA-256 of `text`'s UTF-8 bytes, as 64 lower-case hex digits.
  public static func sha256(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
  }

  /// The SHA-256 of `data`, as 64 lower-case hex digits.
  public static func sha256(of data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  func path(_ key: String) -> String { (directory as NSString).appendingPathComponent(key + ".safetensors") }

  public enum Lookup {
    case hit(SafeTensors)
    case miss
    case corrupt(String)
  }

  public func lookup(_ key: String) -> Lookup {
    let p = path(key)
    guard FileManager.default.fileExists(atPath: p) else { return .miss }
    do {
      return .hit(try SafeTensors(contentsOf: p))
    } catch {
      return .corrupt("\(error)")
    }
  }

  /// Stores `net`'s parameters with `metadata` under `key`, atomically.
  public func store(_ key: String, net: Network, metadata: [String: String]) throws(WriteError) {
    // The whole state, as `save` writes it: running statistics, normalisation and slope too.
    let st = Checkpoint.contents(of: net, metadata: metadata)
    try writeAtomically(st.serialized(), to: path(key))
  }
}
