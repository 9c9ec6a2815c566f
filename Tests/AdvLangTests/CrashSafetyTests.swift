@testable import AdvLang
import AdvNN
import AdvReport
import AdvTensor
import Foundation
import Testing

/// `kill -9` and `adv run --resume` on the built executable: a run killed at any point and
/// resumed in the same output directory ends with the `results.json` of a run never killed
/// (timings aside), and nothing finished is lost or computed again. `Runs/killed.adv` trains a
/// CNN and a stochastic model (evaluated under 'single', so each evaluation draws its own
/// noise), sweeps BIM, draws a figure and writes the HTML report; it runs in about 2 s.
@Suite("crash safety and resume", .serialized)
final class CrashSafetyTests {
  let work = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-crash-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  let script: String

  init() throws {
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let url = try #require(Bundle.module.url(forResource: "Runs/killed", withExtension: "adv"))
    script = work + "/killed.adv"
    try FileManager.default.copyItem(atPath: url.path, toPath: script)
  }

  deinit { try? FileManager.default.removeItem(atPath: work) }

  // MARK: running adv

  typealias Run = AdvProcess.Run
  typealias RunError = AdvProcess.RunError

  static func executable() throws -> String { try AdvProcess.executable() }

  /// Runs `adv` (see `AdvProcess.run`), its temporary files in this test's directory.
  func adv(_ arguments: [String], cache: String, environment: [String: String] = [:],
           killWhen: (([String], Double) -> Bool)? = nil) throws -> Run {
    try AdvProcess(work: work).run(arguments, cache: cache, environment: environment, killWhen: killWhen)
  }

  /// A line that reports a result (an evaluation or an attack).
  static func isResult(_ line: String) -> Bool { line.contains(": clean accuracy ") || line.contains(": ASR ") }

  /// `results.json` without its timings (`wall_seconds`, `train_seconds`), keys sorted, and
  /// this test's directory (in the script's path) written as `WORK`.
  func withoutTimings(_ path: String) throws -> String {
    func strip(_ value: Any) -> Any {
      if let object = value as? [String: Any] {
        return object.filter { $0.key != "wall_seconds" && $0.key != "train_seconds" }.mapValues(strip)
      }
      if let array = value as? [Any] { return array.map(strip) }
      return value
    }
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    let text = String(decoding: try JSONSerialization.data(withJSONObject: strip(object), options: [.sortedKeys, .prettyPrinted]),
                      as: UTF8.self)
    return text.replacingOccurrences(of: work.replacingOccurrences(of: "/", with: "\\/"), with: "WORK")
  }

  /// The results of a run of `killed.adv` never killed (with `extra` options), in a directory
  /// of its own; computed once per options.
  func reference(_ extra: [String] = []) throws -> String {
    let key = extra.joined(separator: " ")
    if let known = Self.references[key] { return known }
    let out = work + "/reference" + key.replacingOccurrences(of: " ", with: "")
    let run = try adv(["run", script, "--out", out] + extra, cache: work + "/reference-cache")
    #expect(run.status == 0, "\(run.stderr)")
    let results = try withoutTimings(out + "/results.json")
    Self.references[key] = results
    return results
  }

  /// The suite is serialized, so one test at a time reads and writes this.
  nonisolated(unsafe) static var references: [String: String] = [:]

  /// How many records the `results.json` in `out` holds (0 when there is none yet); fails the
  /// test when the file exists but does not read.
  func recordCount(_ out: String) throws -> Int {
    let path = out + "/results.json"
    guard FileManager.default.fileExists(atPath: path) else { return 0 }
    let report = try Report(json: Data(contentsOf: URL(fileURLWithPath: path)))
    return report.models.count + report.results.count + report.figures.count
  }

  /// The temporary files of atomic writes under `directory`.
  func temporaryFiles(_ directory: String) -> [String] {
    let names = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
    return names.filter { TemporaryFileName(parsing: ($0 as NSString).lastPathComponent) != nil }
  }

  // MARK: kills and resumption

