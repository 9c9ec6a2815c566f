import Foundation

/// Child processes for the tests that need a real one (the REPL under tmux, `adv`, `adv-fuzz`).
/// Not Foundation's `Process`: tests run on libdispatch threads, which block SIGCHLD and SIGINT,
/// and a child inherits the mask; these children start with no signal blocked (a REPL must see
/// Ctrl-C, a crashing child its own handlers) and are reaped with waitpid.
public enum ChildProcess {
  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  /// Spawn attributes that start the child with no signal blocked, for `body`.
  public static func withUnblockedSignals<T>(_ body: (inout posix_spawnattr_t) throws -> T) rethrows -> T {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    return try body(&attributes)
  }

  /// Runs `argv` (its program found on PATH), standard input empty, standard output and error
  /// together into `outputPath` (or discarded when nil), with `environment` added to this
  /// process's; waits for it. The exit status, or 128 + the signal that ended it, and what it
  /// wrote.
  public static func run(_ argv: [String], environment: [String: String] = [:],
                         outputPath: String?) throws -> (status: Int32, output: String) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    let cArguments = argv.map { strdup($0) } + [nil]
    let cEnvironment = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (cArguments + cEnvironment).forEach { free($0) } }
    var pid = pid_t()
    let spawned = withUnblockedSignals { posix_spawnp(&pid, argv[0], &actions, &$0, cArguments, cEnvironment) }
    guard spawned == 0 else { throw Failure(description: "cannot start \(argv[0]): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = outputPath.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" } ?? ""
    // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
    let exited = status & 0x7f == 0
    return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
  }
}
