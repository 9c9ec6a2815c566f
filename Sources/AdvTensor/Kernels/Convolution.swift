import CDNNL
import Foundation

/// 2-D convolution geometry: NCHW input, OIHW weights, symmetric padding.
public struct ConvGeometry: Hashable, Sendable {
  public var n, c, h, w: Int
  public var outChannels, kh, kw: Int
  public var strideH, strideW, padH, padW: Int

  public init(n: Int, c: Int, h: Int, w: Int, outChannels: Int, kh: Int, kw: Int,
              strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0) {
    self.n = n; self.c = c; self.h = h; self.w = w
    self.outChannels = outChannels; self.kh = kh; self.kw = kw
    self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
  }

  public var outH: Int { (h + 2 * padH - kh) / strideH + 1 }
  public var outW: Int { (w + 2 * padW - kw) / strideW + 1 }
  var src: [Int64] { [n, c, h, w].map(Int64.init) }
  var weights: [Int64] { [outChannels, c, kh, kw].map(Int64.init) }
  var bias: [Int64] { [Int64(outChannels)] }
  var dst: [Int64] { [n, outChannels, outH, outW].map(Int64.init) }
}

/// One argument of a primitive: the plain-layout memory bound to a tensor's storage and, when
/// the primitive chose a blocked layout (`format_tag_any`), a memory of that layout (bound to a
/// scratch buffer for each call) and the reorder between the two.
final class Port {
  let user: dnnl_memory_t
  let inner: dnnl_memory_t
  let reorder: dnnl_primitive_t?
  /// Bytes of this port's blocked copy (0 when the primitive uses the plain layout).
  let bytes: Int

  init(user: dnnl_memory_t, userMD: dnnl_memory_desc_t, wanted: UnsafePointer<dnnl_memory_desc_t>, input: Bool, engine: dnnl_engine_t) {
    self.user = user
    var plain = userMD
    if dnnl_memory_desc_equal(&plain, wanted) != 0 {
      inner = user
      reorder = nil
      bytes = 0
      return
    }
    var wantedMD = wanted.pointee
    bytes = dnnl_memory_desc_get_size(&wantedMD)
    var m: dnnl_memory_t?
    check(dnnl_memory_create(&m, &wantedMD, engine, nil), "blocked memory")
    inner = m!
    var rpd: dnnl_primitive_desc_t?
    if input {
      check(dnnl_reorder_primitive_desc_create(&rpd, &plain, engine, &wantedMD, engine, nil), "reorder pd")
    } else {
      check(dnnl_reorder_primitive_desc_create(&rpd, &wantedMD, engine, &plain, engine, nil), "reorder pd")
    }
    var r: dnnl_primitive_t?
    check(dnnl_primitive_create(&r, rpd), "reorder")
    dnnl_primitive_desc_destroy(rpd)
    reorder = r
  }

  deinit {
    if let reorder { dnnl_primitive_destroy(reorder) }
    if inner != user { dnnl_memory_destroy(inner) }
  }
}

/// A convolution primitive with its ports, executed with reorders in and out as needed.
final class ConvStep {
  let primitive: dnnl_primitive_t
  let inputs: [(Int32, Port)]
  let outputs: [(Int32, Port)]

  /// Each argument: its DNNL_ARG, the query for the layout the primitive wants (with index: a
  /// bias is the second weights argument), its plain memory and descriptor.
  init(_ pd: dnnl_primitive_desc_t, inputs: [(Int32, dnnl_query_t, Int32, dnnl_memory_t, dnnl_memory_desc_t)],
       outputs: [(Int32, dnnl_query_t, Int32, dnnl_memory_t, dnnl_memory_desc_t)], engine: dnnl_engine_t) {
    var p: dnnl_primitive_t?
    check(dnnl_primitive_create(&p, pd), "conv primitive")
    primitive = p!
    self.inputs = inputs.map { arg, query, index, mem, md in
      (arg, Port(user: mem, userMD: md, wanted: dnnl_primitive_desc_query_md(pd, query, index), input: true, engine: engine))
    }
    self.outputs = outputs.map { arg, query, index, mem, md in
      (arg, Port(user: mem, userMD: md, wanted: dnnl_primitive_desc_query_md(pd, query, index), input: false, engine: engine))
    }
  }

  var bytes: Int { (inputs + outputs).reduce(0) { $0 + $1.1.bytes } }

  deinit { dnnl_primitive_destroy(primitive) }

