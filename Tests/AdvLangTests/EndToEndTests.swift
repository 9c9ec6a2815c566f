import AdvSpec
import AdvAttacks
import AdvLang
import AdvNN
import AdvReport
import AdvTensor
import Foundation
import Testing

/// Real `.adv` files from `Tests/AdvLangTests/Runs/`, checked and run through a session, as
/// `adv run` does, with a private cache and output directory.
final class EndToEndTests {
  let work = FileManager.default.temporaryDirectory.appendingPathComponent("adv-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  deinit { try? FileManager.default.removeItem(atPath: work) }

  func script(_ name: String) throws -> (name: String, text: String) {
    let url = try #require(Bundle.module.url(forResource: "Runs/\(name)", withExtension: "adv"))
    return (url.path, try String(contentsOf: url, encoding: .utf8))
  }

  /// Runs a script; returns the session and what it printed.
  func run(_ name: String, cache: Bool = true) throws -> (Session, [String]) {
    let (path, text) = try script(name)
    var printed: [String] = []
    let session = Session(scriptName: path, scriptText: text, outputDirectory: work + "/out",
                          cache: cache ? ModelCache(directory: work + "/cache") : nil,
                          output: SessionOutput(print: { printed.append($0) }, warn: { printed.append("warning: " + $0) }))
    let source = AdvLang.SourceFile(name: path, text: text)
    let steps = try session.checker.check(source).get()
    try session.run(steps, file: path)
    return (session, printed)
  }

  @Test("a BIM sweep trains, evaluates, attacks and writes a JSON report")
  func sweep() throws {
    let (session, printed) = try run("bim-sweep")
    let report = session.report
    #expect(report.models.count == 1)
    #expect(report.models[0].cleanAccuracy > 0.75)
    #expect(report.results.map(\.samples) == [20, 20, 20])
    let asr = report.results.map(\.asr)
    #expect(asr[0] == 0)
    #expect(asr[0] <= asr[1] && asr[1] <= asr[2] && asr[2] > 0.5)
    let json = try Data(contentsOf: URL(fileURLWithPath: work + "/out/r.json"))
    #expect(try JSONDecoder().decode(Report.self, from: json) == report)
    #expect(FileManager.default.fileExists(atPath: work + "/out/results.json"))
    #expect(printed.contains { $0.hasPrefix("trained m (mlp") })
  }

  @Test("an attack record keeps the policy, the declared defaults and each adversarial's label; model parameters are typed")
  func attackRecordFields() throws {
    let (session, _) = try run("bim-sweep")
    let results = session.report.results
    #expect(results.allSatisfy { $0.policy == "deterministic" })
    #expect(results[0].defaults["eps"] == .number(32.0 / 255) && results[0].defaults["steps"] == 100)
    #expect(results.map(\.changedParams) == [["eps"], ["eps"], ["eps"]])
    let last = try #require(results.last)
    #expect(last.perSample.contains { $0.returned })
    for sample in last.perSample {
      #expect((sample.adversarialLabel == nil) == !sample.returned)
      if sample.success == 1 { #expect(sample.adversarialLabel != sample.label) }
    }
    let models = session.report.models
    #expect(models[0].params["epochs"] == 3 && models[0].params["hidden"] == 64)
  }

  @Test("the latest attack's adversarials save to a safetensors file with their originals, indices and labels")
  func saveAdversarials() throws {
    let (session, _) = try run("bim-sweep")
    let last = try #require(session.report.results.last)
    var said: [String] = []
    session.output = SessionOutput(print: { said.append($0) }, warn: { said.append("warning: " + $0) })
    try session.saveAdversarials(of: "m", to: "adv/m.safetensors")
    let returned = last.perSample.filter(\.returned)
    #expect(said == ["saved \(returned.count) adversarials of m (bim) to \(work)/out/adv/m.safetensors"])
    let file = try AdversarialFile(contentsOf: work + "/out/adv/m.safetensors")
    #expect(file.indices == returned.map(\.index) && file.labels == returned.map(\.label))
    #expect(file.adversarialLabels == returned.compactMap(\.adversarialLabel))
    #expect(file.metadata["statement"] == last.statement && file.metadata["arch"] == "mlp" && file.metadata["model"] == "m")
    #expect(file.adversarials.shape == [file.count, 1, 28, 28] && file.originals.shape == [file.count, 1, 28, 28])
    // Without a name: the latest attack of all.
    try session.saveAdversarials(of: nil, to: "adv/latest.safetensors")
    #expect(try AdversarialFile(contentsOf: work + "/out/adv/latest.safetensors").indices == file.indices)
    #expect(throws: (any Error).self) { try session.saveAdversarials(of: "nobody", to: "x.safetensors") }
  }

  @Test("the same script gives the same numbers twice, the second time from the cache")
  func reproducible() throws {
    let (first, _) = try run("bim-sweep")
    let (second, printed) = try run("bim-sweep")
    #expect(printed.contains("loaded m (mlp) from the cache"))
    #expect(first.report.results.map(\.asr) == second.report.results.map(\.asr))
    #expect(first.report.results.map(\.perSample) == second.report.results.map(\.perSample))
    let (uncached, _) = try run("bim-sweep", cache: false)
    #expect(uncached.report.models.map(\.cleanAccuracy) == first.report.models.map(\.cleanAccuracy))
  }

  @Test("a cached model keeps its running statistics and slope: the same accuracies as when trained")
  func cacheKeepsState() throws {
    let (first, printed) = try run("cache-state")
    #expect(printed.contains { $0.hasPrefix("trained r (resnet18") })
    let (second, again) = try run("cache-state")
    #expect(again.contains("loaded r (resnet18) from the cache"))
    #expect(again.contains("loaded b (bsn-2) from the cache"))
    #expect(!again.contains { $0.hasPrefix("warning") }, "\(again)")
    #expect(second.report.models.map(\.cleanAccuracy) == first.report.models.map(\.cleanAccuracy))
    let r = try #require(second.models["r"]?.network), b = try #require(second.models["b"]?.network)
    #expect(r.batchNorms.contains { $0.1.mean.scalars.contains { $0 != 0 } }, "running means restored")
    #expect(b.slope > 1, "annealed slope restored: \(b.slope)")
  }

  @Test("a stochastic model: 'single' evaluations differ, policies are recorded, save/load and launches work")
  func stochastic() throws {
    let (session, printed) = try run("stochastic-policy", cache: false)
    let models = session.report.models
    #expect(models.map(\.policy) == ["single", "single", "average(10)", "average(10)"])
    #expect(models[0].cleanAccuracy != models[1].cleanAccuracy)
    #expect(models[3].name == "t" && models[3].cleanAccuracy > 0.6)
    #expect(printed.contains { $0.hasPrefix("saved s to ") })
    let attack = try #require(session.report.results.first)
    #expect(attack.policy == "average(10)")
    // The label is the majority of the launches: a sample every launch fooled is not labelled
    // with its class, one no launch fooled is.
    for sample in attack.perSample where sample.returned {
      if sample.success == 1 { #expect(sample.adversarialLabel != sample.label) }
      if sample.success == 0 { #expect(sample.adversarialLabel == sample.label) }
    }
    // 20 launches per returned image: per-sample success is a multiple of 1/20.
    #expect(attack.perSample.allSatisfy { ($0.success * 20).rounded() == $0.success * 20 })
    let (again, _) = try run("stochastic-policy", cache: false)
    #expect(again.report.models.map(\.cleanAccuracy) == models.map(\.cleanAccuracy))
    #expect(again.report.results.map(\.perSample) == session.report.results.map(\.perSample))
  }

  @Test("'train … from MODEL' starts from MODEL's weights; a model with nothing in common is refused")
  func fineTune() throws {
    let (session, printed) = try run("fine-tune")
    let acc = Dictionary(uniqueKeysWithValues: session.report.models.map { ($0.name, $0.cleanAccuracy) })
    #expect(acc["copy"] == acc["a"])
    #expect(try #require(acc["more"]) > (try #require(acc["fresh"])) + 0.05, "\(acc)")
    #expect(printed.contains { $0.hasPrefix("trained more (mlp") && $0.contains("starting from 'a'") })
    let copy = try #require(session.models["copy"]), a = try #require(session.models["a"])
    let copied = try #require(copy.network), original = try #require(a.network)
    #expect(copied.values.map(\.scalars) == original.values.map(\.scalars))
    #expect(copy.hash != a.hash)
    let lenet = try LeNet.make(params: Params(spec: LeNet.spec, given: [:]), inputShape: [1, 28, 28], classes: 10, rng: RandomStream(seed: 1))
    #expect(lenet.initialize(from: original).copied == 0)
  }

  @Test("a weighted mixture runs and says its probabilities; a uniform one, or one of equal weights, keeps the hash mixtures had before weights")
  func mixtureWeights() throws {
    let (session, printed) = try run("mixture-weights")
    #expect(printed.contains("u mixes a, b: each answer from one member drawn at random"))
    #expect(printed.contains("w mixes a, b: each answer from one member drawn with probabilities a 0.75, b 0.25"))
    let a = try #require(session.models["a"]), b = try #require(session.models["b"])
    let u = try #require(session.models["u"]), e = try #require(session.models["e"]), w = try #require(session.models["w"])
    #expect(u.hash == sha256(["mixture", a.hash, b.hash, "eligible=members"].joined(separator: "|")))
    #expect(e.hash == u.hash)
    #expect(w.hash != u.hash)
    #expect(session.report.models.last?.params["weights"] == .list([3, 1]))
    #expect(session.report.models.last?.modelHash == w.hash)
    #expect(session.report.results.count == 1 && session.report.results[0].samples > 0)
  }

  @Test("a corrupt cache entry is reported and the model trained again")
  func corruptCache() throws {
    _ = try run("bim-sweep")
    let dir = work + "/cache"
    for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasSuffix(".safetensors") {
      try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
    }
    let (_, printed) = try run("bim-sweep")
    #expect(printed.contains { $0.hasPrefix("warning: cache entry for 'm' is corrupt") })
    #expect(printed.contains { $0.hasPrefix("trained m (mlp") })
  }

  @Test("a missing data directory is refused before anything runs, with the script's line and the path")
  func missingData() throws {
    let (path, text) = try script("missing-data")
    let session = Session(scriptName: path, scriptText: text, outputDirectory: work + "/out", cache: nil,
                          output: SessionOutput(print: { _ in }, warn: { _ in }))
    let source = AdvLang.SourceFile(name: path, text: text)
    guard case .failure(let failure) = session.checker.check(source) else {
      Issue.record("expected a check error")
      return
    }
    #expect(failure.rendered(in: source).contains("missing-data.adv:2:17: error: cannot find the data directory 'no/such/dir'\n"))
  }

  @Test("an error the session itself raises also names the statement's file, line and column")
  func sessionErrorLocation() throws {
    let session = Session(scriptName: "inline.adv", scriptText: nil, outputDirectory: nil, cache: nil,
                          output: SessionOutput(print: { _ in }, warn: { _ in }))
    let source = AdvLang.SourceFile(name: "inline.adv", text: "seed 1\nload mnist train=200 test=50\nmodel a = train mlp epochs=1\nmodel b = train lenet from a epochs=1\n")
    guard case .success(let steps) = session.checker.check(source) else {
      Issue.record("the script does not check")
      return
    }
    do {
      try session.run(steps, file: "inline.adv")
      Issue.record("expected a runtime error: no weight of an mlp fits a lenet")
    } catch let error as StatementError {
      #expect(error.description.hasPrefix("inline.adv:4:1: error: no weight of 'a' (mlp) fits lenet"))
      #expect(error.statement == "model b = train lenet from a epochs=1")
    }
  }
}

@Suite("standard vocabulary")
struct StandardVocabularyTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test("grammar.md's statement sections and parameter tables are those the declarations render (run 'make grammar' if not)")
  func grammarUpToDate() throws {
    let grammar = try String(contentsOf: Self.root.appendingPathComponent("grammar.md"), encoding: .utf8)
    #expect(generatedTables(in: grammar) == renderParameterTables(vocabulary: .standard))
    #expect(generatedStatements(in: grammar) == renderStatementSections(vocabulary: .standard))
    #expect(generatedEBNF(in: grammar)?.contains("describe") == true)
    #expect(grammarIsCurrent(grammar, vocabulary: .standard), "grammar.md's EBNF or keywords are stale: run 'make grammar'")
  }

  @Test("every example script checks against the real registries")
  func examplesCheck() throws {
    let dir = Self.root.appendingPathComponent("examples")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".adv") }
    #expect(!names.isEmpty)
    for name in names {
      var checker = Checker(vocabulary: .standard)
      let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
      let result = checker.check(AdvLang.SourceFile(name: name, text: text))
      if case .failure(let f) = result { Issue.record("\(name) does not check:\n\(f.rendered(in: AdvLang.SourceFile(name: name, text: text)))") }
    }
  }

  @Test("every registered attack and architecture has help")
  func help() {
    for spec in Vocabulary.standard.allComponents {
      #expect(helpText(topic: spec.name, vocabulary: .standard)?.contains(spec.doc) == true, "no help for \(spec.name)")
    }
  }
}
