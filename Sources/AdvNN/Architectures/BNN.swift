import AdvTensor
import Foundation

/// Binarised ResNets, BNN-D (deterministic sign) and BNN-S (stochastic binarisation), after
/// BinaryNet.pytorch's `resnet_binary` (stochastic-nets.md §7).
///
/// `layout=binarynet` (default): width factor 5; stem binarised conv 3x3 → 80, BN, Hardtanh;
/// three stages of two binary BasicBlocks (80, 160, 320 channels, stages 2–3 start with
/// stride 2); the last block skips its final BN + Hardtanh; global average pool, BN1d(320),
/// Hardtanh, binarised linear → classes, BN1d(classes). `layout=torchvision`: ResNet-18's layout
/// with binarised convolutions and linear layer and Hardtanh for ReLU.
///
/// Binarised layers binarise their weights and, unless it has exactly 3 channels (an RGB image),
/// their input; straight-through (identity) gradients reach the real-valued latent weights,
/// which are clipped to [-1, 1] after every step when `clip=true` (BinaryNet's training loop).
enum BinarizedResNet {
  enum Layout: String, ParamChoice { case binarynet, torchvision }
  enum LatentInit: String, ParamChoice { case normal, uniform, sign }

  static let layout = ParamKey<Layout>.choice(
    "layout", default: .binarynet, doc: "binarynet: BinaryNet's CIFAR resnet_binary (width 5); torchvision: ResNet-18 layout")
  static let clip = ParamKey.bool("clip", default: true, doc: "clip latent weights to [-1, 1] after each step (BinaryNet)")
  static let binarizeInput = ParamKey.bool(
    "binarize_input", default: true,
    doc: "binarise the input image in the stem unless it is RGB (BinaryNet binarises every non-RGB input)")
  static let latentInit = ParamKey<LatentInit>.choice(
    "latent_init", default: .normal,
    doc: "starting latent weights: normal = BinaryNet's N(0, 2/(k·k·C_out)) [paper code] (or the weights of 'from MODEL'); sign = their signs, ±1; uniform = their signs times U(0, 1)")
  static let sampleLatent = ParamKey.bool(
    "sample_latent", default: false,
    doc: "true: before every step each latent weight is replaced by its ±1 sample, which the optimiser then moves; false: real-valued latent weights, as in the BinaryNet version the paper adapted [paper code]")

  static func params(stochastic: Bool) -> [ParamSpec] {
    trainingParams(epochs: 20, batch: 256, optimizer: .adam, lr: 0.005, weightDecay: 1e-4, normalize: false, augment: true)
      + [layout.spec,
         TrainingConfig.regime.withDefault(.binarynet).spec,
         clip.spec, binarizeInput.spec, latentInit.spec,
         TrainingConfig.recalibrate.withDefault(true).spec]
      + (stochastic ? [sampleLatent.spec, InferencePolicy.kindKey.spec, InferencePolicy.passesKey.spec] : [])
  }

