import AdvTensor

/// A custom differentiable function built from existing ops: the forward value is `value`
/// (`[N, K]`, computed by the caller) and the gradient with respect to `x` (`[N, …]` with D
/// values per row) is given by the per-row Jacobian `jacobian` (`[N, K, D]`):
/// `∂value[n, k]/∂x[n, j] = jacobian[n, k, j]`. Built as `straightThrough(Σ_j J ⊙ x, value)`,
/// so the tape needs no new op.
func withJacobian(_ x: Variable, value: Tensor, jacobian: Tensor) -> Variable {
  let n = x.shape[0], d = x.value.count / max(n, 1), k = value.shape[1]
  precondition(jacobian.shape == [n, k, d], "jacobian \(jacobian.shape) does not match \([n, k, d])")
  let tape = x.tape
  let rows = reshape(x, [n, 1, d]) * tape.constant(jacobian)
  let ones = tape.constant(Tensor(repeating: 1, shape: [d, 1]))
  let linear = reshape(matmul(reshape(rows, [n * k, d]), ones), [n, k])
  return straightThrough(linear, value: value)
}