  func run(_ ctx: DNNLContext) {
    ctx.executionLock.lock()
    defer { ctx.executionLock.unlock() }
    for (slot, port) in (inputs + outputs).map(\.1).enumerated() where port.reorder != nil {
      check(dnnl_memory_set_data_handle(port.inner, ctx.scratchBuffer(slot, bytes: port.bytes)), "scratch handle")
    }
    for (_, port) in inputs { if let r = port.reorder { ctx.submit(r, [(DNNL_ARG_FROM, port.user), (DNNL_ARG_TO, port.inner)]) } }
    ctx.submit(primitive, (inputs + outputs).map { ($0.0, $0.1.inner) })
    for (_, port) in outputs { if let r = port.reorder { ctx.submit(r, [(DNNL_ARG_FROM, port.inner), (DNNL_ARG_TO, port.user)]) } }
    check(dnnl_stream_wait(ctx.stream), "stream wait")
  }
}

/// Forward, backward-data and backward-weights primitives of one convolution geometry, each
/// free to pick the fastest (often blocked) layout; tensors stay NCHW / OIHW. The backward
/// primitives (and their buffers) are built on first use: inference never needs them.
final class ConvPrimitives {
  /// The memory objects are shared by every call of this geometry: a call binds its tensors and
  /// runs under this lock, so concurrent callers (parallel tests, say) cannot mix their buffers.
  /// It also guards the lazily built backward steps.
  let lock = NSLock()
  let geometry: ConvGeometry
  let engine: dnnl_engine_t
  let forward: ConvStep
  private var _backwardData, _backwardWeights: ConvStep?
  let src, weights, bias, dst: dnnl_memory_t
  let diffSrc, diffWeights, diffBias, diffDst: dnnl_memory_t
  private let srcMD, wMD, bMD, dstMD: dnnl_memory_desc_t
  /// The forward primitive descriptor, the hint the backward descriptors need.
  private let forwardPD: dnnl_primitive_desc_t

  init(_ g: ConvGeometry, engine: dnnl_engine_t) {
    geometry = g
    self.engine = engine
    srcMD = memoryDesc(g.src, dnnl_nchw); wMD = memoryDesc(g.weights, dnnl_oihw)
    bMD = memoryDesc(g.bias, dnnl_a); dstMD = memoryDesc(g.dst, dnnl_nchw)
    src = memory(srcMD, engine); weights = memory(wMD, engine)
    bias = memory(bMD, engine); dst = memory(dstMD, engine)
    diffSrc = memory(srcMD, engine); diffWeights = memory(wMD, engine)
    diffBias = memory(bMD, engine); diffDst = memory(dstMD, engine)

    var d = Self.descriptors(g)
    var fd = dnnl_convolution_desc_t()
    check(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct,
                                             &d.src, &d.weights, &d.bias, &d.dst, d.strides, d.padding, d.padding), "conv fwd desc")
    var fpd: dnnl_primitive_desc_t?
    check(dnnl_primitive_desc_create(&fpd, &fd, nil, engine, nil), "conv fwd pd")
    forwardPD = fpd!
    forward = ConvStep(fpd!, inputs: [(DNNL_ARG_SRC, dnnl_query_src_md, 0, src, srcMD),
                                      (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 0, weights, wMD),
                                      (DNNL_ARG_BIAS, dnnl_query_weights_md, 1, bias, bMD)],
                       outputs: [(DNNL_ARG_DST, dnnl_query_dst_md, 0, dst, dstMD)], engine: engine)
  }

  deinit {
    dnnl_primitive_desc_destroy(forwardPD)
    for m in [src, weights, bias, dst, diffSrc, diffWeights, diffBias, diffDst] { dnnl_memory_destroy(m) }
  }

  /// The `format_tag_any` descriptors a primitive of this geometry is created from.
  private static func descriptors(_ g: ConvGeometry)
    -> (src: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, bias: dnnl_memory_desc_t, dst: dnnl_memory_desc_t,
        strides: [Int64], padding: [Int64]) {
    (memoryDesc(g.src, dnnl_format_tag_any), memoryDesc(g.weights, dnnl_format_tag_any), memoryDesc(g.bias, dnnl_a),
     memoryDesc(g.dst, dnnl_format_tag_any), [Int64(g.strideH), Int64(g.strideW)], [Int64(g.padH), Int64(g.padW)])
  }

  /// Bytes of the blocked copies of the steps built so far (each step's, while it runs, in the
  /// context's scratch buffers).
  var bufferBytes: Int {
    lock.lock()
    defer { lock.unlock() }
    return forward.bytes + (_backwardData?.bytes ?? 0) + (_backwardWeights?.bytes ?? 0)
  }

  /// Backward-data step; call with `lock` held.
  var backwardData: ConvStep {
    if let s = _backwardData { return s }
    var d = Self.descriptors(geometry)
    // With one input channel (a first layer on grayscale images) oneDNN's plain-layout (GEMM)
    // kernel measured 3-6x faster than the blocked one, which pads the channel to 16. Running it
    // here (plain descriptors for this step) crashed the attack tests intermittently inside
    // oneDNN (a null data pointer, LeNet's first layer, batch 100), so every geometry uses the
    // blocked kernels until that is understood.
    var bd = dnnl_convolution_desc_t()
    check(dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &d.src, &d.weights, &d.dst,
                                                   d.strides, d.padding, d.padding), "conv bwd data desc")
    var bpd: dnnl_primitive_desc_t?
    check(dnnl_primitive_desc_create(&bpd, &bd, nil, engine, forwardPD), "conv bwd data pd")
    defer { dnnl_primitive_desc_destroy(bpd) }
    let s = ConvStep(bpd!, inputs: [(DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, 0, diffDst, dstMD),
                                    (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, 0, weights, wMD)],
                     outputs: [(DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, 0, diffSrc, srcMD)], engine: engine)
    _backwardData = s
    return s
  }

  /// Backward-weights step; call with `lock` held.
  var backwardWeights: ConvStep {
    if let s = _backwardWeights { return s }
    var d = Self.descriptors(geometry)
    var wd = dnnl_convolution_desc_t()
    check(dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &d.src, &d.weights, &d.bias, &d.dst,
                                                      d.strides, d.padding, d.padding), "conv bwd weights desc")
    var wpd: dnnl_primitive_desc_t?
    check(dnnl_primitive_desc_create(&wpd, &wd, nil, engine, forwardPD), "conv bwd weights pd")
    defer { dnnl_primitive_desc_destroy(wpd) }
    let s = ConvStep(wpd!, inputs: [(DNNL_ARG_SRC, dnnl_query_src_md, 0, src, srcMD),
                                    (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, 0, diffDst, dstMD)],
                     outputs: [(DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, 0, diffWeights, wMD),
                               (DNNL_ARG_DIFF_BIAS, dnnl_query_diff_weights_md, 1, diffBias, bMD)], engine: engine)
    _backwardWeights = s
    return s
  }
}

