import AdvTensor
import Foundation

/// ResNet-18 in torchvision's layout (He et al. 2016; stochastic-nets.md §2): stem conv 7x7/2
/// (no bias) → BN → ReLU → max-pool 3x3/2 pad 1, four stages of two BasicBlocks (64, 128, 256,
/// 512 channels; stages 2–4 start with stride 2 and a 1x1 conv + BN shortcut), global average
/// pool, fully connected layer. `stem=cifar` swaps the stem for a 3x3/1 conv without pooling.
/// Parameter and buffer names equal torchvision's `state_dict` keys. Training defaults: Table V,
/// MNIST column (SGD 0.001, WD 1e-5, step 5, γ 0.5, batch 128, 20 epochs).
public enum ResNet18: Architecture {
  enum Stem: String, ParamChoice { case imagenet, cifar }
  static let stem = ParamKey<Stem>.choice(
    "stem", default: .imagenet, doc: "imagenet: 7x7/2 conv + max-pool (torchvision); cifar: 3x3/1 conv, no pool")

  public static let spec = ComponentSpec(
    kind: .architecture, name: "resnet18", aliases: ["resnet-18", "resnet"],
    doc: "ResNet-18, torchvision layout, batch norm, trained from scratch",
    params: trainingParams(epochs: 20, batch: 128, optimizer: .sgd, lr: 0.001, weightDecay: 1e-5,
                           lrStep: 5, gamma: 0.5, normalize: false, augment: true)
      + [stem.spec],
    // Table V, CIFAR-10 and PCam columns; 30 epochs is a reading (not stated in the paper).
    datasetDefaults: colourDefaults(["optimizer": .string("adam"), "weight_decay": .real(1e-4),
                                     "lr_step": .int(3), "gamma": .real(0.95), "batch": .int(256), "epochs": .int(30)]))

  static let widths = [64, 128, 256, 512]

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    guard inputShape.count == 3, inputShape[1] >= 8, inputShape[2] >= 8 else {
      throw ArchitectureError.unsupportedInput(architecture: spec.name, inputShape: inputShape, expected: "CxHxW images of at least 8x8")
    }
    let cifarStem = params[stem] == .cifar
    var b = ParameterBuilder(rng: rng)
    // torchvision: kaiming-normal, fan-out, for every convolution.
    func conv(_ b: inout ParameterBuilder, _ name: String, _ i: Int, _ o: Int, _ k: Int) {
      b.convNoBias(name, i, o, kernel: k, std: (2 / Float(o * k * k)).squareRoot())
    }
    conv(&b, "conv1", inputShape[0], 64, cifarStem ? 3 : 7)
    b.batchNorm("bn1", 64)
    let blocks = BasicBlock.layout(widths: widths, stem: 64)
    for block in blocks { block.declare(&b, conv: conv) }
    b.linear("fc", 512, classes)
    return Network(architecture: spec.name, params: params, inputShape: inputShape, classes: classes,
                   parameters: b.parameters, batchNorms: b.batchNorms) { x, p, mode, _ in
      let training = mode == .training
      func bn(_ y: Variable, _ name: String) -> Variable {
        batchNorm(y, gamma: p[name + ".weight"], beta: p[name + ".bias"], running: p.runningStatistics(name), training: training)
      }
      var y = cifarStem
        ? conv2d(x, weight: p["conv1.weight"], stride: 1, padding: 1)
        : conv2d(x, weight: p["conv1.weight"], stride: 2, padding: 3)
      y = relu(bn(y, "bn1"))
      if !cifarStem { y = maxPool2d(y, kernel: 3, stride: 2, padding: 1) }
      for block in blocks {
        let prefix = block.prefix
        var out = relu(bn(conv2d(y, weight: p[prefix + ".conv1.weight"], stride: block.stride, padding: 1), prefix + ".bn1"))
        out = bn(conv2d(out, weight: p[prefix + ".conv2.weight"], padding: 1), prefix + ".bn2")
        let shortcut = block.hasShortcut
          ? bn(conv2d(y, weight: p[prefix + ".downsample.0.weight"], stride: block.stride), prefix + ".downsample.1")
          : y
        y = relu(out + shortcut)
      }
      y = flatten(avgPool2d(y, kernel: y.shape[2], stride: 1))  // global average pool (square maps)
      return linear(y, weight: p["fc.weight"], bias: p["fc.bias"])
    }
  }
}
