import AdvSpec
import Foundation
import Testing

@Suite("atomic writes")
struct AtomicFileTests {
  /// A fresh directory per test; removed by the test.
  let dir = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-report-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  @Test("a write creates missing directories, replaces the old content and leaves no temporary file")
  func replaces() throws {
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/out/sub/r.json"
    try writeAtomically("old content, longer than the new", to: path)
    try writeAtomically("new", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out/sub") == ["r.json"])
  }

  @Test("a replaced file keeps its permissions")
  func permissions() throws {
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/r.csv"
    try writeAtomically("a", to: path)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    try writeAtomically("b", to: path)
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
  }

  @Test("a parent that is a file is reported with the path and the system's reason")
  func parentIsFile() throws {
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try writeAtomically("x", to: dir + "/file")
    #expect(throws: WriteError(path: dir + "/file/r.json",
                               reason: "cannot create directory '\(dir)/file': Not a directory")) {
      try writeAtomically("x", to: dir + "/file/r.json")
    }
  }

  @Test("a failed rename leaves the target and no temporary file")
  func renameFails() throws {
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: true)
    let error = #expect(throws: WriteError.self) { try writeAtomically("x", to: dir + "/taken") }
    #expect(error?.description == "cannot write '\(dir)/taken': Is a directory")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken"])
  }
}
