import AdvData
import AdvNN
import AdvTensor
import Foundation

/// The adversarial images of one attack as a safetensors file that PyTorch and NumPy read
/// (`safetensors.torch.load_file`, `safetensors.numpy.load_file`; scripts/load_adversarials.py).
///
/// Only samples that returned an image are kept, in the attack's sample order; N of them:
///
/// | tensor | dtype, shape | what |
/// |---|---|---|
/// | `adversarials` | F32 [N, C, H, W] | the adversarial images, in [0, 1] |
/// | `originals` | F32 [N, C, H, W] | the clean images they were made from |
/// | `indices` | I64 [N] | the originals' indices in the data set's test split (as `per_sample.index` in results.json) |
/// | `labels` | I64 [N] | true labels |
/// | `adversarial_labels` | I64 [N] | labels under the target's policy (`per_sample.adversarial_label`) |
///
/// `__metadata__` (strings): `attack`, `params` (a JSON object of the recorded parameters, full
/// precision), `model`, `arch`, `dataset`, `policy`, `seed`, `statement`, `model_hash`, `version`
/// (of the engine) and `format` (`adv-adversarials/1`). With N = 0 the tensors have a leading 0.
public struct AdversarialFile {
  /// Where the images came from, for the metadata: what the attack result itself does not know.
  public struct Provenance: Sendable, Equatable {
    public var model: String
    public var arch: String
    public var dataset: String
    /// The policy the target answered under: `deterministic`, `single` or `average(n)`.
    public var policy: String
    public var seed: UInt64
    public var statement: String
    public var modelHash: String
    public var version: String

    public init(model: String, arch: String, dataset: String, policy: String, seed: UInt64, statement: String,
                modelHash: String, version: String) {
      self.model = model; self.arch = arch; self.dataset = dataset; self.policy = policy; self.seed = seed
      self.statement = statement; self.modelHash = modelHash; self.version = version
    }
  }

  /// The `format` metadata value of files this type writes.
  public static let format = "adv-adversarials/1"

  public let adversarials: Tensor
  public let originals: Tensor
  public let indices: [Int]
  public let labels: [Int]
  public let adversarialLabels: [Int]
  public let metadata: [String: String]

  /// The returned samples of `result`, their originals taken from `split` (the split the attack
  /// ran on; `SampleOutcome.index` names a record of it by its `sourceIndices`).
  public init(_ result: AttackResult, originals split: Split, provenance: Provenance) {
    precondition(result.adversarials.count == result.samples.count, "one image slot per attacked sample")
    var position: [Int: Int] = [:]
    for (p, index) in split.sourceIndices.enumerated() where position[index] == nil { position[index] = p }
    let kept = result.samples.indices.filter { result.adversarials[$0] != nil }
    let positions = kept.map { k -> Int in
      guard let p = position[result.samples[k].index] else {
        preconditionFailure("sample \(result.samples[k].index) is not in the split the attack ran on")
      }
      return p
    }
    let shape = Array(split.images.shape.dropFirst())
    adversarials = kept.isEmpty ? Tensor(zeros: [0] + shape) : Tensor.concatenate(kept.compactMap { result.adversarials[$0] })
    originals = split.images.gather(rows: positions)
    indices = kept.map { result.samples[$0].index }
    labels = kept.map { result.samples[$0].label }
    // A returned image always has a label; -1 only if a caller left the scoring out.
    adversarialLabels = kept.map { result.samples[$0].adversarialLabel ?? -1 }
    metadata = [
      "format": Self.format, "attack": result.attack, "params": Self.json(result.params), "model": provenance.model,
      "arch": provenance.arch, "dataset": provenance.dataset, "policy": provenance.policy,
      "seed": String(provenance.seed), "statement": provenance.statement, "model_hash": provenance.modelHash,
      "version": provenance.version,
    ]
  }

  /// Reads a file this type wrote (or any safetensors file with the same tensors). Besides the
  /// safetensors reader's checks, the tensors must agree: two image tensors of one `[N, C, H, W]`
  /// shape, three integer lists of N entries, labels not negative; otherwise
  /// `AdversarialFileError` says which.
  public init(contentsOf path: String) throws {
    let st = try SafeTensors(contentsOf: path)
    func malformed(_ reason: String) -> AdversarialFileError { .malformed(path: path, reason: reason) }
    func tensor(_ name: String) throws -> Tensor {
      guard let t = st.tensors[name] else { throw malformed("it has no F32 tensor '\(name)'") }
      return t
    }
    func integers(_ name: String) throws -> [Int] {
      guard let v = st.integers[name] else { throw malformed("it has no I64 tensor '\(name)'") }
      guard st.integerShapes[name] == nil else { throw malformed("'\(name)' has shape \(st.integerShapes[name] ?? []); expected one dimension") }
      return v
    }
    adversarials = try tensor("adversarials")
    originals = try tensor("originals")
    indices = try integers("indices")
    labels = try integers("labels")
    adversarialLabels = try integers("adversarial_labels")
    metadata = st.metadata
    guard adversarials.shape.count == 4 else {
      throw malformed("'adversarials' has shape \(adversarials.shape); expected [N, C, H, W]")
    }
    guard originals.shape == adversarials.shape else {
      throw malformed("'originals' has shape \(originals.shape), 'adversarials' \(adversarials.shape); they must agree")
    }
    let n = adversarials.shape[0]
    for (name, list) in [("indices", indices), ("labels", labels), ("adversarial_labels", adversarialLabels)] where list.count != n {
      throw malformed("'\(name)' has \(list.count) entries for \(n) images")
    }
    if let bad = (indices + labels).first(where: { $0 < 0 }) { throw malformed("a negative index or label, \(bad)") }
    if let bad = adversarialLabels.first(where: { $0 < -1 }) { throw malformed("an adversarial label of \(bad)") }
  }

  /// Number of adversarials in the file.
  public var count: Int { indices.count }

  /// Writes the file atomically (a reader sees the old file or the new one); missing parent
  /// directories are created.
  public func write(to path: String) throws(WriteError) {
    var st = SafeTensors()
    st.tensors = ["adversarials": adversarials, "originals": originals]
    st.integers = ["indices": indices, "labels": labels, "adversarial_labels": adversarialLabels]
    st.metadata = metadata
    try writeAtomically(st.serialized(), to: path)
  }

  /// The parameters as a JSON object, keys sorted, numbers at full precision.
  static func json(_ params: Params) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = (try? encoder.encode(params.values.mapValues(JSONParam.init))) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}

/// A file that is valid safetensors but not a consistent adversarials file.
public enum AdversarialFileError: Error, Equatable, CustomStringConvertible {
  case malformed(path: String, reason: String)

  public var description: String {
    switch self {
    case .malformed(let path, let reason): return "'\(path)' is not an adversarials file: \(reason)"
    }
  }
}

/// A parameter value as JSON: numbers as numbers, flags as flags, lists as arrays.
private struct JSONParam: Encodable {
  let value: ParamValue
  init(_ value: ParamValue) { self.value = value }

  func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch value {
    case .real(let d): try c.encode(d)
    case .int(let i): try c.encode(i)
    case .string(let s): try c.encode(s)
    case .bool(let b): try c.encode(b)
    case .reals(let vs): try c.encode(vs)
    }
  }
}
