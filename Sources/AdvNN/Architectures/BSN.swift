import AdvTensor

/// Training parameters of the binary stochastic networks (stochastic-nets.md §6, Table VII,
/// MNIST column; epochs 100 is the adapted code's default).
func bsnParams(optimizer: TrainingConfig.OptimizerName, lr: Double, weightDecay: Double, lrStep: Int, gamma: Double, anneal: Bool) -> [ParamSpec] {
  trainingParams(epochs: 100, batch: 128, optimizer: optimizer, lr: lr, weightDecay: weightDecay,
                 lrStep: lrStep, gamma: gamma, normalize: false, augment: true)
    + [TrainingConfig.anneal.withDefault(anneal).spec,
       InferencePolicy.kindKey.spec, InferencePolicy.passesKey.spec]
}

/// An MLP whose hidden activations are binary stochastic neurons; the output layer is linear.
func stochasticMLP(name: String, hidden: [Int], params: Params, inputShape: [Int], classes: Int, rng: RandomStream) -> Network {
  var b = ParameterBuilder(rng: rng)
  let sizes = [inputShape.reduce(1, *)] + hidden + [classes]
  for i in 0..<(sizes.count - 1) { b.linear("fc\(i + 1)", sizes[i], sizes[i + 1]) }
  let layers = sizes.count - 1
  return Network(architecture: name, params: params, inputShape: inputShape, classes: classes,
                 parameters: b.parameters, stochastic: true, policy: policy(params)) { x, p, _, rng in
    var h = flatten(x)
    for i in 1...layers {
      h = linear(h, weight: p["fc\(i).weight"], bias: p["fc\(i).bias"])
      if i < layers { h = binaryStochastic(h, slope: p.slope, rng: &rng) }
    }
    return h
  }
}

func policy(_ params: Params) -> InferencePolicy { InferencePolicy(params: params) }

/// BSN-2: input → 100 BSN → classes (Table VIII); SGD 0.01, WD 1e-4, step 5, γ 0.75, annealing.
public enum BSN2: Architecture {
  public static let spec = ComponentSpec(
    kind: .architecture, name: "bsn-2", aliases: ["bsn2"],
    doc: "binary stochastic MLP with one hidden layer of 100 units (Table VIII)",
    params: bsnParams(optimizer: .sgd, lr: 0.01, weightDecay: 1e-4, lrStep: 5, gamma: 0.75, anneal: true),
    datasetDefaults: colourDefaults([:]))

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    stochasticMLP(name: spec.name, hidden: [100], params: params, inputShape: inputShape, classes: classes, rng: rng)
  }
}

/// BSN-4: input → 600 → 400 → 200 BSN → classes on MNIST, 2000 → 750 → 100 on 3-channel data
/// (Table IX); Adam 1e-4, WD 1e-6, step 5, γ 0.75, annealing.
public enum BSN4: Architecture {
  public static let spec = ComponentSpec(
    kind: .architecture, name: "bsn-4", aliases: ["bsn4"],
    doc: "binary stochastic MLP with three hidden layers (600-400-200 on MNIST, 2000-750-100 on colour data; Table IX)",
    params: bsnParams(optimizer: .adam, lr: 1e-4, weightDecay: 1e-6, lrStep: 5, gamma: 0.75, anneal: true),
    datasetDefaults: colourDefaults([:]))

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    let hidden = inputShape.reduce(1, *) <= 784 ? [600, 400, 200] : [2000, 750, 100]
    return stochasticMLP(name: spec.name, hidden: hidden, params: params, inputShape: inputShape, classes: classes, rng: rng)
  }
}

/// BSN-L: the classic PyTorch LeNet with every hidden activation a BSN, slope fixed at 1
/// (stochastic-nets.md §5): conv 5x5 → 6, BSN, max-pool 2; conv 5x5 → 16, BSN, max-pool 2;
/// 120 BSN; 84 BSN; classes. Adam 1e-3, WD 1e-5, step 50, γ 0.1.
public enum BSNL: Architecture {
  public static let spec = ComponentSpec(
    kind: .architecture, name: "bsn-l", aliases: ["bsnl", "bsn-lenet"],
    doc: "LeNet with every hidden activation a binary stochastic neuron, slope 1",
    params: bsnParams(optimizer: .adam, lr: 1e-3, weightDecay: 1e-5, lrStep: 50, gamma: 0.1, anneal: false),
    // Table VII: CIFAR-10 lr 0.01, WD 1e-4, step 50, γ 0.5; PCam step 5, γ 0.75.
    datasetDefaults: colourDefaults(["lr": .real(0.01), "weight_decay": .real(1e-4), "gamma": .real(0.5)],
                                    pcam: ["lr_step": .int(5), "gamma": .real(0.75)]))

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    guard inputShape.count == 3, inputShape[1] >= 16, inputShape[2] >= 16 else {
      throw ArchitectureError.unsupportedInput(architecture: spec.name, inputShape: inputShape, expected: "CxHxW images of at least 16x16")
    }
    let h = ((inputShape[1] - 4) / 2 - 4) / 2, w = ((inputShape[2] - 4) / 2 - 4) / 2
    var b = ParameterBuilder(rng: rng)
    b.conv("conv1", inputShape[0], 6, kernel: 5)
    b.conv("conv2", 6, 16, kernel: 5)
    b.linear("fc1", 16 * h * w, 120)
    b.linear("fc2", 120, 84)
    b.linear("fc3", 84, classes)
    return Network(architecture: spec.name, params: params, inputShape: inputShape, classes: classes,
                   parameters: b.parameters, stochastic: true, policy: policy(params)) { x, p, _, rng in
      var y = conv2d(x, weight: p["conv1.weight"], bias: p["conv1.bias"])
      y = maxPool2d(binaryStochastic(y, slope: p.slope, rng: &rng), kernel: 2)
      y = conv2d(y, weight: p["conv2.weight"], bias: p["conv2.bias"])
      y = maxPool2d(binaryStochastic(y, slope: p.slope, rng: &rng), kernel: 2)
      y = binaryStochastic(linear(flatten(y), weight: p["fc1.weight"], bias: p["fc1.bias"]), slope: p.slope, rng: &rng)
      y = binaryStochastic(linear(y, weight: p["fc2.weight"], bias: p["fc2.bias"]), slope: p.slope, rng: &rng)
      return linear(y, weight: p["fc3.weight"], bias: p["fc3.bias"])
    }
  }
}