  @Test("killed after its k-th result line and resumed, a run ends with the uninterrupted run's results.json",
        arguments: [1, 2, 5, 9])
  func killAfterResult(k: Int) throws {
    let expected = try reference()
    let out = work + "/out-\(k)", cache = work + "/cache-\(k)"
    let killed = try adv(["run", script, "--out", out], cache: cache) { lines, _ in
      lines.filter(Self.isResult).count >= k
    }
    #expect(killed.killed && killed.status == 137, "exit \(killed.status): \(killed.stderr)")
    // Printed before results.json is written, so the k-th may be missing, never an earlier one.
    #expect(try recordCount(out) >= k - 1)
    let resumed = try adv(["run", script, "--out", out, "--resume"], cache: cache)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stdout.contains { $0.hasPrefix("resumed: the ") }, "\(resumed.stdout)")
    // Each result printed once: the finished ones from the journal, the rest as they ran.
    #expect(resumed.stdout.filter(Self.isResult).count == 9, "\(resumed.stdout)")
    #expect(try withoutTimings(out + "/results.json") == expected)
    #expect(temporaryFiles(out).isEmpty && temporaryFiles(cache).isEmpty)
  }

  @Test("killed at random moments and resumed each time, a run loses no result and ends with the uninterrupted run's results.json")
  func killAtRandom() throws {
    let expected = try reference()
    var generator = SeededGenerator(seed: 15)
    // A kill time drawn at random may come after a resumed run has finished (on a fast machine
    // the rest of a run can take less than the draw): such a round is checked and another
    // started in fresh directories, until the run has been killed at least three times.
    var kills = 0, rounds = 0
    while kills < 3 {
      rounds += 1
      #expect(rounds <= 6, "the run finishes before its kill times; \(kills) kills in \(rounds - 1) rounds")
      if rounds > 6 { return }
      let out = work + "/out-random-\(rounds)", cache = work + "/cache-random-\(rounds)"
      var records = 0, attempts = 0
      while true {
        attempts += 1
        #expect(attempts < 30, "the run makes no progress between kills")
        if attempts >= 30 { return }
        // The whole run takes about 2 s, a resumption's start about 0.3 s.
        let delay = kills < 4 ? Double.random(in: 0.05...0.6, using: &generator) : Double.infinity
        let run = try adv(["run", script, "--out", out] + (attempts > 1 ? ["--resume"] : []), cache: cache) { _, seconds in
          seconds >= delay
        }
        if !run.killed {
          #expect(run.status == 0, "\(run.stderr)")
          break
        }
        kills += 1
        let now = try recordCount(out)
        #expect(now >= records, "results.json lost records: \(records) before the kill, \(now) after")
        records = now
      }
      #expect(try withoutTimings(out + "/results.json") == expected, "round \(rounds)")
      #expect(temporaryFiles(out).isEmpty && temporaryFiles(cache).isEmpty)
    }
  }

  @Test("killed while writing a cache entry, then while writing the HTML report, a resumed run ends with the same results and no temporary file")
  func killDuringWrites() throws {
    let expected = try reference()
    let out = work + "/out-writes", cache = work + "/cache-writes"
    let inCache = try adv(["run", script, "--out", out], cache: cache, environment: ["ADV_KILL_DURING_WRITE": cache])
    #expect(inCache.status == 137 && inCache.stderr.contains("killed during a write"), "\(inCache.stderr)")
    #expect(temporaryFiles(cache).count == 1, "the kill left the entry's temporary file")
    #expect(try FileManager.default.contentsOfDirectory(atPath: cache).filter { !$0.hasPrefix(".") }.isEmpty)
    let inReport = try adv(["run", script, "--out", out, "--resume"], cache: cache,
                           environment: ["ADV_KILL_DURING_WRITE": "report.html"])
    #expect(inReport.status == 137, "\(inReport.stderr)")
    #expect(temporaryFiles(cache).isEmpty, "the resumed run removed the dead writer's file")
    let left = temporaryFiles(out)
    #expect(left.count == 1 && left[0].hasPrefix(".report.html.tmp-\(TemporaryFileName.currentHost)-"), "\(left)")
    #expect(!FileManager.default.fileExists(atPath: out + "/report.html"))
    let done = try adv(["run", script, "--out", out, "--resume"], cache: cache)
    #expect(done.status == 0, "\(done.stderr)")
    #expect(done.stdout.last == "wrote html report to \(out)/report.html")
    #expect(try withoutTimings(out + "/results.json") == expected)
    #expect(temporaryFiles(out).isEmpty && temporaryFiles(cache).isEmpty)
  }

  @Test("without the model cache, a resumed run takes the models its earlier part trained from the journal")
  func resumeWithoutCache() throws {
    let expected = try reference(["--no-cache"])
    let out = work + "/out-nocache", cache = work + "/cache-unused"
    let killed = try adv(["run", script, "--out", out, "--no-cache"], cache: cache) { lines, _ in
      lines.filter(Self.isResult).count >= 5
    }
    #expect(killed.killed)
    let resumed = try adv(["run", script, "--out", out, "--no-cache", "--resume"], cache: cache)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let live = resumed.stdout.drop { !$0.hasPrefix("resumed: ") }
    #expect(!live.isEmpty && !live.contains { $0.hasPrefix("trained ") }, "\(resumed.stdout)")
    #expect(try withoutTimings(out + "/results.json") == expected)
    #expect(!FileManager.default.fileExists(atPath: cache), "nothing went to the model cache")
  }

  // MARK: refusals and leftovers

  static let small = "seed 3\nload mnist train=300 test=100\nmodel m = train mlp epochs=1 hidden=16\nevaluate m\n"

  @Test("'--resume' refuses a changed script, naming the line, and a changed '--seed'")
  func refusesChangedRun() throws {
    let file = work + "/small.adv", out = work + "/out-small", cache = work + "/cache-small"
    try Self.small.write(toFile: file, atomically: true, encoding: .utf8)
    #expect(try adv(["run", file, "--out", out], cache: cache).status == 0)
    try Self.small.replacingOccurrences(of: "hidden=16", with: "hidden=32").write(toFile: file, atomically: true, encoding: .utf8)
    let changed = try adv(["run", file, "--out", out, "--resume"], cache: cache)
    #expect(changed.status == 64)
    #expect(changed.stderr == "error: cannot resume the run in '\(out)': the script changed since it ran (line 3 was "
      + "'model m = train mlp epochs=1 hidden=16', now 'model m = train mlp epochs=1 hidden=32'); run without "
      + "'--resume' to start it again, or give another '--out'\n")
    try Self.small.write(toFile: file, atomically: true, encoding: .utf8)
    let seeded = try adv(["run", file, "--out", out, "--seed", "4", "--resume"], cache: cache)
    #expect(seeded.status == 64)
    #expect(seeded.stderr.contains(": it ran with no '--seed', this run has '--seed 4'; "), "\(seeded.stderr)")
    #expect(try recordCount(out) == 1, "a refused resumption touches nothing")
    let same = try adv(["run", file, "--out", out, "--resume"], cache: cache)
    #expect(same.status == 0 && same.stdout.last?.hasPrefix("resumed: the 4 steps above") == true, "\(same.stdout)")
  }

  @Test("a different engine version is named in the refusal")
  func versionDiffers() {
    let now = RunIdentity(version: "0.2.0", script: "a.adv", scriptHash: "h", scriptText: "seed 1\n", seed: nil)
    var earlier = now
    earlier.version = "0.1.0"
    #expect(now.differences(from: earlier) == ["it ran on adv 0.1.0, this is adv 0.2.0"])
    #expect(now.differences(from: now).isEmpty)
  }

  @Test("'--resume' where no run was starts from the start, with a warning")
  func resumeWithoutEarlierRun() throws {
    let file = work + "/small.adv", out = work + "/out-none"
    try Self.small.write(toFile: file, atomically: true, encoding: .utf8)
    let run = try adv(["run", file, "--out", out, "--resume"], cache: work + "/cache-none")
    #expect(run.status == 0)
    #expect(run.stderr.hasPrefix("warning: '\(out)' holds no earlier run of a script to resume; running '\(file)' from the start\n"))
    #expect(try recordCount(out) == 1)
  }

  @Test("temporary files a killed run left do not break the next run, which removes them and no live writer's")
  func leftoverTemporaryFiles() throws {
    let file = work + "/small.adv", out = work + "/out-leftover", cache = work + "/cache-leftover"
    try Self.small.write(toFile: file, atomically: true, encoding: .utf8)
    let host = TemporaryFileName.currentHost
    let dead = try deadPID()
    let stale = [out + "/.results.json.tmp-\(host)-\(dead)-a1", out + "/figures/.c.svg.tmp-\(host)-\(dead)-b2",
                 out + "/.adv-journal/.step-00001-x.json.tmp-\(host)-\(dead)-c3",
                 cache + "/.0123.safetensors.tmp-\(host)-\(dead)-d4"]
    let live = cache + "/.4567.safetensors.tmp-\(host)-\(getpid())-e5"
    for path in stale + [live] {
      try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data("{\"trunc".utf8).write(to: URL(fileURLWithPath: path))
    }
    let run = try adv(["run", file, "--out", out, "--progress", "off"], cache: cache)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.isEmpty, "no warning for them")
    for path in stale { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
    #expect(FileManager.default.fileExists(atPath: live), "a live process's file stays")
    #expect(try recordCount(out) == 1)
  }

  /// The id of a process that has ended (started and reaped here).
  func deadPID() throws -> Int32 {
    var pid = pid_t()
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0 else { throw RunError(description: "cannot start /bin/true") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return pid
  }

  // MARK: the model cache

  /// Runs `Self.small` in a session on `cache`; returns what it printed and warned.
  func runSmall(cache: ModelCache) throws -> [String] {
    var printed: [String] = []
    let session = Session(scriptName: "small.adv", scriptText: Self.small, outputDirectory: nil, cache: cache,
                          output: SessionOutput(print: { printed.append($0) }, warn: { printed.append("warning: " + $0) }))
    let steps = try session.checker.check(AdvLang.SourceFile(name: "small.adv", text: Self.small)).get()
    try session.run(steps, file: "small.adv")
    return printed
  }

  @Test("a truncated cache entry is retrained with a warning, and the entry written again reads back")
  func truncatedEntry() throws {
    let cache = ModelCache(directory: work + "/cache-truncated")
    _ = try runSmall(cache: cache)
    let entry = try #require(FileManager.default.contentsOfDirectory(atPath: cache.directory).first)
    let path = cache.directory + "/" + entry
    let whole = try Data(contentsOf: URL(fileURLWithPath: path))
    try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
    let printed = try runSmall(cache: cache)
    #expect(printed.contains { $0.hasPrefix("warning: cache entry for 'm' is corrupt (") && $0.hasSuffix("); training again") }, "\(printed)")
    #expect(printed.contains { $0.hasPrefix("trained m ") })
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == whole, "trained again to the same bytes")
    #expect(try runSmall(cache: cache).contains("loaded m (mlp) from the cache"))
  }

  @Test("a cache entry whose tensor bytes changed fails its checksum and is retrained")
  func flippedEntry() throws {
    let cache = ModelCache(directory: work + "/cache-flipped")
    _ = try runSmall(cache: cache)
    let entry = try #require(FileManager.default.contentsOfDirectory(atPath: cache.directory).first)
    let path = cache.directory + "/" + entry
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[bytes.count - 5] ^= 0x40
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let printed = try runSmall(cache: cache)
    #expect(printed.contains("warning: cache entry for 'm' is corrupt ('\(path)': its tensors do not match the checksum written with them); training again"),
            "\(printed)")
  }
}

/// SplitMix64: reproducible kill times.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
