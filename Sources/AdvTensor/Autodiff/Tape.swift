/// Reverse-mode automatic differentiation on a tape.
///
/// Every operation on `Variable`s appends a node (its `Op` and its value) to the tape. Nodes are
/// appended in evaluation order, so walking the tape backwards visits every node after all of
/// its consumers: that walk is `gradients(of:)`. A tape serves one forward/backward pass; make a
/// new one for the next (it holds every intermediate value until released).
public final class Tape {
  struct Node {
    var op: Op
    /// `Tape.dropped` when not kept (see `record`); `value(_:)` gives it.
    var value: Tensor
    var needsGradient: Bool
    let shape: [Int]
  }

  var nodes: [Node] = []
  /// False for an inference-only tape: values are not kept, so each intermediate tensor is
  /// freed as soon as the forward pass moves past it, and `gradients(of:)` is unavailable.
  public let keepsValues: Bool
  static let dropped = Tensor(zeros: [0])
  /// Elements of the largest value recorded so far: what a forward pass of this batch needs at
  /// least at once, for sizing batches to memory.
  public private(set) var widest = 0

  public init(gradients: Bool = true) {
    keepsValues = gradients
    nodes.reserveCapacity(64)
  }

  /// An inference-only tape (see `keepsValues`).
  public static func inference() -> Tape { Tape(gradients: false) }

  /// A differentiable input (parameter or image): gradients flow to it.
  public func variable(_ value: Tensor) -> Variable {
    append(.leaf, value, needsGradient: true)
  }

  /// A constant input: no gradient is computed for it.
  public func constant(_ value: Tensor) -> Variable {
    append(.leaf, value, needsGradient: false)
  }

  func append(_ op: Op, _ value: Tensor, needsGradient: Bool) -> Variable {
    widest = max(widest, value.count)
    let kept = keepsValues && !(Tape.recomputable(op) && value.count >= Tensor.parallelElements)
    nodes.append(Node(op: keepsValues ? op : .leaf, value: kept ? value : Tape.dropped, needsGradient: needsGradient,
                      shape: value.shape))
    return Variable(id: nodes.count - 1, tape: self, value: value)
  }

  func record(_ op: Op, _ value: Tensor, inputs: Int...) -> Variable {
    let needs = inputs.contains { nodes[$0].needsGradient }
    return append(op, value, needsGradient: needs)
  }

  /// Ops whose large values the tape does not keep: one pass over an input it keeps anyway gives
  /// them again, bit for bit, should a pullback need them. A batch norm's output is read by no
  /// pullback in a ReLU or Hardtanh network (theirs read their own outputs), and a sign's ±1
  /// values only by the weight gradient of the convolution it feeds; not keeping them halves
  /// the activations a binarised network holds through its forward pass.
  static func recomputable(_ op: Op) -> Bool {
    switch op {
    case .sign, .batchNorm: return true
    default: return false
    }
  }

  /// The value of node `id`, computed again from its inputs when the tape did not keep it.
  func value(_ id: Int) -> Tensor {
    let node = nodes[id]
    guard node.value.count == 0, node.shape.reduce(1, *) > 0 else { return node.value }
    switch node.op {
    case .sign(let a, _):
      return unaryKernel(value(a), .sign)
    case .batchNorm(let x, let gamma, let beta, let stats, _):
      return batchNormApply(value(x), mean: stats.mean, invStd: stats.invStd, gamma: value(gamma), beta: value(beta))
    default:
      preconditionFailure("value of node \(id) was not kept and cannot be recomputed")
    }
  }

  /// Gradients of `output` (seeded with ones, or with `seed`) with respect to every node.
  public func gradients(of output: Variable, seed: Tensor? = nil) -> Gradients {
    precondition(output.tape === self, "variable belongs to another tape")
    precondition(keepsValues, "gradients of an inference-only tape")
    var grads = [Tensor?](repeating: nil, count: nodes.count)
    grads[output.id] = seed ?? Tensor(repeating: 1, shape: output.value.shape)
    for id in stride(from: output.id, through: 0, by: -1) {
      guard let g = grads[id], nodes[id].needsGradient else { continue }
      for (input, contribution) in pullback(of: id, gradient: g) where nodes[input].needsGradient {
        if let existing = grads[input] {
          grads[input] = existing + contribution
        } else {
          grads[input] = contribution
        }
      }
      if case .leaf = nodes[id].op {} else { grads[id] = nil }  // free intermediate gradients early
    }
    return Gradients(values: grads)
  }
}

/// The gradients computed by one backward pass, looked up by variable.
public struct Gradients {
  let values: [Tensor?]

  /// The gradient for `v`; zeros when nothing depended on it.
  public subscript(_ v: Variable) -> Tensor {
    values[v.id] ?? Tensor(zeros: v.value.shape)
  }
}

/// A value recorded on a tape.
public struct Variable {
  public let id: Int
  public let tape: Tape
  public let value: Tensor

  public var shape: [Int] { value.shape }
}
