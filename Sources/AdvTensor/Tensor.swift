import CDNNL
import Foundation

/// Contiguous Float32 storage shared by tensors until one of them writes (copy on write).
public final class TensorStorage: @unchecked Sendable {
  public let count: Int
  public let pointer: UnsafeMutablePointer<Float>

  /// Keeps freed tensor buffers in the process heap for reuse: without this, glibc serves
  /// large blocks with mmap and every new activation tensor pays page faults to zero fresh pages.
  private static let heapConfigured: Bool = {
    _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
    _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    return true
  }()

  init(count: Int) {
    _ = TensorStorage.heapConfigured
    self.count = count
    // 64-byte alignment lets oneDNN and the vectoriser use aligned loads.
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
    pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

/// A dense row-major Float32 tensor with value semantics.
///
/// Shapes follow PyTorch conventions: images are NCHW, linear weights are `[out, in]`.
public struct Tensor: @unchecked Sendable {
  public private(set) var shape: [Int]
  @usableFromInline var storage: TensorStorage

  /// Number of elements.
  public var count: Int { storage.count }
  public var rank: Int { shape.count }

  /// A tensor of zeros.
  public init(zeros shape: [Int]) {
    self.shape = shape
    storage = TensorStorage(count: shape.reduce(1, *))
    storage.pointer.initialize(repeating: 0, count: storage.count)
  }

  /// A tensor whose every element is `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.shape = shape
    storage = TensorStorage(count: shape.reduce(1, *))
    storage.pointer.initialize(repeating: value, count: storage.count)
  }

  /// A tensor with uninitialised contents, for kernels that overwrite every element.
  public init(uninitialized shape: [Int]) {
    self.shape = shape
    storage = TensorStorage(count: shape.reduce(1, *))
  }

  /// A tensor holding `values` in row-major order; `values.count` must match the shape.
  public init(_ values: [Float], shape: [Int]) {
    precondition(values.count == shape.reduce(1, *), "tensor of shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
    self.shape = shape
    storage = TensorStorage(count: values.count)
    values.withUnsafeBufferPointer { src in
      if let base = src.baseAddress { storage.pointer.initialize(from: base, count: values.count) }
    }
  }

  /// A scalar (rank-0) tensor.
  public init(scalar: Float) {
    self.init([scalar], shape: [])
  }

  public var scalars: [Float] {
    Array(UnsafeBufferPointer(start: storage.pointer, count: count))
  }

  /// The single value of a one-element tensor.
  public var scalar: Float {
    precondition(count == 1, "scalar of a tensor with \(count) elements")
    return storage.pointer[0]
  }

  public subscript(flat i: Int) -> Float {
    get { storage.pointer[i] }
    set {
      makeUnique()
      storage.pointer[i] = newValue
    }
  }

  /// Same data, new shape with the same element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
    var t = self
    t.shape = newShape
    return t
  }

  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
  }

  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
    makeUnique()
    return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
  }

  @usableFromInline
  mutating func makeUnique() {
    if !isKnownUniquelyReferenced(&storage) {
      let copy = TensorStorage(count: storage.count)
      copy.pointer.initialize(from: storage.pointer, count: storage.count)
      storage = copy
    }
  }

  /// Rows `range` of the leading dimension (a copy).
  public func slice(_ range: Range<Int>) -> Tensor {
    precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0])
    let inner = shape.dropFirst().reduce(1, *)
    var out = Tensor(uninitialized: [range.count] + shape.dropFirst())
    out.storage.pointer.update(from: storage.pointer + range.lowerBound * inner, count: range.count * inner)
    return out
  }

  /// The rows at `indices` of the leading dimension, stacked (a copy).
  public func gather(rows indices: [Int]) -> Tensor {
    let inner = shape.dropFirst().reduce(1, *)
    var out = Tensor(uninitialized: [indices.count] + shape.dropFirst())
    for (k, i) in indices.enumerated() {
      precondition(i >= 0 && i < shape[0], "row \(i) out of range 0..<\(shape[0])")
      (out.storage.pointer + k * inner).update(from: storage.pointer + i * inner, count: inner)
    }
    return out
  }

  /// Concatenation along the leading dimension.
  public static func concatenate(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty)
    let inner = Array(parts[0].shape.dropFirst())
    let rows = parts.reduce(0) { $0 + $1.shape[0] }
    var out = Tensor(uninitialized: [rows] + inner)
    var offset = 0
    for p in parts {
      precondition(Array(p.shape.dropFirst()) == inner, "concatenate: shapes differ")
      (out.storage.pointer + offset).update(from: p.storage.pointer, count: p.count)
      offset += p.count
    }
    return out
  }

  /// Index of the largest value in each row of a `[N, K]` tensor.
  public func argmaxRows() -> [Int] {
    precondition(rank == 2)
    let n = shape[0], k = shape[1]
    var out = [Int](repeating: 0, count: n)
    let p = storage.pointer
    for i in 0..<n {
      var best = p[i * k], arg = 0
      for j in 1..<k where p[i * k + j] > best {
        best = p[i * k + j]
        arg = j
      }
      out[i] = arg
    }
    return out
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let shown = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
    return "Tensor\(shape)[\(shown)\(count > 8 ? ", …" : "")]"
  }
}
