import AdvNN
import AdvTensor

/// A stochastic mixture of models, the paper's defence (attacks.md §9): every answer comes from
/// one member drawn at random, uniformly (the paper's) or with given weights, a stochastic member
/// answering under its own policy. White-box attacks follow the mean of the members' input
/// gradients (`inputGradient`), as the paper's mean-gradient BIM does, weighted as the draw when
/// the mixture is: the expected gradient under the mixture's choice of member. Every success
/// check is a fresh draw.
public final class Mixture: Model {
  public let members: [any Model]
  /// Which clean samples an attack may pick (`MixtureSettings.eligible`).
  public let eligible: MixtureSettings.Eligible
  /// Each member's probability of answering (the weights over their sum); nil when uniform.
  public let probabilities: [Double]?
  /// Running sums of the weights, the last being their total: a draw `u·total` answers with the
  /// first member whose running sum exceeds it. Empty when uniform.
  let cumulative: [Double]

  /// `weights` (`MixtureSettings.weights`): one non-negative weight per member with a positive
  /// sum, relative; empty, or all equal, is uniform and draws exactly as a mixture without
  /// weights (`rng.int(below:)`, the paper's setting).
  public init(members: [any Model], weights: [Double] = [], eligible: MixtureSettings.Eligible = .members) {
    precondition(members.count >= 2, "a mixture has at least two members")
    self.members = members
    self.eligible = eligible
    precondition(weights.isEmpty || weights.count == members.count, "one weight per member")
    if weights.isEmpty || weights.allSatisfy({ $0 == weights[0] }) {
      precondition(weights.isEmpty || (weights[0].isFinite && weights[0] > 0), "the weights have a positive, finite sum")
      probabilities = nil
      cumulative = []
    } else {
      precondition(weights.allSatisfy { $0.isFinite && $0 >= 0 }, "weights are finite and non-negative")
      var sums: [Double] = []
      var total = 0.0
      for w in weights {
        total += w
        sums.append(total)
      }
      precondition(total > 0 && total.isFinite, "the weights have a positive, finite sum")
      probabilities = weights.map { $0 / total }
      cumulative = sums
    }
  }

  /// The member answering one row: uniform as the paper's (one `int(below:)`), else one
  /// uniform draw placed among the weights' running sums. A member of weight 0 is never drawn.
  func drawMember(_ rng: inout RandomStream) -> Int {
    guard let total = cumulative.last else { return rng.int(below: members.count) }
    let u = rng.uniformDouble() * total
    if let m = cumulative.firstIndex(where: { u < $0 }) { return m }
    // u·total rounded up to the total: the last member with a positive weight.
    return cumulative.indices.last(where: { m in m == 0 ? cumulative[0] > 0 : cumulative[m] > cumulative[m - 1] }) ?? 0
  }

  /// One answer of a mixture is one member's answer: a single draw of a stochastic model.
  public var stochasticPolicy: InferencePolicy? { .single }

  /// Every member answers every row (`answers`), so a batch costs the most passes any member needs.
  public var forwardPassesPerAnswer: Int { members.map(\.forwardPassesPerAnswer).max() ?? 1 }

  /// The widest member's: every member answers every row of a batch.
  public func widestValuePerImage(shape: [Int]) -> Int {
    members.map { $0.widestValuePerImage(shape: shape) }.max() ?? 1
  }

  /// The mean of `passes` independent answers, each row's member drawn for it. Values only: no
  /// gradient flows back through a mixture's logits (its white-box gradient is the members' mean,
  /// `inputGradient`), so the result is a constant on `x`'s tape.
  public func logits(_ x: Variable, passes: Int, rng: inout RandomStream) -> Variable {
    x.tape.constant(answers(x.value, passes: passes, rng: &rng))
  }

