import AdvAttacks
import AdvData
import AdvNN
import AdvTensor

/// A deterministic linear classifier of 4x4 grey images into 3 classes with seeded weights: small
/// enough that every attack runs its paper defaults in well under a second.
func tinyLinearNetwork(seed: UInt64) -> Network {
  var rng = RandomStream(seed: seed, stream: 0x7171)
  let weight = rng.uniformTensor([3, 16], lo: -3, hi: 3)
  let bias = rng.uniformTensor([3], lo: -0.5, hi: 0.5)
  return Network(architecture: "tiny-linear", params: Params(), inputShape: [1, 4, 4], classes: 3,
                 parameters: [("fc.weight", weight), ("fc.bias", bias)]) { x, p, _, _ in
    linear(flatten(x), weight: p["fc.weight"], bias: p["fc.bias"])
  }
}

/// `count` seeded random 4x4 images labelled as `model` labels them, so every one is correctly
/// classified and can be attacked.
func tinySplit(for model: any Model, count: Int = 6, seed: UInt64 = 11) -> Split {
  var rng = RandomStream(seed: seed, stream: 0x1A6E)
  let images = rng.uniformTensor([count, 1, 4, 4])
  var noise = RandomStream(seed: 0)
  return Split(images: images, labels: model.predict(images, rng: &noise))
}

/// The mean logits of several networks: a model that is not a `Network`, as an ensemble is (the
/// stochastic mixture of attacks.md §9 is `Mixture`). Stochastic when a member is, answering with the first
/// stochastic member's policy.
struct LogitAverage: Model {
  let members: [Network]

  func logits(_ x: Variable, passes: Int, rng: inout RandomStream) -> Variable {
    var sum = members[0].logits(x, passes: passes, rng: &rng)
    for member in members.dropFirst() { sum = sum + member.logits(x, passes: passes, rng: &rng) }
    return sum * (1 / Float(members.count))
  }

  var stochasticPolicy: InferencePolicy? { members.lazy.compactMap(\.stochasticPolicy).first }
}

/// Runs the registered attack `name` with its declared defaults (the driver's included, as the
/// language resolves them) and `given`, on `split`.
func runRegistered(_ name: String, on model: any Model, split: Split, given: [String: ParamValue] = [:],
                   seed: UInt64 = 1) throws -> AttackResult {
  guard let kind = Attacks.named(name) else { preconditionFailure("no attack '\(name)' is registered") }
  let params = Params(spec: Evaluation.spec(of: kind), given: given)
  return try Evaluation(params, for: kind).run(kind.init(params: params), params: params, on: model, split: split, seed: seed)
}
