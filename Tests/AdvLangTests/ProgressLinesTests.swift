import AdvReport
import Foundation
import Testing

/// The built `adv` with stdout and stderr on pipes, as under a batch system: progress comes as
/// plain lines on stderr, and `--quiet` leaves stdout with the printed report only.
@Suite("progress lines and --quiet")
final class ProgressLinesTests {
  let work = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-progress-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  init() throws {
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: work) }

  static let script = """
    seed 3
    load mnist train=200 test=50
    model m = train mlp epochs=2 hidden=16 batch=50
    attack bim eps=32/255 steps=5 on m samples=8 batch=4
    report

    """

  /// `.build/<triple>/debug/adv`, beside the test bundle; `swift build --build-tests` builds it.
  static func executable() throws -> String {
    let path = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("adv").path
    try #require(FileManager.default.isExecutableFile(atPath: path), "no 'adv' at \(path); build it with 'swift build --build-tests'")
    return path
  }

  /// Runs `adv` with its standard streams on pipes; returns the exit status, stdout and stderr.
  func adv(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Self.executable())
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["ADV_CACHE"] = work + "/cache"
    env["ADV_PROGRESS_INTERVAL"] = nil
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Both pipes are drained at once, so neither can fill and stall the other.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
  }

  @Test("without a terminal, stderr has a line per step of each unit, and --quiet prints only the report")
  func quietRunWithLines() throws {
    let file = work + "/tiny.adv", out = work + "/out"
    try Self.script.write(toFile: file, atomically: true, encoding: .utf8)
    let run = try adv(["run", file, "--out", out, "--quiet", "--progress-interval", "0", "--no-cache"])
    #expect(run.status == 0, "\(run.stderr)")

    let report = try Report(json: Data(contentsOf: URL(fileURLWithPath: out + "/results.json")))
    #expect(run.stdout == render(report, as: .text) + "\n")

    #expect(!run.stderr.contains("\r") && !run.stderr.contains("\u{1B}"))
    let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.last == "", "every line ends")
    let stamp = #"^\[\d\d:\d\d:\d\d\] "#, time = #"\d+\.\d s"#
    let train = try Regex(stamp + #"train m: epoch [12]/2, batch [1-4]/4, loss \d+\.\d{4}, elapsed "# + time + ", eta " + time + "$")
    let trainDone = try Regex(stamp + #"train m: epoch 2/2, batch 4/4, loss \d+\.\d{4}, elapsed "# + time + ", done$")
    let attack = try Regex(stamp + #"attack bim on m: [0-8]/8 samples, (ASR so far \d\.\d\d, )?(samples \d-\d at \d+%, )?elapsed "#
                           + time + ", eta (" + time + "|unknown)$")
    let attackDone = try Regex(stamp + #"attack bim on m: 8/8 samples, ASR so far \d\.\d\d, elapsed "# + time + ", done$")
    #expect(lines.filter { $0.wholeMatch(of: train) != nil }.count == 7, "\(run.stderr)")
    #expect(lines.filter { $0.wholeMatch(of: trainDone) != nil }.count == 1, "\(run.stderr)")
    #expect(lines.contains { $0.contains("attack bim on m: 4/8 samples, ASR so far") }, "\(run.stderr)")
    #expect(lines.filter { $0.wholeMatch(of: attackDone) != nil }.count == 1, "\(run.stderr)")
    let other = lines.dropLast().filter {
      $0.wholeMatch(of: train) == nil && $0.wholeMatch(of: trainDone) == nil && $0.wholeMatch(of: attack) == nil
        && $0.wholeMatch(of: attackDone) == nil
    }
    #expect(other.isEmpty, "\(other)")
  }

  @Test("without --quiet every statement's line is on stdout; --progress off leaves stderr empty")
  func plainRunWithoutProgress() throws {
    let file = work + "/tiny.adv", out = work + "/out-plain"
    try Self.script.write(toFile: file, atomically: true, encoding: .utf8)
    let run = try adv(["run", file, "--out", out, "--progress", "off"], environment: ["ADV_PROGRESS_INTERVAL": "0"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.isEmpty, "\(run.stderr)")
    let report = try Report(json: Data(contentsOf: URL(fileURLWithPath: out + "/results.json")))
    #expect(run.stdout.hasPrefix("loaded mnist"), "\(run.stdout)")
    #expect(run.stdout.contains("\ntrained m (mlp"))
    #expect(run.stdout.contains("\nattack bim eps=32/255 steps=5 on m samples=8 batch=4: ASR "))
    #expect(run.stdout.hasSuffix("\n" + render(report, as: .text) + "\n"))
  }
}
