import AdvTensor
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
  public func store(_ key: String, net: Network, metadata: [String: String]) throws {
    // The whole state, as `save` writes it: running statistics, normalisation and slope too.
    let st = Checkpoint.contents(of: net, metadata: metadata)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let target = path(key)
    let temporary = target + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: st.serialized()) else {
      throw CheckpointError.unreadable(path: temporary, reason: "cannot write the cache entry")
    }
    guard rename(temporary, target) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw CheckpointError.unreadable(path: target, reason: reason)
    }
  }
}
