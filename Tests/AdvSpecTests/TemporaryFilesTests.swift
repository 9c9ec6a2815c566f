@testable import AdvSpec
import Foundation
import Testing

@Suite("temporary files of killed writers")
struct TemporaryFilesTests {
  let dir = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-temporary-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  /// The id of a process that has ended (started and reaped here).
  static func deadPID() throws -> Int32 {
    var pid = pid_t()
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
    defer { argv.forEach { free($0) } }
    #expect(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return pid
  }

  func touch(_ name: String, age: TimeInterval = 0) throws -> String {
    let path = dir + "/" + name
    try writeAtomically("partial", to: path)
    if age > 0 {
      try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: path)
    }
    return path
  }

  @Test("the names the atomic writer makes read back as its target, host and process")
  func namesParse() throws {
    let name = TemporaryFileName.make(for: "results.json")
    let parsed = try #require(TemporaryFileName(parsing: name))
    #expect(parsed == TemporaryFileName(parsing: ".results.json.tmp-\(TemporaryFileName.currentHost)-\(getpid())-abc"))
    #expect(parsed.target == "results.json" && parsed.host == TemporaryFileName.currentHost && parsed.pid == getpid())
    #expect(TemporaryFileName(parsing: ".r.json.tmp-123-x9")?.host == nil, "names from before hosts were recorded")
    #expect(TemporaryFileName(parsing: ".r.json.tmp-node-7.lab-123-x9")?.host == "node-7.lab")
    for other in ["results.json", ".bashrc", ".r.json.tmp-", ".r.json.tmp-host-abc-x9", ".tmp-host-1-x9", ".r.tmp-host-1-x.y"] {
      #expect(TemporaryFileName(parsing: other) == nil, "\(other)")
    }
  }

  @Test("a temporary file of a dead process on this host is removed; a live writer's, another host's and other files stay")
  func removesOnlyStale() throws {
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let host = TemporaryFileName.currentHost
    let dead = try Self.deadPID()
    let stale = try touch(".results.json.tmp-\(host)-\(dead)-a1")
    let staleOld = try touch("sub/.m.safetensors.tmp-\(dead)-b2")
    let live = try touch(".report.html.tmp-\(host)-\(getpid())-c3")
    let remote = try touch(".k.safetensors.tmp-other-host-\(dead)-d4", age: 3600)
    let remoteOld = try touch(".k.safetensors.tmp-other-host-\(dead)-e5", age: 2 * 24 * 3600)
    let ordinary = try touch(".notes.tmp")
    let deep = try touch("a/b/.c.json.tmp-\(host)-\(dead)-f6")
    #expect(removeStaleTemporaryFiles(in: dir) == [stale, remoteOld].sorted(), "depth 0: sub/ is left")
    #expect(removeStaleTemporaryFiles(in: dir, depth: 1) == [staleOld], "depth 1: a/b/ is left")
    #expect(removeStaleTemporaryFiles(in: dir, depth: 2) == [deep])
    for kept in [live, remote, ordinary] {
      #expect(FileManager.default.fileExists(atPath: kept), "\(kept)")
    }
  }
}
