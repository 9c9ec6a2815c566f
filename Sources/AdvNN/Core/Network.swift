import AdvTensor

/// How a forward pass runs: training (batch statistics, dropout, …) or inference.
public enum ForwardMode: Sendable { case training, inference }

/// The parameters of one forward pass, bound to a tape and looked up by their PyTorch names,
/// with the network's batch-norm running statistics.
public struct BoundParameters {
  let byName: [String: Variable]
  let running: [String: RunningStatistics]
  /// Slope k of binary stochastic neurons (annealed during training by some architectures).
  public let slope: Float
  /// The network's `valuesVersion` when bound: what caches derived from the weights (packed
  /// binary weights) compare against.
  public let version: Int
  /// The network's `usesBinaryKernels` and the count behind its `binaryConvolutions`, for the
  /// binarised architectures' forward passes.
  let usesBinaryKernels: Bool
  let binaryConvolutions: KernelCount

  public subscript(_ name: String) -> Variable {
    guard let v = byName[name] else { preconditionFailure("no parameter named '\(name)'") }
    return v
  }

  /// Running statistics of the batch-norm layer `name` (e.g. `layer1.0.bn1`).
  public func runningStatistics(_ name: String) -> RunningStatistics {
    guard let r = running[name] else { preconditionFailure("no batch-norm layer named '\(name)'") }
    return r
  }
}

/// The forward function of an architecture: input `[N, C, H, W]` in [0, 1] to logits `[N, K]`.
public typealias ForwardFunction = (_ x: Variable, _ p: BoundParameters, _ mode: ForwardMode, _ rng: inout RandomStream) -> Variable

/// A trainable network: named parameter tensors (in PyTorch `state_dict` order and naming) and
/// the architecture's forward function. A class because a model has identity: the session, the
/// trainer and attacks all refer to the same one.
public final class Network: @unchecked Sendable {
  public let architecture: String
  public let params: Params
  public let inputShape: [Int]
  public let classes: Int
  public private(set) var names: [String]
  public var values: [Tensor] { didSet { valuesVersion &+= 1 } }
  /// Counts changes of `values` (training steps, loads, copies), so that what is derived from
  /// the weights can tell when it is stale.
  public private(set) var valuesVersion = 0
  /// Per-channel input normalisation applied inside the model, so attacks stay in pixel space.
  public var normalization: Normalization?
  /// True when a forward pass draws random numbers (binary stochastic units, …).
  public let isStochastic: Bool
  /// How a stochastic model answers queries; ignored by deterministic ones.
  public var policy: InferencePolicy
  /// Batch-norm running statistics by layer name, in layer order.
  public let batchNorms: [(String, RunningStatistics)]
  /// Slope k of binary stochastic neurons; 1 unless slope annealing changed it.
  public var slope: Float = 1
  /// Whether deterministic binarised layers answer queries through the XNOR-popcount kernels
  /// (`BinaryConvolution`), the float path's values bit for bit; false keeps them on the float
  /// convolutions. Starts from `ADV_BINARY_KERNELS` (`off`: false).
  public var usesBinaryKernels = BinaryConvolution.enabledByEnvironment
  /// Convolutions this network's forward passes have run through the XNOR kernels: a diagnostic
  /// for tests and benchmarks, counted per network so that work on other networks never adds to it.
  public var binaryConvolutions: Int { binaryConvolutionCount.value }
  let binaryConvolutionCount = KernelCount()
  /// Latent weights of binarised layers, clipped to [-1, 1] after every training step.
  public var clippedParameters: Set<String> = []
  /// Latent weights that hold their last stochastic binarisation (BNN-S's `sample_latent`):
  /// before every training step each is replaced by a ±1 draw with P(+1) = (w + 1)/2,
  /// so the optimiser moves the sample and the next draw flips a weight only with the
  /// probability that step gave it.
  public var sampledLatentParameters: Set<String> = []

