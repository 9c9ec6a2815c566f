import CDNNL
import Foundation

/// The oneDNN engine, stream and the convolution primitives built so far, one set per geometry.
///
/// Building a primitive costs far more than running a small one, so each geometry's forward,
/// backward-data and backward-weights primitives are created once and reused. Memory objects are
/// created without a buffer and pointed at the tensors' storage on every call; blocked
/// layouts chosen by a primitive get reorders (`Port`) and a place in the context's scratch
/// buffers for the duration of one call.
///
/// Blocked copies are batch-sized (a binarised ResNet's 80-channel 28×28 layer at 256 rows takes
/// 64 MB per blocked argument), and only one primitive sequence runs at a time on the shared
/// stream, so they share one set of scratch buffers (`scratch`) that grows to the largest call's
/// need: memory is the widest layer's, not the sum over every layer and direction. Geometries
/// are bounded in number (`capacity`), least recently used evicted first; an evicted set stays
/// alive while a caller still holds it (it is a class) and frees its oneDNN objects when the
/// last one lets go.
final class DNNLContext: @unchecked Sendable {
  static let shared = DNNLContext()

  let engine: dnnl_engine_t
  let stream: dnnl_stream_t
  private var convs: [ConvGeometry: ConvPrimitives] = [:]
  /// Cached geometries, least recently used first.
  private var recent: [ConvGeometry] = []
  private let lock = NSLock()
  /// Geometries the cache may hold (the most recent is always kept).
  var capacity = 64
  /// One primitive sequence (reorders, convolution, wait), or GEMM, runs at a time in the whole
  /// process, whatever its context: a oneDNN stream is not thread-safe, and oneDNN's default (library)
  /// scratchpad is one buffer shared by every primitive of the process unless the library was
  /// built for concurrent execution, which Debian's is not known to be. Two contexts' primitives
  /// running at once (tests make their own contexts) could write one scratchpad together. The
  /// engine's parallelism is inside each primitive.
  let executionLock = DNNLContext.primitiveLock
  static let primitiveLock = NSLock()
  /// The blocked copies of the running call's arguments, one buffer per argument position,
  /// each as large as the largest call has needed there; used under `executionLock`.
  private var scratch: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []

  /// The shared context; tests make their own to watch the cache.
  init() {
    var e: dnnl_engine_t?
    check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine")
    engine = e!
    var s: dnnl_stream_t?
    check(dnnl_stream_create(&s, engine, UInt32(dnnl_stream_default_flags.rawValue)), "stream")
    stream = s!
  }

  deinit {
    for buffer in scratch { buffer.pointer.deallocate() }
  }

  func convolution(_ g: ConvGeometry) -> ConvPrimitives {
    lock.lock()
    defer { lock.unlock() }
    if let p = convs[g] {
      if recent.last != g, let k = recent.firstIndex(of: g) { recent.remove(at: k); recent.append(g) }
      return p
    }
    let p = ConvPrimitives(g, engine: engine)
    convs[g] = p
    recent.append(g)
    evict()
    return p
  }

  /// Drops least recently used geometries until the cache is within `capacity`.
  private func evict() {
    while recent.count > max(capacity, 1) { convs.removeValue(forKey: recent.removeFirst()) }
  }

  /// Geometries cached (for tests and diagnostics).
  var cached: Int {
    lock.lock()
    defer { lock.unlock() }
    return convs.count
  }

  /// Bytes of the scratch buffers (for tests and diagnostics).
  var scratchBytes: Int {
    executionLock.lock()
    defer { executionLock.unlock() }
    return scratch.reduce(0) { $0 + $1.bytes }
  }

  /// Scratch buffer `slot` with room for `bytes`; call with `executionLock` held.
  func scratchBuffer(_ slot: Int, bytes: Int) -> UnsafeMutableRawPointer {
    while scratch.count <= slot { scratch.append((UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64), 64)) }
    if scratch[slot].bytes < bytes {
      scratch[slot].pointer.deallocate()
      scratch[slot] = (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes)
    }
    return scratch[slot].pointer
  }

  /// Frees every cached geometry not in use, and the scratch buffers.
  func clear() {
    lock.lock()
    convs.removeAll()
    recent.removeAll()
    lock.unlock()
    executionLock.lock()
    for buffer in scratch { buffer.pointer.deallocate() }
    scratch.removeAll()
    executionLock.unlock()
  }

  /// Queues `primitive` on the stream; the caller waits for the stream.
  func submit(_ primitive: dnnl_primitive_t, _ args: [(Int32, dnnl_memory_t)]) {
    let list = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
    list.withUnsafeBufferPointer { p in
      check(dnnl_primitive_execute(primitive, stream, Int32(p.count), p.baseAddress), "execute")
    }
  }
}

@inline(__always)
func check(_ status: dnnl_status_t, _ what: String) {
  precondition(status == dnnl_success, "oneDNN \(what) failed with status \(status.rawValue)")
}

func memoryDesc(_ dims: [Int64], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
  var md = dnnl_memory_desc_t()
  dims.withUnsafeBufferPointer { d in
    check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d.baseAddress, dnnl_f32, tag), "memory desc")
  }
  return md
}

func memory(_ md: dnnl_memory_desc_t, _ engine: dnnl_engine_t) -> dnnl_memory_t {
  var md = md
  var m: dnnl_memory_t?
  check(dnnl_memory_create(&m, &md, engine, nil), "memory")
  return m!
}
