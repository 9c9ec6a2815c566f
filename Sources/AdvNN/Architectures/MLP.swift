import AdvTensor

/// A one-hidden-layer perceptron: flatten → 100 → ReLU → K (784-100-10 on MNIST).
/// Key names match `scripts/torch_models.py`'s `MLP`.
public enum MLP: Architecture {
  static let hidden = ParamKey.int("hidden", default: 100, range: 1...100_000, doc: "hidden units")

  public static let spec = ComponentSpec(
    kind: .architecture, name: "mlp",
    doc: "multi-layer perceptron with one hidden layer of 100 ReLU units (784-100-10 on MNIST)",
    params: [hidden.spec]
      + trainingParams(epochs: 5, batch: 128, optimizer: .adam, lr: 1e-3))

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    let inputs = inputShape.reduce(1, *)
    let hidden = params[MLP.hidden]
    var b = ParameterBuilder(rng: rng)
    b.linear("fc1", inputs, hidden)
    b.linear("fc2", hidden, classes)
    return Network(architecture: spec.name, params: params, inputShape: inputShape, classes: classes,
                   parameters: b.parameters) { x, p, _, _ in
      let h = relu(linear(flatten(x), weight: p["fc1.weight"], bias: p["fc1.bias"]))
      return linear(h, weight: p["fc2.weight"], bias: p["fc2.bias"])
    }
  }
}
