import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
public final class Progress {
  let label: String
  let total: Int
  let enabled: Bool
  var lastDraw = Date.distantPast
  let start = Date()

  public init(_ label: String, total: Int, enabled: Bool = isatty(2) == 1) {
    self.label = label
    self.total = max(total, 1)
    self.enabled = enabled
  }

  /// Redraws at most ten times a second; `note` is appended (e.g. the running loss).
  public func update(_ done: Int, note: String = "") {
    guard enabled else { return }
    let now = Date()
    guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = now
    let width = 24
    let filled = min(width, done * width / total)
    let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
    let elapsed = now.timeIntervalSince(start)
    let line = String(format: "\r\u{1B}[2K%@ %@ %d/%d %.1fs %@", label, bar, done, total, elapsed, note)
    FileHandle.standardError.write(line.data(using: .utf8) ?? Data())
  }

  /// Clears the line.
  public func finish() {
    guard enabled else { return }
    FileHandle.standardError.write("\r\u{1B}[2K".data(using: .utf8) ?? Data())
  }
}

/// Set by SIGINT while a statement runs; long loops poll it and stop with `Interrupted`.
public enum Interrupt {
  nonisolated(unsafe) static var flag: UnsafeMutablePointer<Int32> = {
    let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
  }()

  public static var requested: Bool { flag.pointee != 0 }
  public static func request() { flag.pointee = 1 }
  public static func clear() { flag.pointee = 0 }

  /// Throws `Interrupted` when Ctrl-C was pressed.
  public static func check() throws {
    if flag.pointee != 0 { throw Interrupted() }
  }
}

/// The statement was stopped by Ctrl-C.
public struct Interrupted: Error, CustomStringConvertible {
  public init() {}
  public var description: String { "interrupted" }
}
