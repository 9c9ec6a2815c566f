import AdvTensor
import Foundation

/// Errors reading or matching a checkpoint.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
  case unreadable(path: String, reason: String)
  case malformed(path: String, reason: String)
  case unsupportedDType(name: String, dtype: String)
  case missingTensor(String)
  case shapeMismatch(name: String, expected: [Int], found: [Int])

  public var description: String {
    switch self {
    case .unreadable(let p, let r): return "cannot read '\(p)': \(r)"
    case .malformed(let p, let r): return "'\(p)' is not a valid safetensors file: \(r)"
    case .unsupportedDType(let n, let d): return "tensor '\(n)' has dtype \(d); only F32 and I64 are supported"
    case .missingTensor(let n): return "the checkpoint has no tensor '\(n)'"
    case .shapeMismatch(let n, let e, let f): return "tensor '\(n)' has shape \(f), the architecture expects \(e)"
    }
  }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}` and
/// the raw little-endian tensor bytes. F32 tensors load as tensors; I64 tensors as integer arrays.
public struct SafeTensors {
  public var tensors: [String: Tensor] = [:]
  public var integers: [String: [Int]] = [:]
  /// Shapes of integer tensors that are not one-dimensional (e.g. `[]` for PyTorch's scalar
  /// `num_batches_tracked`).
  public var integerShapes: [String: [Int]] = [:]
  public var metadata: [String: String] = [:]

  public init() {}

  public init(contentsOf path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CheckpointError.unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
    }
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw CheckpointError.malformed(path: path, reason: "shorter than its 8-byte header length") }
    var n = 0
    for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
    guard n > 0, 8 + n <= bytes.count else { throw CheckpointError.malformed(path: path, reason: "header length \(n) exceeds the file") }
    guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any] else {
      throw CheckpointError.malformed(path: path, reason: "the header is not a JSON object")
    }
    let base = 8 + n
    for (name, value) in header {
      if name == "__metadata__" {
        metadata = (value as? [String: String]) ?? [:]
        continue
      }
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
            let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
        throw CheckpointError.malformed(path: path, reason: "entry '\(name)' lacks dtype, shape or data_offsets")
      }
      let begin = base + offsets[0], end = base + offsets[1], count = shape.reduce(1, *)
      guard begin <= end, end <= bytes.count else { throw CheckpointError.malformed(path: path, reason: "tensor '\(name)' runs past the end of the file") }
      switch dtype {
      case "F32":
        guard end - begin == 4 * count else { throw CheckpointError.malformed(path: path, reason: "tensor '\(name)' has the wrong byte size") }
        var t = Tensor(uninitialized: shape)
        t.withUnsafeMutableBufferPointer { dst in
          bytes.withUnsafeBytes { src in
            for i in 0..<count { dst[i] = Float(bitPattern: src.loadUnaligned(fromByteOffset: begin + 4 * i, as: UInt32.self).littleEndian) }
          }
        }
        tensors[name] = t
      case "I64":
        guard end - begin == 8 * count else { throw CheckpointError.malformed(path: path, reason: "tensor '\(name)' has the wrong byte size") }
        if shape.count != 1 { integerShapes[name] = shape }
        integers[name] = bytes.withUnsafeBytes { src in
          (0..<count).map { Int(Int64(littleEndian: src.loadUnaligned(fromByteOffset: begin + 8 * $0, as: Int64.self))) }
        }
      default:
        throw CheckpointError.unsupportedDType(name: name, dtype: dtype)
      }
    }
  }

  /// The file's bytes: tensors in name order, header padded with spaces to a multiple of 8.
  public func serialized() -> Data {
    var header: [String: Any] = [:]
    var payload = Data()
    for name in tensors.keys.sorted() {
      let t = tensors[name]!
      let begin = payload.count
      t.withUnsafeBufferPointer { p in
        for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
      }
      header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [begin, payload.count]] as [String: Any]
    }
    for name in integers.keys.sorted() {
      let v = integers[name]!
      let begin = payload.count
      for x in v { withUnsafeBytes(of: Int64(x).littleEndian) { payload.append(contentsOf: $0) } }
      header[name] = ["dtype": "I64", "shape": integerShapes[name] ?? [v.count], "data_offsets": [begin, payload.count]] as [String: Any]
    }
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    var out = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(json)
    out.append(payload)
    return out
  }
}
