import AdvTensor

/// What an attack may ask of a model: differentiable logits and, from them, labels under the
/// model's inference policy (ARCHITECTURE, "Engine contracts"; Foolbox's `Model`).
///
/// A `Network` conforms, and so can a mixture of networks, a surrogate or a wrapper: every attack
/// then attacks it without change, since attacks see only this protocol (through the driver's
/// `AdversarialBatch`, which also counts the queries).
///
/// Inputs are `[N, C, H, W]` images in [0, 1]; normalisation lives inside the model.
public protocol Model {
  /// Logits `[N, K]` of `x` (a variable on some tape), the mean over `passes` independent
  /// inference passes, differentiable with respect to `x` and with the weights held constant.
  /// A deterministic model gives the same logits for any `passes`; a stochastic one draws its
  /// noise from `rng`, so a run is reproducible from its seed.
  func logits(_ x: Variable, passes: Int, rng: inout RandomStream) -> Variable

  /// How a stochastic model answers one query (`single` or `average(n)`, the paper's App. F),
  /// or nil for a deterministic model, whose every pass gives the same logits.
  var stochasticPolicy: InferencePolicy? { get }

  /// The gradient with respect to `x` of an objective of the logits under the policy, and those
  /// logits. `objective` turns the logits variable into what is differentiated and its seed (nil
  /// for a scalar loss): `(crossEntropy(z, labels), nil)`, or `(z, seed)` for `Σ seed ⊙ z`. The
  /// default runs one tape through `logits`; a mixture answers with its members' mean gradient.
  func inputGradient(_ x: Tensor, rng: inout RandomStream,
                     objective: (Variable) -> (output: Variable, seed: Tensor?)) -> (logits: Tensor, gradient: Tensor)

  /// Which of `x` the model classifies as `labels` say, one answer each: what makes a sample
  /// eligible for an attack (attacks.md §1.1). A mixture may ask every member instead.
  func classifiesCorrectly(_ x: Tensor, labels: [Int], rng: inout RandomStream) -> [Bool]

  /// Forward passes of a network behind one answer per image, for sizing batches to memory:
  /// `passes` for a network, the most any member needs for a mixture.
  var forwardPassesPerAnswer: Int { get }

  /// Elements of the widest intermediate value one image of `shape` produces in one pass, for
  /// sizing batches to memory. The default measures it (below); a mixture answers for its widest
  /// member, whose passes run on tapes of their own.
  func widestValuePerImage(shape: [Int]) -> Int
}

extension Model {
  public func inputGradient(_ x: Tensor, rng: inout RandomStream,
                            objective: (Variable) -> (output: Variable, seed: Tensor?)) -> (logits: Tensor, gradient: Tensor) {
    let tape = Tape()
    let input = tape.variable(x)
    let z = logits(input, rng: &rng)
    let (output, seed) = objective(z)
    return (z.value, tape.gradients(of: output, seed: seed)[input])
  }

  public func classifiesCorrectly(_ x: Tensor, labels: [Int], rng: inout RandomStream) -> [Bool] {
    zip(predict(x, rng: &rng), labels).map { $0 == $1 }
  }

  public var forwardPassesPerAnswer: Int { passes }
}

extension Model {
  /// True when a forward pass draws random numbers: one answer is then a draw, not a fact.
  public var isStochastic: Bool { stochasticPolicy != nil }

  /// Forward passes behind one answer: the policy's for a stochastic model, 1 otherwise.
  public var passes: Int { stochasticPolicy?.passes ?? 1 }

  /// Differentiable logits of `x` under the inference policy. `average(n)` averages n passes,
  /// so gradients flow through every pass (attacks.md §0, "what the attacker's model is").
  public func logits(_ x: Variable, rng: inout RandomStream) -> Variable {
    logits(x, passes: passes, rng: &rng)
  }

  /// Logits of a batch of images, without recording gradients.
  public func logits(_ x: Tensor, rng: inout RandomStream) -> Tensor {
    let tape = Tape.inference()
    return logits(tape.constant(x), rng: &rng).value
  }

  /// Elements of the widest intermediate value one image of `shape` produces in one pass
  /// (measured by one forward pass of a blank image on its own stream, so a run's random draws
  /// do not change), for sizing batches to memory: a binarised ResNet's is 80× its input, an
  /// MLP's smaller than its input.
  public func widestValuePerImage(shape: [Int]) -> Int {
    let tape = Tape.inference()
    var rng = RandomStream(seed: 0)
    _ = logits(tape.constant(Tensor(zeros: [1] + shape)), passes: 1, rng: &rng)
    return max(tape.widest, 1)
  }

  /// Rows per forward call when a deterministic model decides labels (see `predict`).
  public static var decisionBlock: Int { 64 }

  /// Predicted labels of `x` under the inference policy. A stochastic model evaluates chunks
  /// of at most `rows` forward passes (images × passes of the policy), so memory stays bounded
  /// for any policy. A deterministic one evaluates blocks of exactly `decisionBlock` rows (the
  /// last padded): GEMM kernels sum in an order that depends on the batch size, so without
  /// fixed blocks an image lying within ~1e-7 of the decision boundary — where decision-based
  /// attacks end — could be labelled differently alone than in a batch. With them a label
  /// depends only on the image.
  public func predict(_ x: Tensor, rows: Int = 500, rng: inout RandomStream) -> [Int] {
    let n = x.shape[0]
    var out: [Int] = []
    out.reserveCapacity(n)
    guard isStochastic else {
      let block = Self.decisionBlock
      var start = 0
      while start < n {
        let end = min(start + block, n)
        var chunk = x.slice(start..<end)
        if end - start < block {
          chunk = chunk.gather(rows: (0..<block).map { $0 < end - start ? $0 : 0 })
        }
        out += logits(chunk, rng: &rng).argmaxRows().prefix(end - start)
        start = end
      }
      return out
    }
    let batch = max(1, rows / forwardPassesPerAnswer)
    var start = 0
    while start < n {
      let end = min(start + batch, n)
      out += logits(x.slice(start..<end), rng: &rng).argmaxRows()
      start = end
    }
    return out
  }
}