@inline(__always)
func bind(_ m: dnnl_memory_t, _ p: UnsafePointer<Float>) {
  check(dnnl_memory_set_data_handle(m, UnsafeMutableRawPointer(mutating: p)), "set handle")
}

extension ConvPrimitives {
  /// `y = conv(x, w) + b` on `ctx`'s stream, under this geometry's lock.
  func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor, on ctx: DNNLContext) -> Tensor {
    lock.lock()
    defer { lock.unlock() }
    let g = geometry
    var y = Tensor(uninitialized: [g.n, g.outChannels, g.outH, g.outW])
    x.withUnsafeBufferPointer { px in
      w.withUnsafeBufferPointer { pw in
        b.withUnsafeBufferPointer { pb in
          y.withUnsafeMutableBufferPointer { py in
            bind(src, px.baseAddress!); bind(weights, pw.baseAddress!)
            bind(bias, pb.baseAddress!); bind(dst, UnsafePointer(py.baseAddress!))
            forward.run(ctx)
          }
        }
      }
    }
    return y
  }
}

/// Convolution forward: `y = conv(x, w) + b`.
public func conv2dForward(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ g: ConvGeometry) -> Tensor {
  let ctx = DNNLContext.shared
  return ctx.convolution(g).forward(x, w, b, on: ctx)
}

/// Gradient of the convolution with respect to its input.
public func conv2dBackwardData(_ dy: Tensor, _ w: Tensor, _ g: ConvGeometry) -> Tensor {
  let ctx = DNNLContext.shared
  let p = ctx.convolution(g)
  p.lock.lock()
  defer { p.lock.unlock() }
  var dx = Tensor(uninitialized: [g.n, g.c, g.h, g.w])
  dy.withUnsafeBufferPointer { pdy in
    w.withUnsafeBufferPointer { pw in
      dx.withUnsafeMutableBufferPointer { pdx in
        bind(p.diffDst, pdy.baseAddress!); bind(p.weights, pw.baseAddress!)
        bind(p.diffSrc, UnsafePointer(pdx.baseAddress!))
        p.backwardData.run(ctx)
      }
    }
  }
  return dx
}

/// Gradients of the convolution with respect to its weights and bias.
public func conv2dBackwardWeights(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> (Tensor, Tensor) {
  let ctx = DNNLContext.shared
  let p = ctx.convolution(g)
  p.lock.lock()
  defer { p.lock.unlock() }
  var dw = Tensor(uninitialized: [g.outChannels, g.c, g.kh, g.kw])
  var db = Tensor(uninitialized: [g.outChannels])
  dy.withUnsafeBufferPointer { pdy in
    x.withUnsafeBufferPointer { px in
      dw.withUnsafeMutableBufferPointer { pdw in
        db.withUnsafeMutableBufferPointer { pdb in
          bind(p.diffDst, pdy.baseAddress!); bind(p.src, px.baseAddress!)
          bind(p.diffWeights, UnsafePointer(pdw.baseAddress!)); bind(p.diffBias, UnsafePointer(pdb.baseAddress!))
          p.backwardWeights.run(ctx)
        }
      }
    }
  }
  return (dw, db)
}
