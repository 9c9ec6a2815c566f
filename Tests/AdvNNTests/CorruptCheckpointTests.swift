import AdvNN
import AdvSpec
import AdvTensor
import Foundation
import Testing

/// Damaged safetensors files, checkpoints and cache entries, one failure class per test: one
/// error naming the file and what is wrong, never a crash, never an allocation of a size the
/// header claims beyond the file.
@Suite("Corrupt checkpoints")
final class CorruptCheckpointTests {
  let dir: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("adv-corrupt-st-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  deinit { try? FileManager.default.removeItem(atPath: dir) }

  /// A file of `length` (the 8-byte header length; the JSON's own by default), `json` and `data`.
  func file(_ json: String, length: UInt64? = nil, data: [UInt8] = [], name: String = "x.safetensors") throws -> String {
    let header = Array(json.utf8)
    let n = length ?? UInt64(header.count)
    let bytes = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + data
    let path = dir + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  func malformed(_ path: String, _ reason: String) -> CheckpointError { .malformed(path: path, reason: reason) }

  @Test("a file shorter than its header length")
  func tooShort() throws {
    let path = dir + "/short.safetensors"
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
    #expect(throws: malformed(path, "shorter than its 8-byte header length")) { try SafeTensors(contentsOf: path) }
  }

  @Test("a header length beyond the file, up to the largest 64-bit value")
  func headerLength() throws {
    let path = try file("{}", length: 100)
    #expect(throws: malformed(path, "header length 100 exceeds the 2 bytes after it")) { try SafeTensors(contentsOf: path) }
    let huge = try file("{}", length: UInt64.max)
    #expect(throws: malformed(huge, "header length 18446744073709551615 exceeds the 2 bytes after it")) { try SafeTensors(contentsOf: huge) }
    let zero = try file("{}", length: 0)
    #expect(throws: malformed(zero, "header length 0: the header is empty")) { try SafeTensors(contentsOf: zero) }
  }

  @Test("a header that is not a JSON object")
  func notJSON() throws {
    for json in ["[1, 2]", "{\"a\": ", "garbage", String(repeating: "[", count: 100_000)] {
      let path = try file(json)
      #expect(throws: malformed(path, "the header is not a JSON object")) { try SafeTensors(contentsOf: path) }
    }
  }

  @Test("metadata that does not map names to strings")
  func metadata() throws {
    let path = try file(#"{"__metadata__": {"a": 1}}"#)
    #expect(throws: malformed(path, "'__metadata__' must map names to strings")) { try SafeTensors(contentsOf: path) }
  }

  @Test("an entry without dtype, shape or offsets, or with offsets that are not two integers")
  func entry() throws {
    for json in [#"{"w": {"dtype": "F32", "shape": [1]}}"#, #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1.5]}}"#,
                 #"{"w": {"dtype": "F32", "shape": [1e30], "data_offsets": [0, 4]}}"#, #"{"w": 3}"#] {
      let path = try file(json, data: [0, 0, 0, 0])
      #expect(throws: malformed(path, "entry 'w' lacks dtype, shape or data_offsets")) { try SafeTensors(contentsOf: path) }
    }
  }

  @Test("a negative dimension")
  func negativeDimension() throws {
    let path = try file(#"{"w": {"dtype": "F32", "shape": [-1, -4], "data_offsets": [0, 16]}}"#, data: [UInt8](repeating: 0, count: 16))
    #expect(throws: malformed(path, "tensor 'w' has a negative dimension in its shape [-1, -4]")) { try SafeTensors(contentsOf: path) }
  }

  @Test("offsets outside the data, negative or reversed")
  func offsets() throws {
    for offsets in ["[0, 8]", "[-8, 4]", "[4, 0]", "[9223372036854775807, 9223372036854775807]"] {
      let path = try file(#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": \#(offsets)}}"#, data: [0, 0, 0, 0])
      #expect(throws: CheckpointError.self) { try SafeTensors(contentsOf: path) }
      do { _ = try SafeTensors(contentsOf: path) } catch { #expect("\(error)".contains("tensor 'w' has data offsets"), "\(error)") }
    }
  }

  @Test("a shape claiming more elements than any file holds")
  func shapeOverflow() throws {
    let path = try file(#"{"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
    #expect(throws: malformed(path, "tensor 'w' claims a shape of [4294967296, 4294967296, 4294967296], more than any file holds")) {
      try SafeTensors(contentsOf: path)
    }
    let wide = try file(#"{"w": {"dtype": "I64", "shape": [2305843009213693952], "data_offsets": [0, 8]}}"#, data: [UInt8](repeating: 0, count: 8))
    #expect(throws: malformed(wide, "tensor 'w' of shape [2305843009213693952] and dtype I64 needs more bytes, its offsets span 8")) {
      try SafeTensors(contentsOf: wide)
    }
  }

  @Test("a tensor whose offsets span another size than its shape and dtype need")
  func byteSize() throws {
    let path = try file(#"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: [UInt8](repeating: 0, count: 8))
    #expect(throws: malformed(path, "tensor 'w' of shape [3] and dtype F32 needs 12 bytes, its offsets span 8")) { try SafeTensors(contentsOf: path) }
  }

  @Test("an unsupported dtype names the file")
  func dtype() throws {
    let path = try file(#"{"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
    #expect(throws: CheckpointError.unsupportedDType(path: path, name: "w", dtype: "F16")) { try SafeTensors(contentsOf: path) }
    #expect(CheckpointError.unsupportedDType(path: "a.safetensors", name: "w", dtype: "F16").description
              == "'a.safetensors': tensor 'w' has dtype F16; only F32 and I64 are supported")
  }

  @Test("a directory or a missing file")
  func notAFile() throws {
    #expect(throws: CheckpointError.unreadable(path: dir, reason: "it is a directory")) { try SafeTensors(contentsOf: dir) }
    #expect(throws: CheckpointError.unreadable(path: dir + "/none", reason: "no such file")) { try SafeTensors(contentsOf: dir + "/none") }
  }

  // MARK: Checkpoints and cache entries

  func lenet() throws -> Network {
    let arch = try #require(Architectures.named("lenet"))
    return try arch.make(params: Params(spec: arch.spec, given: [:], dataset: "mnist"), inputShape: [1, 28, 28], classes: 10,
                         rng: RandomStream(seed: 1, stream: 1))
  }

  /// A LeNet checkpoint with `metadata` changed, written and read back.
  func checkpoint(_ changes: [String: String], dropping: String? = nil) throws -> (SafeTensors, String) {
    let net = try lenet()
    net.normalization = Normalization(mean: [0.1307], std: [0.3081])
    var st = Checkpoint.contents(of: net)
    for (k, v) in changes { st.metadata[k] = v }
    if let dropping { st.tensors[dropping] = nil }
    let path = dir + "/lenet.safetensors"
    try st.serialized().write(to: URL(fileURLWithPath: path))
    return (try SafeTensors(contentsOf: path), path)
  }

  @Test("a normalisation for another number of channels, or with a deviation that is not positive")
  func normalization() throws {
    for (mean, std) in [("0.1,0.2", "0.3,0.3"), ("0.1", "0"), ("nan", "0.3"), ("0.1", "-1"), ("x", "y")] {
      let (st, path) = try checkpoint(["mean": mean, "std": std])
      let net = try lenet()
      #expect(throws: CheckpointError.badMetadata(path: path, reason: "'mean' and 'std' must give one number per input channel (1), the deviations positive; found '\(mean)' and '\(std)'")) {
        try Checkpoint.restore(net, from: st)
      }
      #expect(net.normalization == nil, "a refused checkpoint leaves the network as it was")
    }
  }

  @Test("a slope that is not a positive number")
  func slope() throws {
    for slope in ["nan", "0", "-2", "inf", "abc"] {
      let (st, path) = try checkpoint(["slope": slope])
      #expect(throws: CheckpointError.badMetadata(path: path, reason: "'slope' must be a positive number, found '\(slope)'")) {
        try Checkpoint.restore(try lenet(), from: st)
      }
    }
  }

  @Test("a checkpoint missing a tensor names the file")
  func missingTensor() throws {
    let (st, path) = try checkpoint([:], dropping: "fc3.bias")
    #expect(throws: CheckpointError.doesNotFit(path: path, reason: "the checkpoint has no tensor 'fc3.bias'")) {
      try Checkpoint.restore(try lenet(), from: st)
    }
  }

  @Test("a recorded geometry that no image has counts as unrecorded")
  func geometry() throws {
    #expect(Checkpoint.geometry(try checkpoint(["input_shape": "0x28x28"]).0) == nil)
    #expect(Checkpoint.geometry(try checkpoint(["classes": "-3"]).0) == nil)
    #expect(Checkpoint.geometry(try checkpoint([:]).0)?.inputShape == [1, 28, 28])
  }

  @Test("a corrupt cache entry is reported with its path")
  func cacheEntry() throws {
    let cache = ModelCache(directory: dir)
    let key = String(repeating: "0", count: 64)
    let path = dir + "/" + key + ".safetensors"
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
    guard case .corrupt(let why) = cache.lookup(key) else {
      Issue.record("a three-byte cache entry was not reported corrupt")
      return
    }
    #expect(why == "'\(path)' is not a valid safetensors file: shorter than its 8-byte header length")
  }
}
