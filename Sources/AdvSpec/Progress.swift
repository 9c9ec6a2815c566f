import Foundation

/// How long work shows its progress on stderr: a bar redrawn in place (a terminal), plain
/// lines every few seconds (logs of batch jobs, CI, `nohup`), or nothing.
public enum ProgressStyle: String, Sendable, CaseIterable {
  case bar, lines, off
}

/// What a progress counts, as its lines say it: `40/100 samples`, `epoch 3/20, batch 120/469`.
public enum ProgressUnit: Sendable, Equatable {
  /// `done/total NAME`.
  case count(String)
  /// Epochs of `per` steps each, the steps called `step`: `epoch 3/20, batch 120/469`.
  case epochs(per: Int, step: String)

  /// Where `done` of `total` stands. Step `done` (1-based) belongs to epoch `(done − 1) / per + 1`,
  /// so the last batch of epoch 3 reads `epoch 3/20, batch 469/469`, not epoch 4.
  public func position(_ done: Int, of total: Int) -> String {
    switch self {
    case .count(let name):
      return "\(done)/\(total) \(name)"
    case .epochs(let per, let step):
      let per = max(per, 1), epochs = max((total + per - 1) / per, 1)
      let epoch = done == 0 ? 1 : min((done - 1) / per + 1, epochs)
      let inEpoch = done == 0 ? 0 : (done - 1) % per + 1
      return "epoch \(epoch)/\(epochs), \(step) \(inEpoch)/\(per)"
    }
  }
}

/// Progress of one unit of work (training a model, attacking samples, drawing a figure) on
/// stderr. `Progress.style` decides how: on a terminal a bar redrawn at most ten times a second
/// and cleared at the end; otherwise complete lines, at most one every `Progress.interval`
/// seconds and one when the unit finishes:
///
///     [00:01:12] attack bim on net: 40/100 samples, ASR so far 0.62, elapsed 12.0 s, eta 18.0 s
///
/// The stamp is the time since the run started. `update` and `finish` may be called from any
/// thread; each line is written whole, in one `write`.
public final class Progress: @unchecked Sendable {
  let label: String
  let total: Int
  let unit: ProgressUnit
  let style: ProgressStyle
  let interval: Double
  let clock: @Sendable () -> Date
  let write: @Sendable (String) -> Void
  let origin: Date
  let start: Date
  let lock = NSLock()
  var lastDraw: Date
  var done = 0
  var note = ""

  /// `style` and `interval` default to the run's settings (`Progress.configure`); `clock`,
  /// `origin` and `write` are for tests.
  public init(_ label: String, total: Int, unit: ProgressUnit = .count("steps"), style: ProgressStyle? = nil,
              interval: Double? = nil, clock: @escaping @Sendable () -> Date = { Date() }, origin: Date? = nil,
              write: @escaping @Sendable (String) -> Void = Progress.standardError) {
    self.label = label
    self.total = max(total, 1)
    self.unit = unit
    let settings = Progress.settings
    self.style = style ?? settings.style
    self.interval = max(interval ?? settings.interval, 0)
    self.clock = clock
    self.write = write
    self.origin = origin ?? settings.origin
    start = clock()
    lastDraw = self.style == .bar ? .distantPast : start
  }

  /// Records that `done` of `total` are done; `note` is the running metric (`loss 0.412`,
  /// `ASR so far 0.62`). Draws the bar at most ten times a second, a line at most once per interval.
  public func update(_ done: Int, note: String = "") {
    guard style != .off else { return }
    lock.lock()
    defer { lock.unlock() }
    (self.done, self.note) = (done, note)
    let now = clock()
    switch style {
    case .bar:
      guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
      lastDraw = now
      let width = 24
      let filled = max(0, min(width, done * width / total))
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
      let text = String(format: "%@ %@ %@ %.1fs", label, bar, unit.position(done, of: total), now.timeIntervalSince(start))
      write("\r\u{1B}[2K" + text + (note.isEmpty ? "" : " " + note))
    case .lines:
      // The last step is `finish`'s line.
      guard done < total, now.timeIntervalSince(lastDraw) >= interval else { return }
      lastDraw = now
      write(line(at: now, finished: false) + "\n")
    case .off:
      return
    }
  }