  /// How the architecture turns starting weights into the latent weights it trains from (the
  /// binarised ResNets' `latent_init`): applied to the fresh weights by the architecture and again
  /// by `initialize(from:)` after it copies another model's weights.
  public var prepareLatent: ((Network) -> Void)?

  /// Replaces each parameter in `sampledLatentParameters` by its ±1 stochastic binarisation.
  public func resampleLatent(rng: inout RandomStream) {
    for (k, name) in names.enumerated() where sampledLatentParameters.contains(name) {
      var u = Tensor(uninitialized: values[k].shape)
      u.withUnsafeMutableBufferPointer { rng.fillUniform($0) }
      values[k].withUnsafeMutableBufferPointer { w in
        u.withUnsafeBufferPointer { r in
          for i in 0..<w.count { w[i] = r[i] < min(max((w[i] + 1) / 2, 0), 1) ? 1 : -1 }
        }
      }
    }
  }
  let forwardFunction: ForwardFunction

  public init(architecture: String, params: Params, inputShape: [Int], classes: Int,
              parameters: [(String, Tensor)], batchNorms: [(String, RunningStatistics)] = [],
              stochastic: Bool = false, policy: InferencePolicy = .standard,
              forward: @escaping ForwardFunction) {
    self.architecture = architecture
    self.params = params
    self.inputShape = inputShape
    self.classes = classes
    self.names = parameters.map(\.0)
    self.values = parameters.map(\.1)
    self.batchNorms = batchNorms
    self.isStochastic = stochastic
    self.policy = stochastic ? policy : .single
    self.forwardFunction = forward
  }

  public var parameterCount: Int { values.reduce(0) { $0 + $1.count } }

  /// The policy as reports name it: `deterministic`, `single` or `average(n)`.
  public var policyDescription: String { isStochastic ? policy.description : "deterministic" }

  /// Binds the parameters to `tape`: as variables (gradients wanted) or constants.
  public func bind(to tape: Tape, trainable: Bool) -> (BoundParameters, [Variable]) {
    let vars = values.map { trainable ? tape.variable($0) : tape.constant($0) }
    return (BoundParameters(byName: Dictionary(uniqueKeysWithValues: zip(names, vars)),
                            running: Dictionary(uniqueKeysWithValues: batchNorms), slope: slope, version: valuesVersion,
                            usesBinaryKernels: usesBinaryKernels, binaryConvolutions: binaryConvolutionCount), vars)
  }

  /// The architecture's forward pass after input normalisation.
  public func forward(_ x: Variable, _ p: BoundParameters, mode: ForwardMode, rng: inout RandomStream) -> Variable {
    guard let n = normalization else { return forwardFunction(x, p, mode, &rng) }
    let c = n.mean.count
    let shift = x.tape.constant(Tensor(n.mean.map { -$0 }, shape: [1, c, 1, 1]))
    let scale = x.tape.constant(Tensor(n.std.map { 1 / $0 }, shape: [1, c, 1, 1]))
    return forwardFunction((x + shift) * scale, p, mode, &rng)
  }

  /// Logits averaged over `passes` independent inference passes, batched: the n passes run as
  /// one batch of n·N images (the input tiled n times) and their logits are averaged, so
  /// gradients flow through every pass. Weights are held constant.
  public func logits(_ x: Variable, passes: Int, rng: inout RandomStream) -> Variable {
    let (p, _) = bind(to: x.tape, trainable: false)
    guard passes > 1 else { return forward(x, p, mode: .inference, rng: &rng) }
    let n = x.shape[0], per = x.value.count / max(n, 1)
    let tape = x.tape
    // Tile: [passes, 1]·[1, N·D] repeats the batch; mean: [1, passes]·[passes, N·K] averages it.
    let ones = tape.constant(Tensor(repeating: 1, shape: [passes, 1]))
    let tiled = reshape(matmul(ones, reshape(x, [1, n * per])), [passes * n] + Array(x.shape.dropFirst()))
    let all = forward(tiled, p, mode: .inference, rng: &rng)
    let k = all.shape[1]
    let weights = tape.constant(Tensor(repeating: 1 / Float(passes), shape: [1, passes]))
    return reshape(matmul(weights, reshape(all, [passes, n * k])), [n, k])
  }

