import AdvSpec

/// What the checker may ask of the file system. `adv` passes the real one (`LocalFileSystem`),
/// tests a fake one, so the front end itself touches no file. Every path it is asked about is
/// absolute.
public protocol FileSystemView: Sendable {
  /// The working directory, which relative paths start from.
  var currentDirectory: String { get }
  /// What `path` is, following symbolic links.
  func kind(of path: String) -> FileKind
  /// Up to `count` first bytes of the file at `path`; nil when it cannot be read.
  func prefix(of path: String, count: Int) -> [UInt8]?
  /// Whether files can be created in the existing directory `path`.
  func isWritableDirectory(_ path: String) -> Bool
  /// The existing `path` with every symbolic link resolved, as realpath(3) gives it.
  func resolvingSymlinks(_ path: String) -> String
}

/// What is at a path.
public enum FileKind: Sendable, Equatable {
  case missing
  case file(size: Int)
  case directory
  /// A device, socket or pipe.
  case other

  public var isFile: Bool {
    if case .file = self { return true }
    return false
  }
}

/// Where a script reads and writes, and what the checker can say about it before anything runs.
///
/// - A relative output path (`save`, `save adversarials`, `report … to`, `plot`) is placed under
///   the output directory. Nothing is written outside it (`..`, an absolute path, a symbolic link
///   that leads out) unless it lies under a path given with `--allow-write`.
/// - A relative input path (`model … = load`) is read from the working directory, or else from
///   the output directory (where `save` put it); `load … from` reads from the working directory.
///   Reading is not restricted.
///
/// The checker and the session resolve paths with the same functions, so what is checked is
/// what runs.
public struct FileRules: Sendable {
  /// As the user gave it (`--out`, or the default `adv-out/<script name>`).
  public let outputDirectory: String
  /// The `--allow-write` paths, as given.
  public let allowedWrites: [String]
  public let fileSystem: any FileSystemView

  public init(outputDirectory: String, allowedWrites: [String] = [], fileSystem: any FileSystemView) {
    self.outputDirectory = outputDirectory
    self.allowedWrites = allowedWrites
    self.fileSystem = fileSystem
  }

  /// A problem with a path, as a message and a hint that says what to do.
  public struct Problem: Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public let notes: [String]

    public init(_ message: String, hint: String?, notes: [String] = []) {
      self.message = message
      self.hint = hint
      self.notes = notes
    }