  static func make(name: String, stochastic: Bool, params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    guard inputShape.count == 3, inputShape[1] >= 8, inputShape[2] >= 8 else {
      throw ArchitectureError.unsupportedInput(architecture: name, inputShape: inputShape, expected: "CxHxW images of at least 8x8")
    }
    let torchvision = params[layout] == .torchvision
    let binarizeImage = params[binarizeInput]
    let widths = torchvision ? [64, 128, 256, 512] : [80, 160, 320]
    var b = ParameterBuilder(rng: rng)
    var binaryWeights: [String] = []
    // BinaryNet: N(0, 2/(k·k·C_out)) for every binarised convolution.
    func conv(_ b: inout ParameterBuilder, _ n: String, _ i: Int, _ o: Int, _ k: Int) {
      b.convNoBias(n, i, o, kernel: k, std: (2 / Float(o * k * k)).squareRoot())
      binaryWeights.append(n + ".weight")
    }
    conv(&b, "conv1", inputShape[0], widths[0], torchvision ? 7 : 3)
    b.batchNorm("bn1", widths[0])
    let blocks = BasicBlock.layout(widths: widths, stem: widths[0])
    for block in blocks { block.declare(&b, conv: conv) }
    let last = widths.last!
    if !torchvision { b.batchNorm("bn2", last) }
    b.linear("fc", last, classes)
    binaryWeights.append("fc.weight")
    if !torchvision { b.batchNorm("bn3", classes) }
    let packed = PackedWeightCache()
    let net = Network(architecture: name, params: params, inputShape: inputShape, classes: classes,
                      parameters: b.parameters, batchNorms: b.batchNorms, stochastic: stochastic,
                      policy: policy(params)) { x, p, mode, rng in
      let training = mode == .training
      func bn(_ y: Variable, _ n: String) -> Variable {
        batchNorm(y, gamma: p[n + ".weight"], beta: p[n + ".bias"], running: p.runningStatistics(n), training: training)
      }
      // Convolution n's packed signs when the XNOR kernels can take y: a deterministic network,
      // ±1 activations of at least 16 channels (not an image), the kernels switched on.
      func xnorWeights(_ y: Variable, _ n: String) -> BinaryConvolution.PackedWeights? {
        guard !stochastic, y.shape[1] >= 16, p.usesBinaryKernels else { return nil }
        return packed.weights(n, version: p.version, p[n + ".weight"].value)
      }
      // The XNOR kernels' convolution, counted in the network's `binaryConvolutions`; nil when an
      // element of x is exactly 0.
      func xnor(_ x: Tensor, _ weights: BinaryConvolution.PackedWeights, stride: Int, padding: Int, adding residual: Tensor? = nil,
                epilogue: BinaryConvolution.Epilogue? = nil) -> Tensor? {
        let out = BinaryConvolution.forward(x, weights, stride: stride, padding: padding, adding: residual, epilogue: epilogue)
        if out != nil { p.binaryConvolutions.add() }
        return out
      }
      func bconv(_ y: Variable, _ n: String, stride: Int, padding: Int) -> Variable {
        // Deterministic ±1 convolutions by XNOR and popcount, equal to the float path: the
        // whole convolution for queries without gradients; with gradients (training, white-box
        // attacks) its value, the gradients coming from oneDNN.
        let packedWeights = xnorWeights(y, n)
        if let packedWeights, !y.tape.keepsValues,
           let out = xnor(y.value, packedWeights, stride: stride, padding: padding) {
          return y.tape.constant(out)
        }
        let input = y.shape[1] == 3 ? y : binarize(y, stochastic: stochastic, rng: &rng)
        let weight = binarize(p[n + ".weight"], stochastic: stochastic, rng: &rng)
        if let packedWeights, y.tape.keepsValues,
           let out = xnor(input.value, packedWeights, stride: stride, padding: padding) {
          return conv2d(input, weight: weight, stride: stride, padding: padding, value: out)
        }
        return conv2d(input, weight: weight, stride: stride, padding: padding)
      }
      // Queries without gradients of a deterministic network: the XNOR kernels can also write
      // what follows a convolution (a residual sum, an inference batch norm, Hardtanh) in the
      // same pass, the float path's values bit for bit.
      func fusable(_ y: Variable, _ n: String) -> BinaryConvolution.PackedWeights? {
        guard !training, !y.tape.keepsValues else { return nil }
        return xnorWeights(y, n)
      }
      func epilogue(_ norm: String, clamp: Bool) -> BinaryConvolution.Epilogue {
        BinaryConvolution.Epilogue(gamma: p[norm + ".weight"].value, beta: p[norm + ".bias"].value,
                                   running: p.runningStatistics(norm), hardtanh: clamp)
      }
      // A ±1 convolution followed by an inference batch norm (and Hardtanh).
      func bconvNorm(_ y: Variable, _ n: String, stride: Int, padding: Int, norm: String, clamp: Bool) -> Variable {
        if let weights = fusable(y, n),
           let out = xnor(y.value, weights, stride: stride, padding: padding, epilogue: epilogue(norm, clamp: clamp)) {
          return y.tape.constant(out)
        }
        let z = bn(bconv(y, n, stride: stride, padding: padding), norm)
        return clamp ? hardtanh(z) : z
      }
      // BinaryNet layout: a block's second convolution, its shortcut added, then (but for the last
      // block) batch norm and Hardtanh, in one pass; nil when the query path does not apply.
      func fusedBlockEnd(_ out: Variable, _ y: Variable, _ block: BasicBlock) -> Variable? {
        let prefix = block.prefix
        guard !torchvision, let weights = fusable(out, prefix + ".conv2") else { return nil }
        let shortcut = block.hasShortcut
          ? bconvNorm(y, prefix + ".downsample.0", stride: block.stride, padding: 0, norm: prefix + ".downsample.1", clamp: false)
          : y
        let norm = block.isLast ? nil : epilogue(prefix + ".bn2", clamp: true)
        guard let sum = xnor(out.value, weights, stride: 1, padding: 1, adding: shortcut.value, epilogue: norm)
        else { return nil }
        return y.tape.constant(sum)
      }
      func stem(_ x: Variable, stride: Int, padding: Int) -> Variable {
        if binarizeImage { return bconv(x, "conv1", stride: stride, padding: padding) }
        return conv2d(x, weight: binarize(p["conv1.weight"], stochastic: stochastic, rng: &rng), stride: stride, padding: padding)
      }
      var y = torchvision ? stem(x, stride: 2, padding: 3) : stem(x, stride: 1, padding: 1)
      y = hardtanh(bn(y, "bn1"))
      if torchvision { y = maxPool2d(y, kernel: 3, stride: 2, padding: 1) }
      for block in blocks {
        let prefix = block.prefix
        var out = bconvNorm(y, prefix + ".conv1", stride: block.stride, padding: 1, norm: prefix + ".bn1", clamp: true)
        if let end = fusedBlockEnd(out, y, block) {
          y = end
          continue
        }
        out = torchvision
          ? bconvNorm(out, prefix + ".conv2", stride: 1, padding: 1, norm: prefix + ".bn2", clamp: false)
          : bconv(out, prefix + ".conv2", stride: 1, padding: 1)
        let shortcut = block.hasShortcut
          ? bconvNorm(y, prefix + ".downsample.0", stride: block.stride, padding: 0, norm: prefix + ".downsample.1", clamp: false)
          : y
        out = out + shortcut
        if torchvision { y = hardtanh(out) } else { y = block.isLast ? out : hardtanh(bn(out, prefix + ".bn2")) }
      }
      y = flatten(avgPool2d(y, kernel: y.shape[2], stride: 1))
      if !torchvision { y = hardtanh(bn(y, "bn2")) }
      let fcInput = binarize(y, stochastic: stochastic, rng: &rng)
      y = linear(fcInput, weight: binarize(p["fc.weight"], stochastic: stochastic, rng: &rng), bias: p["fc.bias"])
      return torchvision ? y : bn(y, "bn3")
    }
    // A stochastic binary weight is +1 with probability (w + 1)/2: BinaryNet's near-zero
    // initial weights make every one a coin flip, and on small data sets the network needs many
    // steps before any signal passes 17 noisy layers. `sign` keeps only the signs (fixed binary
    // weights at the start, BNN-D's own when starting from one), `uniform` spreads them over
    // (0, 1] in magnitude. Applied to the fresh weights and again to weights copied by 'from'.
    let rule = params[latentInit]
    if rule != .normal {
      let names = Set(binaryWeights)
      var draws = rng.derived(0xB1A7)
      net.prepareLatent = { net in
        for (k, name) in net.names.enumerated() where names.contains(name) {
          var magnitude = Tensor(repeating: 1, shape: net.values[k].shape)
          if rule == .uniform { magnitude.withUnsafeMutableBufferPointer { draws.fillUniform($0) } }
          net.values[k].withUnsafeMutableBufferPointer { w in
            magnitude.withUnsafeBufferPointer { m in
              for i in 0..<w.count { w[i] = w[i] < 0 ? -max(m[i], 1e-3) : max(m[i], 1e-3) }
            }
          }
        }
      }
      net.prepareLatent?(net)
    }
    if params[clip] { net.clippedParameters = Set(binaryWeights) }
    if stochastic && params[sampleLatent] { net.sampledLatentParameters = Set(binaryWeights) }
    return net
  }
}