  /// Replaces parameter values and running statistics by their PyTorch `state_dict` names
  /// (checkpoint loading); shapes must match.
  public func load(_ tensors: [String: Tensor], integers: [String: [Int]] = [:]) throws {
    func fetch(_ name: String, _ shape: [Int]) throws -> Tensor {
      guard let t = tensors[name] else { throw CheckpointError.missingTensor(name) }
      guard t.shape == shape else { throw CheckpointError.shapeMismatch(name: name, expected: shape, found: t.shape) }
      return t
    }
    let newValues = try zip(names, values).map { try fetch($0.0, $0.1.shape) }
    let newStats = try batchNorms.map { name, r in
      (try fetch(name + ".running_mean", r.mean.shape), try fetch(name + ".running_var", r.variance.shape),
       integers[name + ".num_batches_tracked"]?.first ?? 0)
    }
    values = newValues
    for ((_, r), (m, v, tracked)) in zip(batchNorms, newStats) {
      r.mean = m
      r.variance = v
      r.batchesTracked = tracked
    }
  }

  /// Starts this network from `source` (fine-tuning, warm starts): every parameter and
  /// batch-norm running statistic whose `state_dict` name and shape match is copied, and the
  /// input normalisation and slope when the input shapes agree; the rest keep their initial
  /// values. Returns how many parameters were copied and the names of those that were not.
  @discardableResult
  public func initialize(from source: Network) -> (copied: Int, kept: [String]) {
    let (tensors, integers) = source.stateDict
    var copied = 0
    var kept: [String] = []
    for k in values.indices {
      if let t = tensors[names[k]], t.shape == values[k].shape {
        values[k] = t
        copied += 1
      } else {
        kept.append(names[k])
      }
    }
    for (name, r) in batchNorms {
      guard let m = tensors[name + ".running_mean"], let v = tensors[name + ".running_var"],
            m.shape == r.mean.shape, v.shape == r.variance.shape else { continue }
      r.mean = m
      r.variance = v
      r.batchesTracked = integers[name + ".num_batches_tracked"]?.first ?? 0
    }
    if source.inputShape == inputShape {
      normalization = source.normalization
      slope = source.slope
    }
    prepareLatent?(self)
    return (copied, kept)
  }

  /// The PyTorch `state_dict`: parameters, running statistics (F32) and batch counters (I64).
  public var stateDict: (tensors: [String: Tensor], integers: [String: [Int]]) {
    var tensors = Dictionary(uniqueKeysWithValues: zip(names, values))
    var integers: [String: [Int]] = [:]
    for (name, r) in batchNorms {
      tensors[name + ".running_mean"] = r.mean
      tensors[name + ".running_var"] = r.variance
      integers[name + ".num_batches_tracked"] = [r.batchesTracked]
    }
    return (tensors, integers)
  }
}

/// A network is the model attacks usually see: its logits and predictions come from the
/// `Model` extension, under its inference policy.
extension Network: Model {
  public var stochasticPolicy: InferencePolicy? { isStochastic ? policy : nil }
}

/// Per-channel mean and standard deviation of the training images: the model computes
/// `(x − mean) / std` first.
public struct Normalization: Sendable, Equatable {
  public let mean: [Float]
  public let std: [Float]

  public init(mean: [Float], std: [Float]) {
    self.mean = mean
    self.std = std
  }

  /// Statistics of `[N, C, H, W]` images, per channel.
  public init(statisticsOf images: Tensor) {
    let c = images.shape[1], plane = images.count / max(images.shape[0] * c, 1)
    var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
    Self.accumulate(images, sums: &sum, squares: &sq)
    self.init(sums: sum, squares: sq, count: Double(images.shape[0] * plane))
  }

