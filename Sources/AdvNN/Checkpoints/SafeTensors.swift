import AdvSpec
import AdvTensor
import Foundation

/// Errors reading or matching a checkpoint.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
  case unreadable(path: String, reason: String)
  case malformed(path: String, reason: String)
  /// A checkpoint's `__metadata__` holds a value the network cannot take (a normalisation for
  /// another number of channels, a slope that is not a positive number).
  case badMetadata(path: String, reason: String)
  /// A checkpoint's tensors are not those of the network it is restored into.
  case doesNotFit(path: String, reason: String)
  case unsupportedDType(path: String, name: String, dtype: String)
  case missingTensor(String)
  case shapeMismatch(name: String, expected: [Int], found: [Int])

  public var description: String {
    switch self {
    case .unreadable(let p, let r): return "cannot read '\(p)': \(r)"
    case .malformed(let p, let r): return "'\(p)' is not a valid safetensors file: \(r)"
    case .badMetadata(let p, let r): return "'\(p)' is not a usable checkpoint: \(r)"
    case .doesNotFit(let p, let r): return "'\(p)' does not fit the network: \(r)"
    case .unsupportedDType(let p, let n, let d): return "'\(p)': tensor '\(n)' has dtype \(d); only F32 and I64 are supported"
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
  /// The file this was read from (nil when built in memory), for errors about its contents.
  public private(set) var path: String? = nil

  public init() {}

  /// Reads a file. Every size in the header (its length, each shape and each tensor's offsets)
  /// is checked against the file's real size before anything is allocated for it; a damaged
  /// file is reported as `malformed` with what is wrong, never trusted.
  public init(contentsOf path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CheckpointError.unreadable(path: path, reason: "it is a directory")
    }
    guard let bytes = readFileBytes(path) else {
      throw CheckpointError.unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
    }
    self.path = path
    func malformed(_ reason: String) -> CheckpointError { .malformed(path: path, reason: reason) }
    guard bytes.count >= 8 else { throw malformed("shorter than its 8-byte header length") }
    var length: UInt64 = 0
    for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard length > 0 else { throw malformed("header length 0: the header is empty") }
    guard length <= UInt64(bytes.count - 8) else {
      throw malformed("header length \(length) exceeds the \(bytes.count - 8) bytes after it")
    }
    let n = Int(length)
    guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any] else {
      throw malformed("the header is not a JSON object")
    }
    let base = 8 + n
    let payload = bytes.count - base
    for (name, value) in header {
      if name == "__metadata__" {
        guard let strings = value as? [String: String] else { throw malformed("'__metadata__' must map names to strings") }
        metadata = strings
        continue
      }
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
            let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
        throw malformed("entry '\(name)' lacks dtype, shape or data_offsets")
      }
      guard shape.allSatisfy({ $0 >= 0 }) else { throw malformed("tensor '\(name)' has a negative dimension in its shape \(shape)") }
      guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= payload else {
        throw malformed("tensor '\(name)' has data offsets \(offsets), outside the \(payload) bytes of data")
      }
      let width: Int
      switch dtype {
      case "F32": width = 4
      case "I64": width = 8
      default: throw CheckpointError.unsupportedDType(path: path, name: name, dtype: dtype)
      }
      var count = 1
      for d in shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else { throw malformed("tensor '\(name)' claims a shape of \(shape), more than any file holds") }
        count = product
      }
      let (size, overflow) = count.multipliedReportingOverflow(by: width)
      let begin = base + offsets[0]
      guard !overflow, size == offsets[1] - offsets[0] else {
        throw malformed("tensor '\(name)' of shape \(shape) and dtype \(dtype) needs \(overflow ? "more" : String(size)) bytes, its offsets span \(offsets[1] - offsets[0])")
      }
      if dtype == "F32" {
        var t = Tensor(uninitialized: shape)
        t.withUnsafeMutableBufferPointer { dst in
          bytes.withUnsafeBytes { src in
            for i in 0..<count { dst[i] = Float(bitPattern: src.loadUnaligned(fromByteOffset: begin + 4 * i, as: UInt32.self).littleEndian) }
          }
        }
        tensors[name] = t
      } else {
        if shape.count != 1 { integerShapes[name] = shape }
        integers[name] = bytes.withUnsafeBytes { src in
          (0..<count).map { Int(Int64(littleEndian: src.loadUnaligned(fromByteOffset: begin + 8 * $0, as: Int64.self))) }
        }
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
