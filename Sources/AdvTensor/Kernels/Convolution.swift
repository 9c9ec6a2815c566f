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

/// The oneDNN engine, stream and the convolution primitives built so far, one set per geometry.
///
/// Building a primitive costs far more than running a small one, so each geometry's forward,
/// backward-data and backward-weights primitives are created once and reused. Memory objects are
/// created without a buffer and pointed at the tensors' storage on every call.
final class DNNLContext: @unchecked Sendable {
  static let shared = DNNLContext()

  let engine: dnnl_engine_t
  let stream: dnnl_stream_t
  private var convs: [ConvGeometry: ConvPrimitives] = [:]
  private let lock = NSLock()

  private init() {
    var e: dnnl_engine_t?
    check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine")
    engine = e!
    var s: dnnl_stream_t?
    check(dnnl_stream_create(&s, engine, UInt32(dnnl_stream_default_flags.rawValue)), "stream")
    stream = s!
  }

  func convolution(_ g: ConvGeometry) -> ConvPrimitives {
    lock.lock()
    defer { lock.unlock() }
    if let p = convs[g] { return p }
    let p = ConvPrimitives(g, engine: engine)
    convs[g] = p
    return p
  }

  func execute(_ primitive: dnnl_primitive_t, _ args: [(Int32, dnnl_memory_t)]) {
    let list = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
    list.withUnsafeBufferPointer { p in
      check(dnnl_primitive_execute(primitive, stream, Int32(p.count), p.baseAddress), "execute")
    }
    check(dnnl_stream_wait(stream), "stream wait")
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

/// Forward, backward-data and backward-weights primitives of one convolution geometry.
final class ConvPrimitives {
  let forward, backwardData, backwardWeights: dnnl_primitive_t
  let src, weights, bias, dst: dnnl_memory_t
  let diffSrc, diffWeights, diffBias, diffDst: dnnl_memory_t

  init(_ g: ConvGeometry, engine: dnnl_engine_t) {
    var srcMD = memoryDesc(g.src, dnnl_nchw)
    var wMD = memoryDesc(g.weights, dnnl_oihw)
    var bMD = memoryDesc(g.bias, dnnl_a)
    var dstMD = memoryDesc(g.dst, dnnl_nchw)
    let strides: [Int64] = [Int64(g.strideH), Int64(g.strideW)]
    let padding: [Int64] = [Int64(g.padH), Int64(g.padW)]

    var fd = dnnl_convolution_desc_t()
    check(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct,
                                             &srcMD, &wMD, &bMD, &dstMD, strides, padding, padding), "conv fwd desc")
    var fpd: dnnl_primitive_desc_t?
    check(dnnl_primitive_desc_create(&fpd, &fd, nil, engine, nil), "conv fwd pd")
    var fp: dnnl_primitive_t?
    check(dnnl_primitive_create(&fp, fpd), "conv fwd primitive")
    forward = fp!

    var bd = dnnl_convolution_desc_t()
    check(dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &srcMD, &wMD, &dstMD,
                                                   strides, padding, padding), "conv bwd data desc")
    var bpd: dnnl_primitive_desc_t?
    check(dnnl_primitive_desc_create(&bpd, &bd, nil, engine, fpd), "conv bwd data pd")
    var bp: dnnl_primitive_t?
    check(dnnl_primitive_create(&bp, bpd), "conv bwd data primitive")
    backwardData = bp!

    var wd = dnnl_convolution_desc_t()
    check(dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &srcMD, &wMD, &bMD, &dstMD,
                                                      strides, padding, padding), "conv bwd weights desc")
    var wpd: dnnl_primitive_desc_t?
    check(dnnl_primitive_desc_create(&wpd, &wd, nil, engine, fpd), "conv bwd weights pd")
    var wp: dnnl_primitive_t?
    check(dnnl_primitive_create(&wp, wpd), "conv bwd weights primitive")
    backwardWeights = wp!
    dnnl_primitive_desc_destroy(fpd)
    dnnl_primitive_desc_destroy(bpd)
    dnnl_primitive_desc_destroy(wpd)

