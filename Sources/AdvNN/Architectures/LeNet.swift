import AdvTensor

/// LeNet-5 style CNN (LeCun et al. 1998, with ReLU and max pooling as in the PyTorch tutorials):
/// conv 5x5 → 6 maps (padding 2) → ReLU → max-pool 2 → conv 5x5 → 16 → ReLU → max-pool 2 →
/// 120 → 84 → K. For 28x28 inputs the flattened size is 16·5·5 = 400. Key names match
/// `scripts/torch_models.py`'s `LeNet`.
public enum LeNet: Architecture {
  public static let spec = ComponentSpec(
    kind: .architecture, name: "lenet", aliases: ["lenet5", "lenet-5"],
    doc: "LeNet-5 style CNN (2 conv + 3 dense layers, ReLU, max pooling); reference: 0.955 on the embedded MNIST subset",
    params: trainingParams(epochs: 15, batch: 128, optimizer: .adam, lr: 1e-3))

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    guard inputShape.count == 3, inputShape[1] >= 12, inputShape[2] >= 12 else {
      throw ArchitectureError.unsupportedInput(architecture: "lenet", inputShape: inputShape, expected: "CxHxW images of at least 12x12")
    }
    let c = inputShape[0]
    let h = ((inputShape[1] + 4 - 4) / 2 - 4) / 2, w = ((inputShape[2] + 4 - 4) / 2 - 4) / 2
    var b = ParameterBuilder(rng: rng)
    b.conv("conv1", c, 6, kernel: 5)
    b.conv("conv2", 6, 16, kernel: 5)
    b.linear("fc1", 16 * h * w, 120)
    b.linear("fc2", 120, 84)
    b.linear("fc3", 84, classes)
    return Network(architecture: spec.name, params: params, inputShape: inputShape, classes: classes,
                   parameters: b.parameters) { x, p, _, _ in
      var y = maxPool2d(relu(conv2d(x, weight: p["conv1.weight"], bias: p["conv1.bias"], padding: 2)), kernel: 2)
      y = maxPool2d(relu(conv2d(y, weight: p["conv2.weight"], bias: p["conv2.bias"])), kernel: 2)
      y = relu(linear(flatten(y), weight: p["fc1.weight"], bias: p["fc1.bias"]))
      y = relu(linear(y, weight: p["fc2.weight"], bias: p["fc2.bias"]))
      return linear(y, weight: p["fc3.weight"], bias: p["fc3.bias"])
    }
  }
}
