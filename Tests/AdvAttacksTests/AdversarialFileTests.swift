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

/// Files that are valid safetensors but not consistent adversarials files: one error each,
/// naming the file and what disagrees.
@Suite("corrupt adversarial files")
struct CorruptAdversarialFileTests {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-corrupt-adversarials-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  /// Two 1×2×2 images with their lists, changed by `change`, written; returns the path.
  func write(_ change: (inout SafeTensors) -> Void) throws -> String {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var st = SafeTensors()
    st.tensors = ["adversarials": Tensor(repeating: 0.5, shape: [2, 1, 2, 2]), "originals": Tensor(repeating: 0.4, shape: [2, 1, 2, 2])]
    st.integers = ["indices": [3, 9], "labels": [1, 2], "adversarial_labels": [4, -1]]
    change(&st)
    let path = directory + "/a.safetensors"
    try st.serialized().write(to: URL(fileURLWithPath: path))
    return path
  }

  func refused(_ reason: String, _ change: (inout SafeTensors) -> Void) throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = try write(change)
    #expect(throws: AdversarialFileError.malformed(path: path, reason: reason)) { try AdversarialFile(contentsOf: path) }
  }

  @Test("a consistent file reads")
  func consistent() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(try AdversarialFile(contentsOf: try write { _ in }).count == 2)
  }

  @Test("a missing tensor") func missing() throws {
    try refused("it has no I64 tensor 'labels'") { $0.integers["labels"] = nil }
    try refused("it has no F32 tensor 'originals'") { $0.tensors["originals"] = nil }
  }

  @Test("images that are not [N, C, H, W]") func rank() throws {
    try refused("'adversarials' has shape [2, 4]; expected [N, C, H, W]") { $0.tensors["adversarials"] = Tensor(zeros: [2, 4]) }
  }

  @Test("originals of another shape") func originals() throws {
    try refused("'originals' has shape [3, 1, 2, 2], 'adversarials' [2, 1, 2, 2]; they must agree") {
      $0.tensors["originals"] = Tensor(zeros: [3, 1, 2, 2])
    }
  }

  @Test("a list of another length than the images") func counts() throws {
    try refused("'adversarial_labels' has 3 entries for 2 images") { $0.integers["adversarial_labels"] = [1, 2, 3] }
  }

  @Test("a list of another shape") func listShape() throws {
    try refused("'indices' has shape [1, 2]; expected one dimension") { $0.integerShapes["indices"] = [1, 2] }
  }

  @Test("negative indices or labels") func negative() throws {
    try refused("a negative index or label, -5") { $0.integers["labels"] = [1, -5] }
    try refused("an adversarial label of -7") { $0.integers["adversarial_labels"] = [-7, 1] }
  }
}
