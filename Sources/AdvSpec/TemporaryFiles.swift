import Foundation

/// The name of the temporary file `writeAtomically` writes before renaming it into place:
/// `.<name>.tmp-<host>-<pid>-<random>`. Host and process id say who wrote it, so a later run
/// can tell a file a killed process left behind from one another process is still writing.
public struct TemporaryFileName: Equatable, Sendable {
  /// The file it was to become (`results.json`).
  public let target: String
  /// The writer's host name; nil in names written before hosts were recorded (`.tmp-<pid>-<random>`).
  public let host: String?
  public let pid: Int32

  /// A fresh name for a temporary file that becomes `target`.
  static func make(for target: String) -> String {
    ".\(target).tmp-\(currentHost)-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
  }

  /// The parts of `fileName`, or nil when it is not a temporary file of `writeAtomically`.
  public init?(parsing fileName: String) {
    let rest = fileName.dropFirst()
    guard fileName.hasPrefix("."), let marker = rest.range(of: ".tmp-", options: .backwards) else { return nil }
    let target = String(rest[..<marker.lowerBound])
    var fields = rest[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
    guard fields.count >= 2, !target.isEmpty, let random = fields.popLast(), !random.isEmpty,
          random.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
          let pidField = fields.popLast(), let pid = Int32(pidField), pid > 0 else { return nil }
    self.target = target
    self.pid = pid
    self.host = fields.isEmpty ? nil : fields.joined(separator: "-")
  }

  /// This machine's host name as temporary file names carry it: letters, digits, '.' and '-'.
  public static let currentHost: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    let raw = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : ""
    let kept = raw.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-") }
    let name = String(String.UnicodeScalarView(kept.prefix(64)))
    return name.isEmpty ? "localhost" : name
  }()
}

/// Removes the temporary files of atomic writes that can no longer finish from `directory`
/// and its subdirectories down to `depth` levels below it (0: the directory alone); returns
/// the paths removed.
///
/// A temporary file is stale when its writer was on this host and that process is gone (a
/// `kill -9` mid-write), or when it is more than a day old whatever wrote it (another host of
/// a shared cache directory, whose processes cannot be asked). A file another live process is
/// writing is never touched, and nothing but `writeAtomically`'s names is: a user's own
/// dot-files stay. Symbolic links are not followed. Files that cannot be removed are left.
@discardableResult
public func removeStaleTemporaryFiles(in directory: String, depth: Int = 0, now: Date = Date()) -> [String] {
  var removed: [String] = []
  var pending = [(directory, 0)]
  while let (dir, level) = pending.popLast() {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
    for name in names.sorted() {
      let path = (dir as NSString).appendingPathComponent(name)
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      let kind = info.st_mode & S_IFMT
      if kind == S_IFDIR {
        if level < depth { pending.append((path, level + 1)) }
        continue
      }
      guard kind == S_IFREG, let temporary = TemporaryFileName(parsing: name) else { continue }
      let age = now.timeIntervalSince1970 - Double(info.st_mtim.tv_sec)
      let local = temporary.host == nil || temporary.host == TemporaryFileName.currentHost
      let writerGone = local && temporary.pid != getpid() && kill(temporary.pid, 0) != 0 && errno == ESRCH
      if (writerGone || age > 24 * 3600) && unlink(path) == 0 { removed.append(path) }
    }
  }
  return removed.sorted()
}

/// A fault for the crash tests (`make crash-test`): with `ADV_KILL_DURING_WRITE=TEXT` in the
/// environment, the first atomic write whose path contains TEXT stops with half its bytes in
/// the temporary file, flushes them and kills the process with SIGKILL: exactly what `kill -9`
/// at that moment leaves on disk, at a moment a random kill rarely hits.
enum CrashPoint {
  static let pattern: String? = ProcessInfo.processInfo.environment["ADV_KILL_DURING_WRITE"].flatMap { $0.isEmpty ? nil : $0 }

  static func killsDuringWrite(of path: String) -> Bool {
    guard let pattern else { return false }
    return path.contains(pattern)
  }

  static func die(_ fd: Int32) -> Never {
    fsync(fd)
    FileHandle.standardError.write(Data("killed during a write (ADV_KILL_DURING_WRITE)\n".utf8))
    kill(getpid(), SIGKILL)
    // SIGKILL cannot be caught; this is not reached.
    abort()
  }
}