  /// Adds each channel's values and their squares over `[N, C, H, W]` images, image by image
  /// and channel by channel, to `sum` and `sq`.
  static func accumulate(_ images: Tensor, sums sum: inout [Double], squares sq: inout [Double]) {
    let n = images.shape[0], c = images.shape[1], plane = images.count / max(n * c, 1)
    images.withUnsafeBufferPointer { p in
      for i in 0..<n {
        for ch in 0..<c {
          let base = (i * c + ch) * plane
          for j in 0..<plane {
            let v = Double(p[base + j])
            sum[ch] += v
            sq[ch] += v * v
          }
        }
      }
    }
  }

  /// From per-channel sums of the values and of their squares over `count` values each.
  init(sums sum: [Double], squares sq: [Double], count: Double) {
    mean = sum.map { Float($0 / count) }
    std = zip(sum, sq).map { s, q in Float(max((q / count - (s / count) * (s / count)), 1e-12).squareRoot()) }
  }

  /// `"0.1307,0.3081"`-style text for checkpoint metadata.
  public var metadata: (mean: String, std: String) {
    (mean.map { String($0) }.joined(separator: ","), std.map { String($0) }.joined(separator: ","))
  }

  public init?(metadata mean: String?, std: String?) {
    guard let mean, let std else { return nil }
    let m = mean.split(separator: ",").compactMap { Float($0) }, s = std.split(separator: ",").compactMap { Float($0) }
    guard !m.isEmpty, m.count == s.count else { return nil }
    self.init(mean: m, std: s)
  }
}

/// Builds the parameter list of a network with PyTorch's default initialisation.
public struct ParameterBuilder {
  public private(set) var parameters: [(String, Tensor)] = []
  public private(set) var batchNorms: [(String, RunningStatistics)] = []
  var rng: RandomStream

  public init(rng: RandomStream) { self.rng = rng }

  /// `nn.Linear(inputs, outputs)`: weight `[out, in]` and bias `[out]`, both U(−1/√in, 1/√in)
  /// (PyTorch's kaiming-uniform with a = √5 reduces to this bound).
  public mutating func linear(_ name: String, _ inputs: Int, _ outputs: Int) {
    let bound = 1 / Float(inputs).squareRoot()
    parameters.append((name + ".weight", rng.uniformTensor([outputs, inputs], lo: -bound, hi: bound)))
    parameters.append((name + ".bias", rng.uniformTensor([outputs], lo: -bound, hi: bound)))
  }

  /// A convolution without bias, weights ~ N(0, std²) (torchvision's ResNet uses
  /// kaiming-normal with fan-out: std = √(2 / (out·k·k))).
  public mutating func convNoBias(_ name: String, _ inputs: Int, _ outputs: Int, kernel: Int, std: Float) {
    parameters.append((name + ".weight", rng.normalTensor([outputs, inputs, kernel, kernel], std: std)))
  }

  /// `nn.BatchNorm{1,2}d(channels)`: weight 1, bias 0, running mean 0 and variance 1.
  public mutating func batchNorm(_ name: String, _ channels: Int) {
    parameters.append((name + ".weight", Tensor(repeating: 1, shape: [channels])))
    parameters.append((name + ".bias", Tensor(zeros: [channels])))
    batchNorms.append((name, RunningStatistics(channels: channels)))
  }

  /// `nn.Conv2d(inputs, outputs, kernel)`: weight OIHW, bound 1/√(in·k·k).
  public mutating func conv(_ name: String, _ inputs: Int, _ outputs: Int, kernel: Int) {
    let bound = 1 / Float(inputs * kernel * kernel).squareRoot()
    parameters.append((name + ".weight", rng.uniformTensor([outputs, inputs, kernel, kernel], lo: -bound, hi: bound)))
    parameters.append((name + ".bias", rng.uniformTensor([outputs], lo: -bound, hi: bound)))
  }
}
