import AdvSpec
import Foundation

/// The real file system, as the checker sees it (`FileSystemView`).
public struct LocalFileSystem: FileSystemView {
  public init() {}

  public var currentDirectory: String { FileManager.default.currentDirectoryPath }

  public func kind(of path: String) -> FileKind {
    var info = stat()
    guard stat(path, &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file(size: Int(info.st_size))
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  public func prefix(of path: String, count: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + filled }, count - filled) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      filled += n
    }
    return Array(bytes.prefix(filled))
  }

  /// access(2) with W_OK and X_OK. For root, which access(2) answers yes almost everywhere
  /// (`/proc` included), a file is created and removed again to be sure.
  public func isWritableDirectory(_ path: String) -> Bool {
    guard access(path, W_OK | X_OK) == 0 else { return false }
    guard geteuid() == 0 else { return true }
    let probe = DataFiles.join(path, ".adv-write-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return false }
    close(fd)
    unlink(probe)
    return true
  }

  public func resolvingSymlinks(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