  /// Ends the unit: clears the bar, or writes the final line.
  public func finish() {
    lock.lock()
    defer { lock.unlock() }
    switch style {
    case .bar: write("\r\u{1B}[2K")
    case .lines: write(line(at: clock(), finished: true) + "\n")
    case .off: break
    }
  }

  /// One line: stamp, label, position, note, elapsed, and the estimate (linear in `done`), or
  /// how the unit ended.
  func line(at now: Date, finished: Bool) -> String {
    let elapsed = now.timeIntervalSince(start)
    var parts = [unit.position(done, of: total)]
    if !note.isEmpty { parts.append(note) }
    parts.append("elapsed " + Progress.duration(elapsed))
    if finished {
      parts.append(done >= total ? "done" : Interrupt.requested ? "interrupted" : "stopped")
    } else if done > 0 {
      parts.append("eta " + Progress.duration(elapsed * Double(total - done) / Double(done)))
    } else {
      parts.append("eta unknown")
    }
    return "[\(Progress.stamp(now.timeIntervalSince(origin)))] \(label): " + parts.joined(separator: ", ")
  }

  /// `00:01:12`: hours (as many digits as needed), minutes and seconds.
  public static func stamp(_ seconds: Double) -> String {
    let s = Int(max(seconds, 0))
    return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
  }

  /// `12.3 s` below 100 seconds, `4 min 05 s` below an hour, `2 h 03 min` beyond.
  public static func duration(_ seconds: Double) -> String {
    let seconds = max(seconds, 0)
    if seconds < 99.95 { return String(format: "%.1f s", seconds) }
    let s = Int(seconds.rounded())
    if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
    return String(format: "%d h %02d min", s / 3600, s / 60 % 60)
  }

  /// Writes to stderr unbuffered: one `write` per call, so a line is never split or delayed.
  public static let standardError: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

  // MARK: the run's settings

  struct Settings {
    var style: ProgressStyle
    var interval: Double
    var origin: Date
  }

  static let settingsLock = NSLock()
  // A process global on purpose: the run's progress settings, set once from the command line;
  // read and written under `settingsLock`.
  nonisolated(unsafe) static var current: Settings?

  static var settings: Settings {
    settingsLock.lock()
    defer { settingsLock.unlock() }
    if let current { return current }
    let s = Settings(style: defaultStyle(stderrIsTerminal: isatty(2) == 1),
                     interval: interval(fromEnvironment: ProcessInfo.processInfo.environment) ?? defaultInterval,
                     origin: Date())
    current = s
    return s
  }

  /// Seconds between lines unless `ADV_PROGRESS_INTERVAL` or `--progress-interval` says otherwise.
  public static let defaultInterval = 5.0

  /// A bar on a terminal, lines otherwise.
  public static func defaultStyle(stderrIsTerminal: Bool) -> ProgressStyle {
    stderrIsTerminal ? .bar : .lines
  }

  /// `ADV_PROGRESS_INTERVAL` as seconds (a number ≥ 0); nil when unset or not such a number.
  public static func interval(fromEnvironment environment: [String: String]) -> Double? {
    guard let text = environment["ADV_PROGRESS_INTERVAL"], let value = Double(text), value >= 0, value.isFinite else {
      return nil
    }
    return value
  }

  /// Sets how the run shows progress: `style` nil detects (a bar when stderr is a terminal,
  /// lines otherwise), `interval` nil reads `ADV_PROGRESS_INTERVAL` (default 5 s). Line stamps
  /// count from this call.
  public static func configure(style: ProgressStyle? = nil, interval: Double? = nil) {
    let environment = ProcessInfo.processInfo.environment
    let s = Settings(style: style ?? defaultStyle(stderrIsTerminal: isatty(2) == 1),
                     interval: interval ?? Progress.interval(fromEnvironment: environment) ?? defaultInterval,
                     origin: Date())
    settingsLock.lock()
    current = s
    settingsLock.unlock()
  }
}

/// Set by SIGINT while a statement runs; long loops poll it and stop with `Interrupted`.
public enum Interrupt {
  // A process global on purpose: the SIGINT handler (a C function pointer) can reach no other state.
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
