import Foundation

/// A file that could not be written, with the operating system's reason.
public struct WriteError: Error, CustomStringConvertible {
  public let path: String
  public let reason: String
  public var description: String { "cannot write '\(path)': \(reason)" }
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, flushed to disk,
/// then renamed over the target, so readers see the old or the new file, never a partial one.
/// Missing parent directories are created.
public func writeAtomically(_ text: String, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  let dir = url.deletingLastPathComponent().path
  do {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  } catch {
    throw WriteError(path: path, reason: "cannot create directory '\(dir)'")
  }
  let temporary = dir + "/.\(url.lastPathComponent).tmp-\(getpid())"
  let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
  let bytes = Array(text.utf8)
  var written = 0
  while written < bytes.count {
    let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    if n < 0 {
      let reason = String(cString: strerror(errno))
      close(fd)
      unlink(temporary)
      throw WriteError(path: path, reason: reason)
    }
    written += n
  }
  fsync(fd)
  close(fd)
  guard rename(temporary, path) == 0 else {
    let reason = String(cString: strerror(errno))
    unlink(temporary)
    throw WriteError(path: path, reason: reason)
  }
}
