import Foundation

/// What `adv-fuzz` sets up around a run: the input being run is kept in a plain buffer, so a
/// signal handler (a crash: a trap, a stack overflow, a failed allocation) and a watchdog
/// thread (an input running past the limit) can save it with system calls alone before the
/// process ends; and the address space is capped.
public enum FuzzGuards {
  nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
  nonisolated(unsafe) static var capacity = 1 << 20
  nonisolated(unsafe) static var count = 0
  /// CLOCK_MONOTONIC nanoseconds when the current input started; 0 between inputs.
  nonisolated(unsafe) static var started = UnsafeMutablePointer<Int>.allocate(capacity: 1)
  /// `<dir>/crash-<target>.bin` and `<dir>/hang-<target>.bin`, as C strings.
  nonisolated(unsafe) static var crashPath: UnsafeMutablePointer<CChar>? = nil
  nonisolated(unsafe) static var hangPath: UnsafeMutablePointer<CChar>? = nil
  nonisolated(unsafe) static var directory: String? = nil
  nonisolated(unsafe) static var hangNanoseconds = 0

  static func begin(_ input: [UInt8]) {
    guard directory != nil else { return }
    if input.count > capacity {
      buffer.deallocate()
      capacity = input.count
      buffer = .allocate(capacity: capacity)
    }
    input.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: input.count) }
    count = input.count
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    started.pointee = t.tv_sec * 1_000_000_000 + t.tv_nsec
  }

  static func end() { started.pointee = 0 }

  static func setTarget(_ name: String) {
    guard let directory else { return }
    free(crashPath)
    free(hangPath)
    crashPath = strdup(directory + "/crash-\(name).bin")
    hangPath = strdup(directory + "/hang-\(name).bin")
  }

  /// Installs the crash handlers and the watchdog (inputs running past `hangSeconds` end the
  /// process, saved), and caps the address space at its present size plus `memoryMB`.
  public static func install(directory: String, hangSeconds: Double, memoryMB: Int) {
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    self.directory = directory
    started.pointee = 0
    hangNanoseconds = Int(hangSeconds * 1e9)
    setTarget("input")
    // An alternate stack, so a stack overflow can still run the handler.
    let size = 1 << 16
    var stack = stack_t(ss_sp: UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16), ss_flags: 0, ss_size: size)
    sigaltstack(&stack, nil)
    for signal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { signal in
        FuzzGuards.save(to: FuzzGuards.crashPath)
        let text: StaticString = "\nadv-fuzz: the input crashed the process; it is saved as crash-TARGET.bin beside the findings\n"
        _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
      }
      action.sa_flags = Int32(SA_ONSTACK)
      sigemptyset(&action.sa_mask)
      sigaction(signal, &action, nil)
    }
    let watchdog = Thread {
      while true {
        usleep(50_000)
        let start = started.pointee
        guard start != 0 else { continue }
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        if t.tv_sec * 1_000_000_000 + t.tv_nsec - start > max(hangNanoseconds * 10, 10_000_000_000) {
          save(to: hangPath)
          let text: StaticString = "\nadv-fuzz: an input hangs (ten times the limit); it is saved as hang-TARGET.bin beside the findings\n"
          _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
          _exit(3)
        }
      }
    }
    watchdog.start()
    if memoryMB > 0, let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmSize:") }),
       let kB = Int(line.split(separator: " ").dropFirst().first ?? "") {
      let limit = rlim_t((kB + memoryMB * 1024) * 1024)
      var cap = rlimit(rlim_cur: limit, rlim_max: limit)
      setrlimit(Int32(RLIMIT_AS.rawValue), &cap)
    }
  }

  /// Writes the current input with system calls only (safe in a signal handler).
  static func save(to path: UnsafeMutablePointer<CChar>?) {
    guard let path else { return }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return }
    _ = write(fd, buffer, count)
    close(fd)
  }
}