  /// Row by row, the logits of a member drawn for that row, averaged over `passes` draws.
  /// Every member answers the whole batch and each row keeps its drawn member's answer: a
  /// member given only its drawn rows would see a new batch size at every call, and the
  /// convolution primitives cached per shape then grew without bound (a run ran out of 24 GB).
  func answers(_ x: Tensor, passes: Int, rng: inout RandomStream) -> Tensor {
    let n = x.shape[0]
    var total: Tensor? = nil
    for _ in 0..<max(passes, 1) {
      let choice = (0..<n).map { _ in drawMember(&rng) }
      var answer: Tensor? = nil
      for (m, member) in members.enumerated() {
        let rows = choice.indices.filter { choice[$0] == m }
        guard !rows.isEmpty else { continue }
        let z = member.logits(x, rng: &rng).gather(rows: rows)
        answer = scatter(z, rows: rows, into: answer, count: n)
      }
      guard let answer else { continue }
      total = total.map { $0 + answer } ?? answer
    }
    guard let total else { return Tensor(zeros: [n, 0]) }
    return passes > 1 ? total * (1 / Float(passes)) : total
  }

  /// `into` (or zeros of `count` rows) with `z`'s rows written at `rows`.
  func scatter(_ z: Tensor, rows: [Int], into existing: Tensor?, count: Int) -> Tensor {
    let k = z.shape[1]
    var out = existing ?? Tensor(zeros: [count, k])
    z.withUnsafeBufferPointer { pz in
      out.withUnsafeMutableBufferPointer { po in
        for (r, row) in rows.enumerated() {
          for j in 0..<k { po[row * k + j] = pz[r * k + j] }
        }
      }
    }
    return out
  }

  /// The mean over all members of the gradient of `Σ seed(zₘ) ⊙ zₘ`, zₘ a member's logits under
  /// its policy (attacks.md §9: `(1/M) Σ ∇ₓ CE(member(x), y)` for BIM's cross-entropy seed);
  /// with weights, the mean weighted by the members' probabilities, `Σ pₘ ∇ₓ CE(member(x), y)`,
  /// the expected gradient under the mixture's draw (a member of weight 0 is not asked). The
  /// logits returned answer the query as the mixture does: each row one drawn member's.
  public func inputGradient(_ x: Tensor, rng: inout RandomStream,
                            objective: (Variable) -> (output: Variable, seed: Tensor?)) -> (logits: Tensor, gradient: Tensor) {
    let n = x.shape[0]
    let choice = (0..<n).map { _ in drawMember(&rng) }
    var gradient: Tensor? = nil
    var answer: Tensor? = nil
    for (m, member) in members.enumerated() {
      if let probabilities, probabilities[m] == 0 { continue }
      let (z, g) = member.inputGradient(x, rng: &rng, objective: objective)
      let share = probabilities.map { g * Float($0[m]) } ?? g
      gradient = gradient.map { $0 + share } ?? share
      let rows = choice.indices.filter { choice[$0] == m }
      if !rows.isEmpty { answer = scatter(z.gather(rows: rows), rows: rows, into: answer, count: n) }
    }
    guard let gradient, let answer else { preconditionFailure("a mixture has members") }
    return (answer, probabilities == nil ? gradient * (1 / Float(members.count)) : gradient)
  }

  /// Under `eligible=members` a sample counts as correctly classified when every member
  /// classifies it correctly (one answer each), so attacks on the mixture and on its members
  /// pick comparable samples (§9); otherwise one answer of the mixture decides.
  public func classifiesCorrectly(_ x: Tensor, labels: [Int], rng: inout RandomStream) -> [Bool] {
    switch eligible {
    case .mixture:
      return zip(predict(x, rng: &rng), labels).map { $0 == $1 }
    case .members:
      var correct = [Bool](repeating: true, count: labels.count)
      for member in members {
        for (i, p) in member.predict(x, rng: &rng).enumerated() where p != labels[i] { correct[i] = false }
      }
      return correct
    }
  }
}
