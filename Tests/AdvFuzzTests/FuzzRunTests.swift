import AdvFuzz
import AdvLang
import Foundation
import Testing

/// A short fuzz run of every target with a fixed seed, as part of the test suite, and the
/// inputs fuzzing once found, replayed.
@Suite("Fuzzing")
struct FuzzRunTests {
  /// Inputs per target: a few seconds in a debug build.
  static let budget: [String: Int] = [
    "frontend": 1000, "generator": 100, "idx": 150, "cifar10": 150, "hdf5": 60, "safetensors": 150, "cache": 150,
    "adversarials": 150,
  ]

  @Test("a short run of each target finds nothing", arguments: FuzzTargets.names)
  func shortRun(_ name: String) throws {
    let target = try #require(try FuzzTargets.make(name))
    // In the test process inputs run in place: forking a process with the test runner's
    // threads is not safe. The time limit is generous for a debug build.
    let driver = FuzzDriver(hangSeconds: 10, isolate: false) { _ in }
    let stats = driver.run(target, inputs: FuzzRunTests.budget[name] ?? 100, seed: 20261202)
    #expect(stats.findings.isEmpty, "\(stats.findings.prefix(3).map { "\($0)\n--- input: \(String(decoding: $0.input.prefix(500), as: UTF8.self))" })")
  }

  /// Saved inputs: `Regressions/<target>/<name>`, each run once through its target.
  static let regressions: [String] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")
    var out: [String] = []
    for target in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
      for file in (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(target).path)) ?? [] {
        out.append(target + "/" + file)
      }
    }
    return out.sorted()
  }()

  @Test("every saved regression input passes its target", arguments: FuzzRunTests.regressions)
  func regression(_ path: String) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions/" + path)
    let target = try #require(try FuzzTargets.make(String(path.split(separator: "/")[0])))
    let finding = target.run([UInt8](try Data(contentsOf: url)))
    #expect(finding == nil, "\(finding.map(String.init(describing:)) ?? "")")
  }

  @Test("every script of the repository prints and parses back to itself, with the same plan")
  func repositoryScriptsRoundTrip() {
    let scripts = repositoryScripts()
    #expect(scripts.count > 30)
    for (name, bytes) in scripts {
      #expect(FrontendTarget.run(bytes) == nil, "\(name)")
    }
  }
}
