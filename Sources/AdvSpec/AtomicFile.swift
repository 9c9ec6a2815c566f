import Foundation

/// A file that could not be written: the path as the caller gave it and the operating
/// system's reason.
///
///     cannot write 'out/r.json': Permission denied
///     cannot write 'out/r.json': cannot create directory 'out': Not a directory
public struct WriteError: Error, CustomStringConvertible, Equatable, Sendable {
  public let path: String
  public let reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "cannot write '\(path)': \(reason)" }
}

/// Writes `text` as UTF-8 to `path` so that readers see the old file or the new one, never a
/// partial one: the bytes go to a temporary file in the same directory, are flushed to disk
/// (fsync), the temporary file is renamed over `path` (rename(2) is atomic within one file
/// system) and the directory is flushed, so the new name survives a crash too. The temporary
/// file is named `.<name>.tmp-<host>-<pid>-<random>` (`TemporaryFileName`): one that a killed
/// process left behind is recognised and removed by `removeStaleTemporaryFiles(in:)`. Missing
/// parent directories are created. A replaced file keeps its permissions. On failure the
/// temporary file is removed and `path` is untouched.
public func writeAtomically(_ text: String, to path: String) throws(WriteError) {
  try writeAtomically(Array(text.utf8), to: path)
}

/// Writes `bytes` to `path` atomically; see `writeAtomically(_:to:)` for text.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws(WriteError) {
  try bytes.withUnsafeBytes { raw in writeCatching(raw, to: path) }.get()
}

/// Writes `data` to `path` atomically (checkpoints, cache entries).
public func writeAtomically(_ data: Data, to path: String) throws(WriteError) {
  try data.withUnsafeBytes { raw in writeCatching(raw, to: path) }.get()
}

/// The write as a value, for closures that cannot throw a typed error.
private func writeCatching(_ bytes: UnsafeRawBufferPointer, to path: String) -> Result<Void, WriteError> {
  do throws(WriteError) {
    try writeAtomically(bytes, to: path)
    return .success(())
  } catch {
    return .failure(error)
  }
}

func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(WriteError) {
  func failure(_ reason: String) -> WriteError { WriteError(path: path, reason: reason) }
  let parent = (path as NSString).deletingLastPathComponent
  let directory = parent.isEmpty ? "." : parent
  if let (dir, code) = makeDirectories(directory) {
    throw failure("cannot create directory '\(dir)': \(osReason(code))")
  }

  let name = (path as NSString).lastPathComponent
  let temporary = (directory as NSString).appendingPathComponent(TemporaryFileName.make(for: name))
  let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
  guard fd >= 0 else { throw failure(osReason(errno)) }
  var existing = stat()
  if stat(path, &existing) == 0 { fchmod(fd, existing.st_mode & 0o7777) }

  // The crash tests' fault: the process dies with half the bytes written (see `CrashPoint`).
  let dying = CrashPoint.killsDuringWrite(of: path)
  let end = dying ? bytes.count / 2 : bytes.count
  var written = 0
  while written < end {
    let n = write(fd, bytes.baseAddress.map { $0 + written }, end - written)
    if n < 0 && errno == EINTR { continue }
    guard n > 0 else {
      let code = n < 0 ? errno : EIO
      close(fd)
      unlink(temporary)
      throw failure(osReason(code))
    }
    written += n
  }
  if dying { CrashPoint.die(fd) }
  // fsync before rename: otherwise a crash can leave the new name pointing at empty data.
  if fsync(fd) != 0 {
    let code = errno
    close(fd)
    unlink(temporary)
    throw failure(osReason(code))
  }
  if close(fd) != 0 {
    let code = errno
    unlink(temporary)
    throw failure(osReason(code))
  }
  guard rename(temporary, path) == 0 else {
    let code = errno
    unlink(temporary)
    throw failure(osReason(code))
  }
  // Make the rename itself durable; the file is already complete, so failure here is not an error.
  syncDirectory(directory)
}

/// Flushes a directory's entries (a rename or a new name in it) to disk; errors are ignored.
func syncDirectory(_ directory: String) {
  let fd = open(directory, O_RDONLY | O_CLOEXEC)
  if fd >= 0 {
    fsync(fd)
    close(fd)
  }
}

/// Creates `directory` and its missing ancestors (mode 0755, less the umask). Returns the
/// directory that could not be created and the error number, or nil on success.
private func makeDirectories(_ directory: String) -> (String, Int32)? {
  var info = stat()
  if stat(directory, &info) == 0 {
    return (info.st_mode & S_IFMT) == S_IFDIR ? nil : (directory, ENOTDIR)
  }
  // Foundation traps on `deletingLastPathComponent` of a one-character name ("k"); a name
  // without '/' has no parent to create anyway.
  let parent = directory.contains("/") ? (directory as NSString).deletingLastPathComponent : ""
  if !parent.isEmpty && parent != directory, let failed = makeDirectories(parent) { return failed }
  if mkdir(directory, 0o755) != 0 {
    return errno == EEXIST ? nil : (directory, errno)
  }
  // A file renamed into a new directory survives a crash only if the directory's own entry does.
  syncDirectory(parent.isEmpty ? "." : parent)
  return nil
}

/// The C library's message for an error number: "Permission denied".
private func osReason(_ code: Int32) -> String { String(cString: strerror(code)) }
