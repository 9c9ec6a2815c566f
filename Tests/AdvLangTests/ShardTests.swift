@testable import AdvLang
import AdvNN
import Foundation
import Testing

/// `adv plan`, `adv run --shard I/N` and `adv merge` on the built executable, with
/// `Runs/sharded.adv` (two small models, a surrogate, BIM and CW attacks, a transfer, two
/// figures, saved adversarials, the HTML report; a few seconds).
@Suite("shards and merge", .serialized)
final class ShardTests {
  let work = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-shards-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  let script: String
  /// The suite's model cache: models are trained once, as shards on a cluster share theirs.
  var cache: String { work + "/cache" }

  init() throws {
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let url = try #require(Bundle.module.url(forResource: "Runs/sharded", withExtension: "adv"))
    script = work + "/sharded.adv"
    try FileManager.default.copyItem(atPath: url.path, toPath: script)
  }

  deinit { try? FileManager.default.removeItem(atPath: work) }

  func adv(_ arguments: [String], cache: String? = nil, killWhen: (([String], Double) -> Bool)? = nil) throws -> AdvProcess.Run {
    try AdvProcess(work: work).run(arguments, cache: cache ?? self.cache, killWhen: killWhen)
  }

  /// `results.json` in `dir` without timings, keys sorted.
  func withoutTimings(_ dir: String) throws -> String {
    func strip(_ value: Any) -> Any {
      if let object = value as? [String: Any] {
        return object.filter { $0.key != "wall_seconds" && $0.key != "train_seconds" }.mapValues(strip)
      }
      if let array = value as? [Any] { return array.map(strip) }
      return value
    }
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/results.json")))
    let text = String(decoding: try JSONSerialization.data(withJSONObject: strip(object), options: [.sortedKeys, .prettyPrinted]),
                      as: UTF8.self)
    // Each test has its own directory, which the script's path (in captions) names.
    return text.replacingOccurrences(of: work.replacingOccurrences(of: "/", with: "\\/"), with: "WORK")
  }

  /// The results of one run of the script without shards (computed once).
  func single() throws -> String {
    if let known = Self.reference { return known }
    let run = try adv(["run", script, "--out", work + "/single"])
    #expect(run.status == 0, "\(run.stderr)")
    let results = try withoutTimings(work + "/single")
    Self.reference = results
    return results
  }

  nonisolated(unsafe) static var reference: String? = nil

  /// The units `adv plan --json --shards N` lists.
  struct PlannedUnit: Decodable {
    let kind: String
    let key: String
    let line: Int
    let statement: String
    let depends_on: [String]
    let shard: Int?
  }

  func plan(shards: Int) throws -> [PlannedUnit] {
    let run = try adv(["plan", script, "--json", "--shards", String(shards)])
    #expect(run.status == 0, "\(run.stderr)")
    struct Document: Decodable { let units: [PlannedUnit] }
    return try JSONDecoder().decode(Document.self, from: Data(run.stdout.joined(separator: "\n").utf8)).units
  }

  func isResult(_ line: String) -> Bool {
    line.contains(": clean accuracy ") || line.contains(": ASR ") || line.contains(": transfer rate ")
  }

  // MARK: plan

