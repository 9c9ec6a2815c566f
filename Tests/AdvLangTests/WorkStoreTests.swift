@testable import AdvLang
import AdvSpec
import Foundation
import Testing

/// The journal of `--resume` and the units of a sharded run share one store (`WorkStore`); the
/// files below were written by the two stores before they shared it, so a run killed or sharded
/// before still resumes or merges.
@Suite("work store")
struct WorkStoreTests {
  /// `run.json` of `adv run small.adv` (no `--seed`), as both stores wrote it.
  static let manifest = #"""
    {"format":"adv-journal\/1","script":"small.adv","script_hash":"25004718a01050f35259c259353ae28f24cff80b35e4cc5326fce68a3d1b6505","script_text":"seed 1\nload mnist train=100 test=50\nmodel m = train mlp epochs=1 hidden=16\nevaluate m\nattack bim eps=8\/255 steps=3 on m samples=2\nplot bars to \"bars.svg\"\n","version":"0.1.0"}

    """#

  /// That run's first step, `seed 1`, as the journal wrote it.
  static let seedEntry = #"""
    {"adversarials":false,"drawn":[],"evaluations":0,"figures":[],"format":"adv-journal\/1","key":"fed481d70ec21575499bb8fdaefe2e2732c15a9cf7559526c423c0caccd2896d","models":[],"printed":[],"results":[],"statement":"seed 1","step":0,"surrogates":[],"transfers":[]}

    """#

  static let seedKey = "fed481d70ec21575499bb8fdaefe2e2732c15a9cf7559526c423c0caccd2896d"

  static let identity = RunIdentity(
    version: "0.1.0", script: "small.adv", scriptHash: "25004718a01050f35259c259353ae28f24cff80b35e4cc5326fce68a3d1b6505",
    scriptText: "seed 1\nload mnist train=100 test=50\nmodel m = train mlp epochs=1 hidden=16\nevaluate m\n"
      + "attack bim eps=8/255 steps=3 on m samples=2\nplot bars to \"bars.svg\"\n",
    seed: nil)

  let out = FileManager.default.temporaryDirectory.appendingPathComponent("adv-store-\(UUID().uuidString)").path

  func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
  }

  func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

  @Test("a new journal writes its manifest byte for byte as before")
  func journalManifest() throws {
    defer { try? FileManager.default.removeItem(atPath: out) }
    let journal = Journal(outputDirectory: out, identity: Self.identity)
    try journal.start()
    #expect(journal.manifestPath == out + "/.adv-journal/run.json")
    #expect(try contents(journal.manifestPath) == Self.manifest)
    #expect(journal.modelStore.directory == out + "/.adv-journal/models")
  }

  @Test("a journal written before reads back: its identity and a step's entry, which records to the same bytes")
  func journalWrittenBefore() throws {
    defer { try? FileManager.default.removeItem(atPath: out) }
    try write(Self.manifest, to: out + "/.adv-journal/run.json")
    let name = "step-00000-fed481d70ec21575"
    try write(Self.seedEntry, to: out + "/.adv-journal/\(name).json")
    let journal = Journal(outputDirectory: out, identity: Self.identity)
    #expect(try journal.earlierIdentity() == Self.identity)
    #expect(journal.base(index: 0, key: Self.seedKey) == name)
    let read = journal.store.entry(name, isOwn: { $0.step == 0 && $0.key == Self.seedKey }, otherwise: "another step's")
    guard case .success(let (entry, images))? = read else {
      Issue.record("the entry does not read back: \(String(describing: read))")
      return
    }
    #expect(entry.statement == "seed 1" && images == nil)
    try FileManager.default.removeItem(atPath: out + "/.adv-journal/\(name).json")
    try journal.record(entry, adversarials: nil)
    #expect(try contents(out + "/.adv-journal/\(name).json") == Self.seedEntry)
  }

  @Test("an entry of another step is refused with the reason, and a missing one is not finished")
  func journalOtherStep() throws {
    defer { try? FileManager.default.removeItem(atPath: out) }
    try write(Self.seedEntry, to: out + "/.adv-journal/step-00001-fed481d70ec21575.json")
    let journal = Journal(outputDirectory: out, identity: Self.identity)
    let read = journal.store.entry("step-00001-fed481d70ec21575", isOwn: { $0.step == 1 }, otherwise: "it belongs to another step")
    guard case .failure(let error)? = read else {
      Issue.record("another step's entry was taken: \(String(describing: read))")
      return
    }
    #expect(error.description == "'\(out)/.adv-journal/step-00001-fed481d70ec21575.json' cannot be used: it belongs to another step")
    #expect(journal.store.entry("step-00002-fed481d70ec21575", isOwn: { _ in true }, otherwise: "-") == nil)
  }

  @Test("units written before: the same run claims them and keeps their manifest, another run is refused")
  func unitsWrittenBefore() throws {
    defer { try? FileManager.default.removeItem(atPath: out) }
    try write(Self.manifest, to: out + "/units/run.json")
    #expect(try UnitStore.recordedIdentity(in: out) == Self.identity)
    let same = UnitStore(outputDirectory: out, identity: Self.identity)
    try same.claim()
    #expect(try contents(out + "/units/run.json") == Self.manifest)
    #expect(same.directory == out + "/units" && same.models.directory == out + "/units/models")
    var seeded = Self.identity
    seeded.seed = 4
    let error = #expect(throws: ShardRefusal.self) { try UnitStore(outputDirectory: out, identity: seeded).claim() }
    #expect(error?.directory == out)
    #expect(error?.reasons == ["it ran with no '--seed', this run has '--seed 4'"])
  }

  @Test("the first shard writes the units' manifest as before")
  func unitsManifest() throws {
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(try UnitStore.recordedIdentity(in: out) == nil)
    try UnitStore(outputDirectory: out, identity: Self.identity).claim()
    #expect(try contents(out + "/units/run.json") == Self.manifest)
  }
}