/// A count that forward passes on several threads may add to (`Network.binaryConvolutions`).
final class KernelCount: @unchecked Sendable {
  private var count = 0
  private let lock = NSLock()

  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }

  func add() {
    lock.lock()
    count += 1
    lock.unlock()
  }
}

/// The packed signs of a network's binarised convolution weights, kept while the weights are
/// unchanged (`BoundParameters.version`); nil entries remember weights with an exact 0.
final class PackedWeightCache: @unchecked Sendable {
  private var entries: [String: (version: Int, weights: BinaryConvolution.PackedWeights?)] = [:]
  private let lock = NSLock()

  func weights(_ name: String, version: Int, _ weight: Tensor) -> BinaryConvolution.PackedWeights? {
    lock.lock()
    defer { lock.unlock() }
    if let e = entries[name], e.version == version { return e.weights }
    let packed = BinaryConvolution.pack(weight: weight)
    entries[name] = (version, packed)
    return packed
  }
}

extension Network {
  /// Moves every batch-norm layer's shift and running statistics off their initial values
  /// (shift 0, mean 0, variance 1), as training leaves them, drawing from `rng`. An untrained
  /// binarised network has exact zeros everywhere after its batch norms, which send each layer
  /// to the float path; benchmarks and tests of the XNOR kernels start from this instead.
  public func moveBatchNormsOffInitialValues(rng: inout RandomStream) {
    for (layer, r) in batchNorms {
      if let k = names.firstIndex(of: layer + ".bias") { values[k] = rng.uniformTensor(values[k].shape, lo: -0.3, hi: 0.3) }
      r.mean = rng.uniformTensor(r.mean.shape, lo: -0.5, hi: 0.5)
      r.variance = rng.uniformTensor(r.variance.shape, lo: 0.5, hi: 2)
    }
  }
}

