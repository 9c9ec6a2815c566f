import AdvLang

/// A file system in memory for checker tests: directories (writable or not), files with their
/// bytes, and symbolic links, resolved as the kernel resolves them (`..` after a link goes to
/// the parent of where the link leads).
struct FakeFileSystem: FileSystemView {
  enum Entry: Equatable {
    case file([UInt8])
    case directory(writable: Bool)
    case link(String)
  }

  var entries: [String: Entry] = ["/": .directory(writable: true)]
  var currentDirectory: String

  init(currentDirectory: String = "/project") {
    self.currentDirectory = currentDirectory
    addDirectory(currentDirectory)
  }

  /// `path` against the working directory.
  func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : currentDirectory + "/" + path }

  /// A directory and its missing ancestors (writable).
  mutating func addDirectory(_ path: String, writable: Bool = true) {
    let path = absolute(path)
    var current = ""
    for part in path.split(separator: "/") {
      current += "/" + part
      if entries[current] == nil { entries[current] = .directory(writable: true) }
    }
    entries[path] = .directory(writable: writable)
  }

  mutating func addFile(_ path: String, _ bytes: [UInt8]) {
    let path = absolute(path)
    addDirectory(parent(path))
    entries[path] = .file(bytes)
  }

  mutating func addLink(_ path: String, to target: String) {
    let path = absolute(path)
    addDirectory(parent(path))
    entries[path] = .link(target)
  }

  func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  /// The path of the entry `path` names after following every link, or nil when there is none.
  func resolve(_ path: String, depth: Int = 0) -> String? {
    guard depth < 40 else { return nil }
    var current = "/"
    for part in absolute(path).split(separator: "/") {
      if part == "." { continue }
      if part == ".." {
        current = parent(current)
        continue
      }
      guard case .directory? = entries[current] else { return nil }
      let candidate = current == "/" ? "/" + part : current + "/" + part
      switch entries[candidate] {
      case nil:
        return nil
      case .link(let target)?:
        guard let resolved = resolve(target.hasPrefix("/") ? target : current + "/" + target, depth: depth + 1) else { return nil }
        current = resolved
      case .file?, .directory?:
        current = candidate
      }
    }
    return current
  }

  func kind(of path: String) -> FileKind {
    guard let resolved = resolve(path) else { return .missing }
    switch entries[resolved] {
    case .file(let bytes)?: return .file(size: bytes.count)
    case .directory?: return .directory
    case .link?, nil: return .missing
    }
  }

  func prefix(of path: String, count: Int) -> [UInt8]? {
    guard let resolved = resolve(path), case .file(let bytes)? = entries[resolved] else { return nil }
    return Array(bytes.prefix(count))
  }

  func isWritableDirectory(_ path: String) -> Bool {
    guard let resolved = resolve(path), case .directory(let writable)? = entries[resolved] else { return false }
    return writable
  }

  func resolvingSymlinks(_ path: String) -> String { resolve(path) ?? path }

  /// The smallest safetensors file: a header length of 2, then `{}`.
  static let checkpoint: [UInt8] = [2, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)
}
