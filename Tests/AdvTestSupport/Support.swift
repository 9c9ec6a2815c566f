import AdvTensor

/// Central finite differences of a scalar function of one tensor, in Double for accuracy of the
/// difference quotient (the function itself runs in Float32).
public func numericalGradient(_ x: Tensor, epsilon: Float = 1e-2, _ f: (Tensor) -> Float) -> Tensor {
  var g = Tensor(zeros: x.shape)
  for i in 0..<x.count {
    var plus = x, minus = x
    plus[flat: i] = x[flat: i] + epsilon
    minus[flat: i] = x[flat: i] - epsilon
    g[flat: i] = Float((Double(f(plus)) - Double(f(minus))) / (2 * Double(epsilon)))
  }
  return g
}

/// Largest absolute difference relative to the larger of the two magnitudes (floored at 1).
public func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
  precondition(a.count == b.count, "shapes \(a.shape) and \(b.shape)")
  var worst: Float = 0
  for i in 0..<a.count {
    let scale = max(1, abs(a[flat: i]), abs(b[flat: i]))
    worst = max(worst, abs(a[flat: i] - b[flat: i]) / scale)
  }
  return worst
}

/// A reproducible random tensor for tests.
public func randomTensor(_ shape: [Int], seed: UInt64, lo: Float = -1, hi: Float = 1) -> Tensor {
  var rng = RandomStream(seed: seed, stream: 99)
  return rng.uniformTensor(shape, lo: lo, hi: hi)
}

/// Checks the tape's gradient of `f` at `inputs` against finite differences; returns the worst
/// relative error over all inputs. `f` builds a scalar from variables on the given tape.
public func gradientCheck(_ inputs: [Tensor], epsilon: Float = 1e-2,
                          _ f: (Tape, [Variable]) -> Variable) -> Float {
  let tape = Tape()
  let vars = inputs.map { tape.variable($0) }
  let out = f(tape, vars)
  let grads = tape.gradients(of: out)
  var worst: Float = 0
  for (k, x) in inputs.enumerated() {
    let numeric = numericalGradient(x, epsilon: epsilon) { probe in
      let t = Tape()
      var vs = inputs.map { t.variable($0) }
      vs[k] = t.variable(probe)
      return f(t, vs).value.scalar
    }
    worst = max(worst, relativeError(grads[vars[k]], numeric))
  }
  return worst
}