/// BNN-D: binarised ResNet with deterministic sign binarisation.
public enum BNND: Architecture {
  public static let spec = ComponentSpec(
    kind: .architecture, name: "bnn-d", aliases: ["bnnd"],
    doc: "binarised ResNet (BinaryNet), deterministic sign of weights and activations",
    params: BinarizedResNet.params(stochastic: false),
    datasetDefaults: colourDefaults(["epochs": .int(150)], pcam: ["epochs": .int(50)]))

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    try BinarizedResNet.make(name: spec.name, stochastic: false, params: params, inputShape: inputShape, classes: classes, rng: rng)
  }
}

/// BNN-S: binarised ResNet with stochastic (hard-sigmoid Bernoulli) binarisation.
public enum BNNS: Architecture {
  public static let spec = ComponentSpec(
    kind: .architecture, name: "bnn-s", aliases: ["bnns"],
    doc: "binarised ResNet (BinaryNet), stochastic binarisation of weights and activations",
    params: BinarizedResNet.params(stochastic: true),
    datasetDefaults: colourDefaults(["epochs": .int(150)], pcam: ["epochs": .int(50)]))

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    try BinarizedResNet.make(name: spec.name, stochastic: true, params: params, inputShape: inputShape, classes: classes, rng: rng)
  }
}
