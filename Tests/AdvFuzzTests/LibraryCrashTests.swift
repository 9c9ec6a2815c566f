import AdvTestSupport
import Foundation
import Testing

/// `adv-fuzz` runs the `hdf5` target's inputs in a child process and tells a crash inside
/// libhdf5 (which `adv` survives: it reads PCam in a reader process of its own, and reports the
/// file as damaged) from a crash in our code (a finding). Checked through the built `adv-fuzz`
/// (`replay`, which runs an isolated target's inputs as the fuzzing run does): forking the test
/// process itself is not safe.
@Suite("Crashes inside libhdf5")
struct LibraryCrashTests {
  static let inputs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("LibraryCrashes")

  /// Runs the built `adv-fuzz` (beside the test bundle) with `arguments`; its exit status and output.
  func advFuzz(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
      .appendingPathComponent("adv-fuzz").path
    try #require(FileManager.default.isExecutableFile(atPath: executable), "build it with 'swift build --build-tests'")
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("adv-fuzz-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    defer { try? FileManager.default.removeItem(atPath: output) }
    // No signal blocked in the child (ChildProcess): it must get its crashes.
    var env = environment
    env["SWIFT_BACKTRACE"] = "enable=no"
    return try ChildProcess.run([executable] + arguments, environment: env, outputPath: output)
  }

  @Test("damaged files that crash libhdf5 1.10 in H5Dopen2 are counted as the library's, not findings")
  func insideLibhdf5() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.inputs.path).filter { $0.hasSuffix(".bin") }.sorted()
    #expect(files.count == 2)
    let r = try advFuzz(["replay", "hdf5"] + files.map { Self.inputs.appendingPathComponent($0).path })
    #expect(r.status == 0, "\(r.output)")
    #expect(r.output.components(separatedBy: "a crash inside libhdf5, which adv survives").count - 1 == files.count, "\(r.output)")
  }

  @Test("a crash in our own code on the same target stays a finding")
  func inOurCode() throws {
    let file = Self.inputs.appendingPathComponent("hdf5-train-y-h5dopen2.bin").path
    let r = try advFuzz(["replay", "hdf5", file], environment: ["ADV_FUZZ_FAULT": "segv"])
    #expect(r.status == 1, "\(r.output)")
    #expect(r.output.contains("FINDING") && r.output.contains("the reader crashed with signal 11"), "\(r.output)")
    #expect(!r.output.contains("adv survives"), "\(r.output)")
  }
}
