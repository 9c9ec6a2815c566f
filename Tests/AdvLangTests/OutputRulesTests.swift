@testable import AdvLang
import AdvNN
import AdvReport
import Foundation
import Testing

/// What a script may write and what its record says it read, through the check-and-run path of
/// `adv run` and the REPL, on the real file system (a private temporary directory).
@Suite("output sandbox and inputs")
final class OutputRulesTests {
  let work = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-output-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  var printed: [String] = []
  var errors: [String] = []

  init() throws {
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
  }

  deinit {
    chmod(work + "/locked", 0o755)
    try? FileManager.default.removeItem(atPath: work)
  }

  var out: String { work + "/out" }

  func runner(allow: [String] = []) -> Runner {
    let session = Session(scriptName: "s.adv", scriptText: nil, outputDirectory: out, cache: nil,
                          output: SessionOutput(print: { [unowned self] in self.printed.append($0) },
                                                warn: { [unowned self] in self.printed.append("warning: " + $0) }),
                          allowedWrites: allow)
    return Runner(session: session, errors: { [unowned self] in self.errors.append($0) }, interruptRequested: { false })
  }

  func run(_ text: String, allow: [String] = []) -> RunOutcome {
    runner(allow: allow).checkAndRun(AdvLang.SourceFile(name: "s.adv", text: text))
  }

  static let prelude = "seed 1\nload mnist train=100 test=20\nmodel m = train mlp epochs=1 hidden=4\n"

