import AdvTestSupport
import Foundation

/// The built `adv` executable, run as a child process by the tests that need a real process:
/// kills, resumption, shards and concurrent writers.
struct AdvProcess {
  /// Where the runs' stderr files go.
  let work: String

  struct Run {
    var status: Int32
    var killed: Bool
    var stdout: [String]
    var stderr: String
  }

  struct RunError: Error, CustomStringConvertible {
    let description: String
  }

  /// `.build/<triple>/debug/adv`, beside the test bundle; `swift build --build-tests` builds it.
  static func executable() throws -> String {
    let path = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("adv").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
      throw RunError(description: "no 'adv' executable at \(path); build it with 'swift build --build-tests'")
    }
    return path
  }

  /// Runs `adv` with `arguments`, `ADV_CACHE` set to `cache` and `environment` added, reading
  /// its standard output line by line; sends SIGKILL as soon as `killWhen` (given the lines so
  /// far and the seconds since the start) says so. Waits for it with waitpid (not `Process`:
  /// the test's thread blocks signals a child would inherit).
  func run(_ arguments: [String], cache: String, environment: [String: String] = [:],
           killWhen: (([String], Double) -> Bool)? = nil) throws -> Run {
    var env = ProcessInfo.processInfo.environment
    env["ADV_CACHE"] = cache
    env["ADV_KILL_DURING_WRITE"] = nil
    for (k, v) in environment { env[k] = v }
    let errPath = work + "/.stderr-\(UInt32.random(in: 0...UInt32.max))"
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw RunError(description: "pipe failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addclose(&actions, fds[1])
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let executable = try Self.executable()
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid = pid_t()
    let spawned = ChildProcess.withUnblockedSignals { posix_spawn(&pid, executable, &actions, &$0, argv, envp) }
    close(fds[1])
    defer { close(fds[0]) }
    guard spawned == 0 else { throw RunError(description: "cannot start adv: error \(spawned)") }

    let start = Date()
    var lines: [String] = []
    var pending: [UInt8] = []
    var killed = false
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
      if poll(&poller, 1, 10) > 0 {
        let n = read(fds[0], &chunk, chunk.count)
        if n == 0 { break }
        if n > 0 {
          pending += chunk[0..<n]
          while let newline = pending.firstIndex(of: 10) {
            lines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
          }
        }
      }
      if !killed, let killWhen, killWhen(lines, Date().timeIntervalSince(start)) {
        kill(pid, SIGKILL)
        killed = true
      }
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7f == 0
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return Run(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), killed: killed && !exited,
               stdout: lines, stderr: stderr)
  }

}
