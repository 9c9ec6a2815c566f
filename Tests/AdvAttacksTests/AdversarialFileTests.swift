import AdvAttacks
import AdvData
import AdvNN
import AdvTensor
import Foundation
import Testing

@Suite("adversarial files")
struct AdversarialFileTests {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-adversarials-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  let provenance = AdversarialFile.Provenance(model: "net", arch: "tiny-linear", dataset: "mnist", policy: "deterministic",
                                              seed: 1, statement: "attack bim eps=0.15 on net", modelHash: "h1", version: "0.1.0")

  /// A split whose records carry test-split indices 100, 103, 106, … (a subset keeps them).
  func subset(for net: Network) -> Split {
    let base = tinySplit(for: net, count: 30)
    return Split(images: base.images, labels: base.labels, sourceIndices: (0..<30).map { 100 + 3 * $0 })
  }

  @Test("the returned adversarials, their originals, test indices and labels write and read back with the project's reader")
  func roundTrip() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let net = tinyLinearNetwork(seed: 5)
    let split = subset(for: net)
    let result = try runRegistered("bim", on: net, split: split, given: ["eps": .real(0.15)])
    let kept = result.samples.indices.filter { result.samples[$0].returned }
    #expect(!kept.isEmpty && kept.count < result.samples.count)

    let path = directory + "/sub/adv.safetensors"
    try AdversarialFile(result, originals: split, provenance: provenance).write(to: path)
    let st = try SafeTensors(contentsOf: path)
    let n = kept.count
    #expect(st.tensors["adversarials"]?.shape == [n, 1, 4, 4])
    #expect(st.tensors["originals"]?.shape == [n, 1, 4, 4])
    #expect(st.integers["indices"] == kept.map { result.samples[$0].index })
    #expect(st.integers["labels"] == kept.map { result.samples[$0].label })
    #expect(st.integers["adversarial_labels"] == kept.map { result.samples[$0].adversarialLabel ?? -2 })
    #expect(st.tensors["adversarials"]?.scalars == kept.flatMap { result.adversarials[$0]?.scalars ?? [] })
    // Each original is the split's image at the record whose test index the sample names.
    let positions = kept.map { (result.samples[$0].index - 100) / 3 }
    #expect(st.tensors["originals"]?.scalars == split.images.gather(rows: positions).scalars)
    #expect(st.tensors["adversarials"]?.scalars.allSatisfy { (0...1).contains($0) } == true)

    #expect(st.metadata["attack"] == "bim" && st.metadata["model"] == "net" && st.metadata["arch"] == "tiny-linear")
    #expect(st.metadata["seed"] == "1" && st.metadata["version"] == "0.1.0" && st.metadata["format"] == AdversarialFile.format)
    #expect(st.metadata["statement"] == "attack bim eps=0.15 on net" && st.metadata["policy"] == "deterministic")
    let params = try #require(st.metadata["params"])
    #expect(params.contains(#""eps":0.15"#) && params.contains(#""steps":100"#) && params.contains(#""early":true"#), "\(params)")

    let back = try AdversarialFile(contentsOf: path)
    #expect(back.count == n && back.indices == st.integers["indices"] && back.metadata == st.metadata)
  }

  @Test("an attack that returned nothing writes empty tensors of the image shape")
  func empty() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let net = tinyLinearNetwork(seed: 5)
    let split = subset(for: net)
    let result = try runRegistered("bim", on: net, split: split, given: ["eps": .real(0)])
    #expect(result.samples.allSatisfy { !$0.returned })
    let path = directory + "/empty.safetensors"
    try AdversarialFile(result, originals: split, provenance: provenance).write(to: path)
    let back = try AdversarialFile(contentsOf: path)
    #expect(back.adversarials.shape == [0, 1, 4, 4] && back.originals.shape == [0, 1, 4, 4])
    #expect(back.count == 0 && back.labels.isEmpty && back.adversarialLabels.isEmpty)
  }
}
