import AdvLang
import Testing

/// The path rules the checker and the session share, on a file system in memory.
@Suite("file rules")
struct FileRulesTests {
  func rules(_ fs: FakeFileSystem = FakeFileSystem(), out: String = "adv-out/x", allow: [String] = []) -> FileRules {
    FileRules(outputDirectory: out, allowedWrites: allow, fileSystem: fs)
  }

  @Test("paths are made absolute against the working directory with '.', '..' and repeated slashes removed")
  func absolute() {
    let r = rules()
    #expect(r.absolute("a/./b//c/../d") == "/project/a/b/d")
    #expect(r.absolute("../../../..") == "/")
    #expect(r.absolute("/x/../y/") == "/y")
  }

  @Test("outputs go under the output directory unless absolute; inputs come from the working directory, or else the output directory")
  func resolving() {
    #expect(FileRules.outputPath("r.md", in: "adv-out/x") == "adv-out/x/r.md")
    #expect(FileRules.outputPath("/tmp/r.md", in: "adv-out/x") == "/tmp/r.md")
    #expect(FileRules.outputPath("r.md", in: nil) == "r.md")
    #expect(FileRules.inputPath("m.safetensors", in: "out", exists: { $0 == "out/m.safetensors" }) == "out/m.safetensors")
    #expect(FileRules.inputPath("m.safetensors", in: "out", exists: { _ in true }) == "m.safetensors")
    #expect(FileRules.inputPath("m.safetensors", in: "out", exists: { _ in false }) == "m.safetensors")
  }

  @Test("an output directory that does not exist yet is fine when its nearest existing ancestor is a writable directory")
  func outputDirectory() {
    var fs = FakeFileSystem()
    #expect(rules(fs).outputDirectoryProblem() == nil)
    fs.addDirectory("/ro", writable: false)
    fs.addFile("plain", [])
    #expect(rules(fs, out: "/ro/out").outputDirectoryProblem()
            == FileRules.Problem("cannot create the output directory '/ro/out': '/ro' is not writable", hint: "choose another with '--out DIR'"))
    #expect(rules(fs, out: "/ro").outputDirectoryProblem()
            == FileRules.Problem("the output directory '/ro' is not writable", hint: "choose another with '--out DIR'"))
    #expect(rules(fs, out: "plain/x").outputDirectoryProblem()?.message
            == "cannot create the output directory 'plain/x': 'plain' is a file, not a directory")
  }

  @Test("an '--allow-write' path that is a file allows that file only")
  func allowedFile() {
    let r = rules(allow: ["notes/log.md"])
    #expect(r.writeProblem("../../notes/log.md", by: "report") == nil)
    #expect(r.writeProblem("../../notes/other.md", by: "report")?.hint == "pass '--allow-write notes' to allow it")
  }
}