    /// `error: …`, `hint: …` and `note: …` lines, for problems that belong to no statement (`--out`).
    public var description: String {
      "error: \(message)\n" + (hint.map { "hint: \($0)\n" } ?? "") + notes.map { "note: \($0)\n" }.joined()
    }
  }

  // MARK: Resolving paths (shared with the session)

  /// Where a statement's output `path` is written: an absolute path as it is, a relative one
  /// under `outputDirectory` (as it is when there is none).
  public static func outputPath(_ path: String, in outputDirectory: String?) -> String {
    guard let outputDirectory, !path.hasPrefix("/") else { return path }
    return DataFiles.join(outputDirectory, path)
  }

  /// Where `model … = load "path"` reads: an absolute path or one that `exists` relative to the
  /// working directory as it is; otherwise the same path under the output directory when that
  /// exists; otherwise `path` (which the reader reports missing).
  public static func inputPath(_ path: String, in outputDirectory: String?, exists: (String) -> Bool) -> String {
    if path.hasPrefix("/") || exists(path) { return path }
    let inOutput = outputPath(path, in: outputDirectory)
    return exists(inOutput) ? inOutput : path
  }

  // MARK: Lexical paths

  /// `path` made absolute against the working directory, with `.`, `..` and repeated slashes
  /// removed as text (which is what the kernel does when no component is a symbolic link).
  public func absolute(_ path: String) -> String { FileRules.normalized(joined(path)) }

  /// `path` made absolute, nothing removed.
  func joined(_ path: String) -> String {
    path.hasPrefix("/") ? path : DataFiles.join(fileSystem.currentDirectory, path)
  }

  /// An absolute path without `.`, `..` or repeated slashes (`..` of the root is the root).
  static func normalized(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == ".." {
        if !parts.isEmpty { parts.removeLast() }
        continue
      }
      parts.append(part)
    }
    return "/" + parts.joined(separator: "/")
  }

  /// Whether `path` is `root` or lies under it (both absolute and normalised).
  static func contains(_ root: String, _ path: String) -> Bool {
    root == "/" || path == root || path.hasPrefix(root + "/")
  }

  static func parent(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  /// An absolute path as messages show it: relative to the working directory when inside it.
  func shown(_ path: String) -> String {
    let cwd = FileRules.normalized(fileSystem.currentDirectory)
    if path == cwd { return "." }
    if cwd != "/" && path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
    return path
  }

  /// `path` (absolute, as written) with the symbolic links of its longest existing prefix
  /// resolved, the rest removed of `.` and `..` as text.
  func real(_ path: String) -> String {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true)
    for k in stride(from: parts.count, through: 0, by: -1) {
      let prefix = "/" + parts[..<k].joined(separator: "/")
      guard fileSystem.kind(of: prefix) != .missing else { continue }
      let resolved = fileSystem.resolvingSymlinks(prefix)
      return FileRules.normalized(([resolved] + parts[k...].map(String.init)).joined(separator: "/"))
    }
    return FileRules.normalized(path)
  }

  /// Where a file written at `path` (absolute, as written) really lands: its directory's links
  /// resolved, not the file's own (a write replaces a link, it does not follow it).
  func realTarget(_ path: String) -> String {
    let name = path.split(separator: "/").last.map(String.init) ?? ""
    if name.isEmpty || name == "." || name == ".." { return real(path) }
    return FileRules.normalized(real(String(path.dropLast(name.count))) + "/" + name)
  }

  // MARK: Writing

  /// Why nothing can be created in `directory` (absolute; it may not exist yet, and is then
  /// created by the write): the nearest existing ancestor, and what is wrong with it.
  func unwritable(_ directory: String) -> (blocker: String, reason: String)? {
    var d = directory
    while true {
      switch fileSystem.kind(of: d) {
      case .directory:
        return fileSystem.isWritableDirectory(d) ? nil : (d, "is not writable")
      case .missing:
        if d == "/" { return (d, "does not exist") }
        d = FileRules.parent(d)
      case .file:
        return (d, "is a file, not a directory")
      case .other:
        return (d, "is not a directory")
      }
    }
  }

  /// Why the output directory cannot be written, or nil. It need not exist: the first file
  /// written creates it.
  public func outputDirectoryProblem() -> Problem? {
    let out = absolute(outputDirectory)
    guard let (blocker, reason) = unwritable(out) else { return nil }
    let hint = "choose another with '--out DIR'"
    if blocker == out { return Problem("the output directory '\(outputDirectory)' \(reason)", hint: hint) }
    return Problem("cannot create the output directory '\(outputDirectory)': '\(shown(blocker))' \(reason)", hint: hint)
  }

  /// Why `keyword` (`save`, `report`, …) cannot write `path` as the script names it, or nil:
  /// outside the output directory and every `--allow-write` path (as written or through a
  /// symbolic link), the run's own `results.json`, a directory, or a place where no file can
  /// be created.
  public func writeProblem(_ path: String, by keyword: String) -> Problem? {
    let written = joined(FileRules.outputPath(path, in: outputDirectory))
    let target = FileRules.normalized(written)
    let out = absolute(outputDirectory)
    let roots = [out] + allowedWrites.map(absolute)
    let outside = "'\(keyword)' would write outside the output directory '\(outputDirectory)'"
    guard roots.contains(where: { FileRules.contains($0, target) }) else {
      return Problem("\(outside): '\(path)'", hint: "pass '--allow-write \(shown(FileRules.parent(target)))' to allow it")
    }
    let landing = realTarget(written)
    let realRoots = roots.map { real(joined($0)) }
    if !realRoots.contains(where: { FileRules.contains($0, landing) }) {
      // The first path on the way down, once inside a root, whose links lead out: the link.
      var link = target
      var prefix = ""
      var entered = false
      for part in written.split(separator: "/") {
        prefix += "/" + part
        entered = entered || roots.contains { FileRules.contains($0, FileRules.normalized(prefix)) }
        if entered && !realRoots.contains(where: { FileRules.contains($0, real(prefix)) }) {
          link = FileRules.normalized(prefix)
          break
        }
      }
      return Problem("\(outside): '\(path)' leads through the symbolic link '\(shown(link))' to '\(landing)'",
                     hint: "pass '--allow-write \(FileRules.parent(landing))' to allow it")
    }
    if target == DataFiles.join(out, "results.json") {
      return Problem("'results.json' in the output directory is the run's own record; '\(keyword)' cannot write it",
                     hint: "choose another file name")
    }
    switch fileSystem.kind(of: target) {
    case .directory:
      return Problem("cannot write '\(path)': it is a directory", hint: "name a file inside it: '\(path)/FILE'")
    case .other:
      return Problem("cannot write '\(path)': it is not a regular file", hint: "choose another file name")
    case .missing, .file:
      break
    }
    if let (blocker, reason) = unwritable(FileRules.parent(target)) {
      return Problem("cannot write '\(path)': '\(shown(blocker))' \(reason)",
                     hint: reason == "is not writable" ? "choose a writable place, or another '--out'" : "choose another path")
    }
    return nil
  }

  /// The absolute, normalised path a statement's output `path` is written to: what two
  /// statements writing the same file share.
  public func target(_ path: String) -> String { absolute(FileRules.outputPath(path, in: outputDirectory)) }

  // MARK: Reading

  /// Why `load DATASET from "path"` cannot read: no such directory, not a directory, or files
  /// of `files` missing.
  public func dataDirectoryProblem(_ path: String, dataset: String, files: DataFiles) -> Problem? {
    let directory = absolute(path)
    let hint = "'from' names a directory holding \(files.contents)"
    let embedded = files.embedded ? ["without 'from', 'load \(dataset)' reads the embedded subset"] : []
    switch fileSystem.kind(of: directory) {
    case .missing:
      return Problem("cannot find the data directory '\(path)'", hint: hint, notes: embedded)
    case .file, .other:
      return Problem("'\(path)' is not a directory", hint: hint, notes: embedded)
    case .directory:
      break
    }
    let located = files.locate(in: directory) { fileSystem.kind(of: $0).isFile }
    guard case .failure(let missing) = located else { return nil }
    let labels = missing.requirements.map(\.label)
    let list = labels.count == 1 ? labels[0] : labels.dropLast().joined(separator: ", ") + " and " + (labels.last ?? "")
    return Problem("the data directory '\(path)' lacks \(list)", hint: "it must hold \(files.contents)")
  }

  /// The files `load DATASET from "path"` reads, as the reader finds them (nil when they are not all there).
  public func dataFiles(_ path: String, files: DataFiles) -> [String]? {
    let directory = absolute(path)
    let located = files.locate(in: directory) { fileSystem.kind(of: $0).isFile }
    return try? located.get().flatMap { $0 }
  }

  /// Why `model … = load "path"` cannot read a checkpoint: missing (and not written by an
  /// earlier statement: `planned` holds their targets), not a regular file, or not starting
  /// like a safetensors file (an 8-byte little-endian header length that fits the file, then
  /// the JSON header's `{`).
  public func checkpointProblem(_ path: String, planned: Set<String> = []) -> Problem? {
    let exists = { (p: String) in fileSystem.kind(of: absolute(p)) != .missing }
    let read = FileRules.inputPath(path, in: outputDirectory, exists: exists)
    let notSafetensors = "'\(path)' is not a safetensors file"
    let hint = "'model … = load' reads safetensors checkpoints, as 'save' writes them"
    switch fileSystem.kind(of: absolute(read)) {
    case .missing:
      if planned.contains(absolute(path)) || planned.contains(target(path)) { return nil }
      return Problem("cannot find the checkpoint '\(path)'",
                     hint: path.hasPrefix("/") ? "check the path"
                       : "a relative path is read from the working directory, or else from the output directory '\(outputDirectory)'")
    case .directory:
      return Problem("'\(path)' is a directory, not a checkpoint file", hint: "name the .safetensors file inside it")
    case .other:
      return Problem("'\(path)' is not a regular file", hint: hint)
    case .file(let size):
      guard let bytes = fileSystem.prefix(of: absolute(read), count: 9) else {
        return Problem("cannot read the checkpoint '\(path)'", hint: "check its permissions")
      }
      guard bytes.count >= 8 else {
        return Problem("\(notSafetensors): it holds \(size) byte\(size == 1 ? "" : "s"), too few for a header length", hint: hint)
      }
      let length = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      guard length > 0, length <= UInt64(size - 8) else {
        return Problem("\(notSafetensors): its first 8 bytes give a header of \(length) bytes, but it holds \(size) bytes", hint: hint)
      }
      guard bytes.count > 8, bytes[8] == UInt8(ascii: "{") else {
        return Problem("\(notSafetensors): its header does not start with '{'", hint: hint)
      }
      return nil
    }
  }
}