    src = memory(srcMD, engine); weights = memory(wMD, engine)
    bias = memory(bMD, engine); dst = memory(dstMD, engine)
    diffSrc = memory(srcMD, engine); diffWeights = memory(wMD, engine)
    diffBias = memory(bMD, engine); diffDst = memory(dstMD, engine)
  }
}

@inline(__always)
func bind(_ m: dnnl_memory_t, _ p: UnsafePointer<Float>) {
  check(dnnl_memory_set_data_handle(m, UnsafeMutableRawPointer(mutating: p)), "set handle")
}

/// Convolution forward: `y = conv(x, w) + b`.
public func conv2dForward(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ g: ConvGeometry) -> Tensor {
  let ctx = DNNLContext.shared
  let p = ctx.convolution(g)
  var y = Tensor(uninitialized: [g.n, g.outChannels, g.outH, g.outW])
  x.withUnsafeBufferPointer { px in
    w.withUnsafeBufferPointer { pw in
      b.withUnsafeBufferPointer { pb in
        y.withUnsafeMutableBufferPointer { py in
          bind(p.src, px.baseAddress!); bind(p.weights, pw.baseAddress!)
          bind(p.bias, pb.baseAddress!); bind(p.dst, UnsafePointer(py.baseAddress!))
          ctx.execute(p.forward, [(DNNL_ARG_SRC, p.src), (DNNL_ARG_WEIGHTS, p.weights),
                                  (DNNL_ARG_BIAS, p.bias), (DNNL_ARG_DST, p.dst)])
        }
      }
    }
  }
  return y
}

/// Gradient of the convolution with respect to its input.
public func conv2dBackwardData(_ dy: Tensor, _ w: Tensor, _ g: ConvGeometry) -> Tensor {
  let ctx = DNNLContext.shared
  let p = ctx.convolution(g)
  var dx = Tensor(uninitialized: [g.n, g.c, g.h, g.w])
  dy.withUnsafeBufferPointer { pdy in
    w.withUnsafeBufferPointer { pw in
      dx.withUnsafeMutableBufferPointer { pdx in
        bind(p.diffDst, pdy.baseAddress!); bind(p.weights, pw.baseAddress!)
        bind(p.diffSrc, UnsafePointer(pdx.baseAddress!))
        ctx.execute(p.backwardData, [(DNNL_ARG_DIFF_DST, p.diffDst), (DNNL_ARG_WEIGHTS, p.weights),
                                     (DNNL_ARG_DIFF_SRC, p.diffSrc)])
      }
    }
  }
  return dx
}

/// Gradients of the convolution with respect to its weights and bias.
public func conv2dBackwardWeights(_ dy: Tensor, _ x: Tensor, _ g: ConvGeometry) -> (Tensor, Tensor) {
  let ctx = DNNLContext.shared
  let p = ctx.convolution(g)
  var dw = Tensor(uninitialized: [g.outChannels, g.c, g.kh, g.kw])
  var db = Tensor(uninitialized: [g.outChannels])
  dy.withUnsafeBufferPointer { pdy in
    x.withUnsafeBufferPointer { px in
      dw.withUnsafeMutableBufferPointer { pdw in
        db.withUnsafeMutableBufferPointer { pdb in
          bind(p.diffDst, pdy.baseAddress!); bind(p.src, px.baseAddress!)
          bind(p.diffWeights, UnsafePointer(pdw.baseAddress!)); bind(p.diffBias, UnsafePointer(pdb.baseAddress!))
          ctx.execute(p.backwardWeights, [(DNNL_ARG_SRC, p.src), (DNNL_ARG_DIFF_DST, p.diffDst),
                                          (DNNL_ARG_DIFF_WEIGHTS, p.diffWeights), (DNNL_ARG_DIFF_BIAS, p.diffBias)])
        }
      }
    }
  }
  return (dw, db)
}
