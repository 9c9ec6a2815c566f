import Foundation

/// The bytes of the file at `path`, read with open(2) and read(2); nil when it cannot be
/// opened or read (`errno` says why). The buffer is sized by the file system's size of the
/// file, never by anything inside it.
///
/// Not `FileManager.contents(atPath:)`: it leaks a 4 KB buffer for every empty file, which the
/// readers' fuzzing under LeakSanitizer reports.
public func readFileBytes(_ path: String) -> [UInt8]? {
  let fd = open(path, O_RDONLY)
  guard fd >= 0 else { return nil }
  defer { close(fd) }
  var info = stat()
  guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
  var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
  var filled = 0
  while true {
    if filled == bytes.count { bytes += [UInt8](repeating: 0, count: max(4096, bytes.count / 2)) }
    let n = bytes.withUnsafeMutableBytes { buffer -> Int in
      guard let base = buffer.baseAddress else { return -1 }
      return read(fd, base + filled, buffer.count - filled)
    }
    if n < 0 && errno == EINTR { continue }
    guard n >= 0 else { return nil }
    if n == 0 { break }
    filled += n
  }
  bytes.removeLast(bytes.count - filled)
  return bytes
}