  @Test("a write outside the output directory is refused before anything runs, naming '--allow-write'; with it, the script writes there")
  func allowWrite() throws {
    let script = Self.prelude + "report json to \"\(work)/shared/r.json\"\n"
    #expect(run(script) == .rejected)
    #expect(errors.joined().hasPrefix("""
      s.adv:4:16: error: 'report' would write outside the output directory '\(out)': '\(work)/shared/r.json'
       4 | report json to "\(work)/shared/r.json"
      """))
    #expect(errors.joined().contains("pass '--allow-write \(work)/shared' to allow it\n"))
    #expect(printed.isEmpty, "nothing ran")
    errors = []
    #expect(run(script, allow: [work + "/shared"]) == .completed, "\(errors)")
    #expect(FileManager.default.fileExists(atPath: work + "/shared/r.json"))
  }

  @Test("a symbolic link in the output directory that leads out is refused; one that stays inside is not")
  func symlinks() throws {
    try FileManager.default.createDirectory(atPath: out + "/figures", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: work + "/elsewhere", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: out + "/away", withDestinationPath: work + "/elsewhere")
    try FileManager.default.createSymbolicLink(atPath: out + "/pics", withDestinationPath: "figures")
    #expect(run("load mnist\nreport to \"away/r.md\"\n") == .rejected)
    let real = LocalFileSystem().resolvingSymlinks(work + "/elsewhere")
    #expect(errors.joined().hasPrefix("s.adv:2:11: error: 'report' would write outside the output directory '\(out)': 'away/r.md' leads through the symbolic link '\(out)/away' to '\(real)/r.md'\n"),
            "\(errors)")
    errors = []
    #expect(run("load mnist\nreport to \"pics/r.md\"\n") == .completed, "\(errors)")
    #expect(FileManager.default.fileExists(atPath: out + "/figures/r.md"))
  }

  @Test("the REPL checks each input's paths as a script's, and goes on after a refused one")
  func replInputs() throws {
    let r = runner()
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:1>", text: Self.prelude)) == .completed)
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:2>", text: "save m to \"../m.safetensors\"\n")) == .rejected)
    #expect(errors.last?.hasPrefix("<repl:2>:1:11: error: 'save' would write outside the output directory '\(out)': '../m.safetensors'\n") == true)
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:3>", text: "load cifar10\n")) == .rejected)
    #expect(errors.last?.hasPrefix("<repl:3>:1:6: error: 'cifar10' is not embedded: 'load cifar10' needs 'from \"DIR\"'\n") == true)
    #expect(r.checkAndRun(AdvLang.SourceFile(name: "<repl:4>", text: "save m to \"m.safetensors\"\nmodel c = load \"m.safetensors\" as mlp hidden=4\n")) == .completed,
            "\(errors)")
  }

  /// A directory path in which nothing can be created: in a directory of mode 0555, or, for
  /// root (whom permission bits do not stop), under a regular file.
  func unwritable() throws -> (path: String, blocker: String, reason: String) {
    if geteuid() == 0 {
      #expect(FileManager.default.createFile(atPath: work + "/plain", contents: Data("x".utf8)))
      return (work + "/plain/out", work + "/plain", "is a file, not a directory")
    }
    try FileManager.default.createDirectory(atPath: work + "/locked", withIntermediateDirectories: true)
    chmod(work + "/locked", 0o555)
    return (work + "/locked/out", work + "/locked", "is not writable")
  }

  @Test("an output directory that cannot be written stops 'adv run', 'adv check' and 'adv repl' before anything runs, with the script-error status")
  func unwritableOutputDirectory() throws {
    let (dir, blocker, reason) = try unwritable()
    let script = work + "/s.adv"
    try (Self.prelude + "evaluate m\n").write(toFile: script, atomically: true, encoding: .utf8)
    let rules = FileRules(outputDirectory: dir, fileSystem: LocalFileSystem())
    var said = ""
    #expect(!Runner.outputDirectoryIsWritable(rules, errors: { said += $0 }))
    #expect(said == "error: cannot create the output directory '\(dir)': '\(blocker)' \(reason)\nhint: choose another with '--out DIR'\n")
    #expect(Runner.runScript(script, outputDirectory: dir, seed: nil, useCache: false) == ExitStatus.scriptError)
    #expect(Runner.checkScript(script, outputDirectory: dir) == ExitStatus.scriptError)
    #expect(Runner.startREPL(outputDirectory: dir, useCache: false) == ExitStatus.scriptError)
    #expect(!FileManager.default.fileExists(atPath: dir))
  }

  @Test("a later run keeps an earlier results.json as results-1.json, then results-2.json, and says which outputs it replaces")
  func versioning() throws {
    let script = Self.prelude + "evaluate m\nfor k in [1, 2] {\n  report markdown to \"r.md\"\n}\n"
    #expect(run(script) == .completed)
    #expect(!printed.contains { $0.hasPrefix("kept") || $0.hasPrefix("replacing") }, "\(printed)")
    let first = try Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))
    for n in 1...2 {
      printed = []
      #expect(run(script) == .completed)
      #expect(printed.filter { $0.hasPrefix("kept") } == ["kept the earlier \(out)/results.json as \(out)/results-\(n).json"])
      #expect(printed.filter { $0.hasPrefix("replacing") } == ["replacing \(out)/r.md, which existed before this run"],
              "a file the run itself wrote before is replaced quietly")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/results-1.json")) == first)
    #expect(FileManager.default.fileExists(atPath: out + "/results-2.json"))
    #expect(!FileManager.default.fileExists(atPath: out + "/results-3.json"))
  }

  @Test("results.json lists what the script read: a data directory with its files and sizes, a checkpoint with its size and SHA-256")
  func inputsListed() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let embedded = root.appendingPathComponent("Sources/AdvData/Resources/mnist-5k").path
    let data = work + "/data/mnist"
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    let names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    for name in names { try FileManager.default.copyItem(atPath: embedded + "/" + name, toPath: data + "/" + name) }
    let script = "seed 1\nload mnist from \"\(data)\" train=100 test=20\nmodel m = train mlp epochs=1 hidden=4\n"
      + "save m to \"m.safetensors\"\nmodel c = load \"m.safetensors\" as mlp hidden=4\nevaluate c\n"
    #expect(run(script) == .completed, "\(errors)")
    let report = try Report(json: Data(contentsOf: URL(fileURLWithPath: out + "/results.json")))
    #expect(report.inputs.map(\.kind) == ["data", "checkpoint"])
    let directory = try #require(report.inputs.first)
    #expect(directory.path == data)
    #expect(directory.statement == "load mnist from \"\(data)\" train=100 test=20")
    #expect(directory.files.map(\.path) == names.map { data + "/" + $0 })
    for file in directory.files {
      let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int
      #expect(file.kind == "file" && file.size == size)
    }
    let checkpoint = try #require(report.inputs.last)
    #expect(checkpoint.path == out + "/m.safetensors")
    #expect(checkpoint.size == (try FileManager.default.attributesOfItem(atPath: out + "/m.safetensors")[.size] as? Int))
    #expect(checkpoint.sha256 == (try Self.sha256sum(out + "/m.safetensors")))
  }

  /// The file's SHA-256 as coreutils computes it.
  static func sha256sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return String(text.prefix(64))
  }
}