  @Test("'adv plan' lists the models, results, surrogate, figures and report, each with the units it needs")
  func planListsUnits() throws {
    let units = try plan(shards: 3)
    let line = Dictionary(units.map { ($0.key, $0.line) }, uniquingKeysWith: { a, _ in a })
    let shown = units.map { "\($0.kind) \($0.line) <- " + $0.depends_on.compactMap { line[$0] }.sorted().map(String.init).joined(separator: ",") }
    #expect(shown == [
      "model 5 <- ", "model 6 <- ",
      "result 7 <- 5", "result 8 <- 6", "result 10 <- 5", "result 10 <- 5", "result 12 <- 6", "result 13 <- 6",
      "model 14 <- 6", "result 15 <- 6,14",
      "figure 16 <- 5,7,8,10,10,12,13,15", "figure 17 <- 6,7,8,10,10,12,13,15",
      "output 18 <- 13", "report 19 <- 7,8,10,10,12,13,15,16,17",
    ])
    #expect(Set(units.map(\.key)).count == units.count, "keys are distinct, the loop's two attacks too")
    #expect(units.allSatisfy { ($0.shard != nil) == ($0.kind == "model" || $0.kind == "result") })
    #expect(units[13].statement == "report html")
    let text = try adv(["plan", script])
    #expect(text.status == 0 && text.stdout.count == units.count)
    #expect(text.stdout[9].hasPrefix("result \(units[9].key.prefix(8))  line 15  transfer bim "), "\(text.stdout[9])")
    #expect(text.stdout[9].hasSuffix("needs \(units[1].key.prefix(8)),\(units[8].key.prefix(8))"), "\(text.stdout[9])")
  }

  @Test("a unit's key changes with its statement and what it needs, not with other statements")
  func keysAreStable() throws {
    let text = try String(contentsOfFile: script, encoding: .utf8)
    func keys(_ text: String) throws -> [String] {
      var checker = Checker(vocabulary: .standard, files: nil)
      return WorkUnits(plan: try checker.check(SourceFile(name: "s.adv", text: text)).get()).units.map(\.key)
    }
    let before = try keys(text)
    #expect(try keys(text) == before)
    let after = try keys(text.replacingOccurrences(of: "attack cwl2 c=10", with: "attack cwl2 c=1"))
    let changed = before.indices.filter { before[$0] != after[$0] }
    // The CW attack, the figures and the saved adversarials that follow it, and the report.
    #expect(changed == [7, 10, 11, 12, 13])
    let reseeded = try keys(text.replacingOccurrences(of: "seed 5", with: "seed 6"))
    #expect(zip(before, reseeded).allSatisfy { $0 != $1 })
  }

  // MARK: shards and merge

  @Test("three shards run one after another and merged give one run's results.json, timings aside, and its files")
  func threeShardsMerge() throws {
    let expected = try single()
    let out = work + "/sharded"
    var resultLines = 0
    for i in 1...3 {
      let run = try adv(["run", script, "--shard", "\(i)/3", "--out", out])
      #expect(run.status == 0, "shard \(i): \(run.stderr)")
      #expect(run.stdout.last?.hasPrefix("shard \(i)/3: ") == true, "\(run.stdout)")
      resultLines += run.stdout.filter(isResult).count
      #expect(!FileManager.default.fileExists(atPath: out + "/results.json"), "shards leave results.json to merge")
    }
    #expect(resultLines == 7, "each result computed by one shard")
    let merged = try adv(["merge", out])
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stdout.last == "merged 10 units into \(out)/results.json", "\(merged.stdout)")
    #expect(try withoutTimings(out) == expected)
    for file in ["adv.png", "last.safetensors", "report.html"] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
    }
    let single = try String(contentsOfFile: work + "/single/report.html", encoding: .utf8)
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    #expect(html.count > 1000 && abs(html.count - single.count) < 200, "the report holds the same sections")
    // Shards run again: nothing left to do.
    let again = try adv(["run", script, "--shard", "2/3", "--out", out])
    #expect(again.status == 0 && !again.stdout.contains(where: isResult), "\(again.stdout)")
  }

  @Test("a shard killed mid-run and run again finishes without running its finished units again")
  func killedShardResumes() throws {
    let expected = try single()
    let out = work + "/killed"
    let killed = try adv(["run", script, "--shard", "1/1", "--out", out]) { lines, _ in
      lines.filter(self.isResult).count >= 4
    }
    #expect(killed.killed, "\(killed.stdout)")
    let units = out + "/units"
    let names = try FileManager.default.contentsOfDirectory(atPath: units).filter { $0.hasSuffix(".json") && $0 != "run.json" }
    let finishedResults = names.filter { $0.hasPrefix("result-") }.count
    #expect(finishedResults >= 3)
    func modified(_ name: String) throws -> Date {
      try #require(FileManager.default.attributesOfItem(atPath: units + "/" + name)[.modificationDate] as? Date)
    }
    let times = try Dictionary(uniqueKeysWithValues: names.map { ($0, try modified($0)) })
    let resumed = try adv(["run", script, "--shard", "1/1", "--out", out])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stdout.filter(isResult).count == 7 - finishedResults, "\(resumed.stdout)")
    #expect(resumed.stdout.last?.contains(", \(names.count) had finished earlier, 0 failed") == true, "\(resumed.stdout)")
    for name in names { #expect(try modified(name) == times[name], "\(name) written again") }
    #expect(try adv(["merge", out]).status == 0)
    let merged = try withoutTimings(out)
    let differing = zip(merged.split(separator: "\n"), expected.split(separator: "\n")).filter { $0 != $1 }.prefix(3)
    #expect(merged == expected, "\(Array(differing))")
  }

  @Test("merge lists every unit that has not finished by statement and stops, unless '--partial'")
  func missingUnits() throws {
    let out = work + "/partial"
    // Every shard but the one with most units.
    let units = try plan(shards: 3)
    let left = try #require((1...3).max { a, b in units.filter { $0.shard == a }.count < units.filter { $0.shard == b }.count })
    for i in (1...3) where i != left { #expect(try adv(["run", script, "--shard", "\(i)/3", "--out", out]).status == 0) }
    let absent = units.filter { $0.shard == left }
    #expect(!absent.isEmpty)
    let merged = try adv(["merge", out, script])
    #expect(merged.status == 70)
    #expect(merged.stderr.hasPrefix("error: \(absent.count) of 10 units have not finished:\n"), "\(merged.stderr)")
    for unit in absent {
      #expect(merged.stderr.contains(":\(unit.line): \(unit.kind) \(unit.key.prefix(8)) '\(unit.statement)': not run\n"),
              "\(unit.statement): \(merged.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: out + "/results.json"))
    let partial = try adv(["merge", out, "--partial"])
    #expect(partial.stderr.hasPrefix("warning: \(absent.count) of 10 units have not finished:\n"), "\(partial.stderr)")
    #expect(FileManager.default.fileExists(atPath: out + "/results.json"))
  }

  @Test("a shard refuses an output directory whose units another script wrote")
  func refusesOtherScript() throws {
    let out = work + "/other", other = work + "/other.adv"
    try "seed 3\nload mnist train=300 test=100\nmodel m = train mlp epochs=1 hidden=16\nevaluate m\n"
      .write(toFile: other, atomically: true, encoding: .utf8)
    #expect(try adv(["run", other, "--shard", "1/1", "--out", out]).status == 0)
    let refused = try adv(["run", script, "--shard", "1/2", "--out", out])
    #expect(refused.status == 64)
    #expect(refused.stderr.hasPrefix("error: the units in '\(out)/units' are from another run: the script changed since it ran ("),
            "\(refused.stderr)")
  }

  // MARK: the model cache

  @Test("processes that train the same model at once into one cache leave one whole entry")
  func concurrentCacheWriters() throws {
    let file = work + "/same.adv", shared = work + "/cache-concurrent"
    try "seed 3\nload mnist train=1000 test=100\nmodel m = train lenet epochs=2\nevaluate m\n"
      .write(toFile: file, atomically: true, encoding: .utf8)
    let runs = Locked<[AdvProcess.Run]>([])
    let process = AdvProcess(work: work), done = DispatchSemaphore(value: 0), work = self.work
    for i in 0..<3 {
      Thread {
        let run = try? process.run(["run", file, "--out", work + "/concurrent-\(i)"], cache: shared)
        runs.withLock { $0.append(contentsOf: run.map { [$0] } ?? []) }
        done.signal()
      }.start()
    }
    for _ in 0..<3 { done.wait() }
    let finished = runs.withLock { $0 }
    #expect(finished.count == 3 && finished.allSatisfy { $0.status == 0 }, "\(finished.map(\.stderr))")
    #expect(finished.filter { $0.stdout.contains { $0.hasPrefix("trained m ") } }.count >= 2, "they trained at the same time")
    let entries = try FileManager.default.contentsOfDirectory(atPath: shared)
    #expect(entries.count == 1 && entries[0].hasSuffix(".safetensors"), "one entry, no temporary file: \(entries)")
    guard case .hit = ModelCache(directory: shared).lookup(String(entries[0].dropLast(12))) else {
      Issue.record("the entry does not read back whole")
      return
    }
    let after = try adv(["run", file, "--out", work + "/concurrent-after"], cache: shared)
    #expect(after.stdout.contains("loaded m (lenet) from the cache") && after.stderr.isEmpty, "\(after.stdout) \(after.stderr)")
  }
}

/// A value behind a lock, for the concurrent runs above.
final class Locked<Value>: @unchecked Sendable {
  private var value: Value
  private let lock = NSLock()
  init(_ value: Value) { self.value = value }
  func withLock<T>(_ body: (inout Value) -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body(&value)
  }
}
