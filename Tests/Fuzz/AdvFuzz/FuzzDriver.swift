import Foundation

/// Runs fuzz targets for a time or a number of inputs and reports inputs, rate and findings.
///
/// Per input it measures the processor time the thread spent (wall time varies with the load
/// of a shared machine): an input taking more than `hangSeconds` is a finding. An isolated
/// target's input runs in a child process (a crash there is reported, not fatal) and is
/// measured by the child's processor time.
/// `adv-fuzz` adds `installGuards`: crashes and true hangs of in-process targets save the
/// input before the process ends, and the address space is capped, so an allocation of the
/// size a damaged header claims fails loudly.
public final class FuzzDriver {
  public struct Stats {
    public var target: String
    public var inputs = 0
    public var seconds = 0.0
    public var findings: [Finding] = []
    public var slowest = 0.0
    /// Isolated inputs that crashed inside the target's `survivedLibrary`.
    public var libraryCrashes = 0
  }

  public let hangSeconds: Double
  /// Whether isolated targets run in a child process (not in a test process, whose other
  /// threads a fork would leave in an unknown state).
  public let isolate: Bool
  /// Where findings are saved (`<target>-<n>.bin` and `.txt`); nil: not saved.
  public let findingsDirectory: String?
  let log: (String) -> Void

  public init(hangSeconds: Double = 1, findingsDirectory: String? = nil, isolate: Bool = true,
              log: @escaping (String) -> Void = { print($0) }) {
    self.hangSeconds = hangSeconds
    self.isolate = isolate
    self.findingsDirectory = findingsDirectory
    self.log = log
    if let findingsDirectory { try? FileManager.default.createDirectory(atPath: findingsDirectory, withIntermediateDirectories: true) }
  }

  /// Runs `target` until `seconds` pass or `inputs` inputs ran, whichever comes first.
  public func run(_ target: FuzzTarget, seconds: Double = .infinity, inputs: Int = .max, seed: UInt64) -> Stats {
    var rng = FuzzRandom(seed: seed)
    var stats = Stats(target: target.name)
    let start = now()
    var lastReport = start
    FuzzGuards.setTarget(target.name)
    while stats.inputs < inputs && now() - start < seconds {
      let input = target.makeInput(&rng)
      let isolated = target.isolated && isolate
      let t0 = cpuTime()
      FuzzGuards.begin(input)
      var libraryCrash = false
      var childSeconds = 0.0
      var finding = isolated ? runIsolated(target, input, libraryCrash: &libraryCrash, cpuSeconds: &childSeconds) : target.run(input)
      if libraryCrash { stats.libraryCrashes += 1 }
      FuzzGuards.end()
      let dt = isolated ? childSeconds : cpuTime() - t0
      stats.slowest = max(stats.slowest, dt)
      if finding == nil && dt > hangSeconds {
        finding = Finding(target: target.name, message: String(format: "an input took %.2f s of processor time (limit %.2f s)", dt, hangSeconds), input: input)
      }
      stats.inputs += 1
      if let finding { record(finding, in: &stats) }
      if now() - lastReport > 30 {
        lastReport = now()
        log(line(stats, seconds: lastReport - start) + " …")
      }
    }
    stats.seconds = now() - start
    log(line(stats, seconds: stats.seconds))
    return stats
  }

  func line(_ s: Stats, seconds: Double) -> String {
    String(format: "%-13@ %9d inputs in %7.1f s (%8.0f/s), slowest %.3f s, %d findings",
           s.target, s.inputs, seconds, Double(s.inputs) / max(seconds, 1e-9), s.slowest, s.findings.count)
      + (s.libraryCrashes > 0 ? ", \(s.libraryCrashes) crashes inside the C library (survived by adv's reader process)" : "")
  }

  func record(_ finding: Finding, in stats: inout Stats) {
    stats.findings.append(finding)
    // The first line of a message, to report each kind once.
    let firstLine = finding.message.split(separator: "\n").first.map(String.init) ?? ""
    let repeated = stats.findings.dropLast().contains { $0.message.split(separator: "\n").first.map(String.init) == firstLine }
    var saved = ""
    if let dir = findingsDirectory {
      let stem = dir + "/\(finding.target)-\(stats.findings.count)"
      _ = FileManager.default.createFile(atPath: stem + ".bin", contents: Data(finding.input))
      _ = FileManager.default.createFile(atPath: stem + ".txt", contents: Data((finding.message + "\n").utf8))
      saved = " (saved as \(stem).bin)"
    }
    if !repeated { log("FINDING \(finding.target): \(finding.message.prefix(2000))\(saved)") }
  }

  /// Runs the input in a forked child; a signal or a timeout becomes a finding, except a crash
  /// inside the target's `survivedLibrary` (`libraryCrash` is then set).
  public func runIsolated(_ target: FuzzTarget, _ input: [UInt8], libraryCrash: inout Bool) -> Finding? {
    var seconds = 0.0
    return runIsolated(target, input, libraryCrash: &libraryCrash, cpuSeconds: &seconds)
  }

  /// As above, with the child's processor time (user and system) in `cpuSeconds`.
  public func runIsolated(_ target: FuzzTarget, _ input: [UInt8], libraryCrash: inout Bool, cpuSeconds: inout Double) -> Finding? {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return target.run(input) }
    let pid = fork()
    if pid == 0 {
      close(fds[0])
      if let library = target.survivedLibrary { LibraryCrash.install(library: library) }
      let message = target.run(input)?.message ?? ""
      _ = message.utf8CString.withUnsafeBufferPointer { write(fds[1], $0.baseAddress, $0.count - 1) }
      _exit(0)
    }
    close(fds[1])
    defer {
      close(fds[0])
      target.recover()
    }
    guard pid > 0 else { return target.run(input) }
    var status: Int32 = 0
    var usage = rusage()
    // Wall time only stops a child that never ends; the hang limit is on its processor time.
    let deadline = now() + max(hangSeconds * 30, 30)
    while wait4(pid, &status, WNOHANG, &usage) == 0 {
      if now() > deadline {
        kill(pid, SIGKILL)
        wait4(pid, &status, 0, &usage)
        return Finding(target: target.name, message: "an input ran past \(Int(max(hangSeconds * 30, 30))) s in the child", input: input)
      }
      usleep(200)
    }
    cpuSeconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    var message: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
      if n <= 0 { break }
      message += buffer[0..<n]
    }
    if status & 0x7f == 0, (status >> 8) & 0xff == LibraryCrash.exitStatus, let library = target.survivedLibrary {
      libraryCrash = true
      ReaderOutcomes.note(target.name, "crashed inside \(library) (adv: its reader process reports the file as damaged)")
      return nil
    }
    if status & 0x7f != 0 {
      return Finding(target: target.name, message: "the reader crashed with signal \(status & 0x7f)", input: input)
    }
    return message.isEmpty ? nil : Finding(target: target.name, message: String(decoding: message, as: UTF8.self), input: input)
  }
}

/// Processor time of the calling thread, in seconds.
func cpuTime() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
