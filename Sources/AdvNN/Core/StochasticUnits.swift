import AdvTensor

/// Binary stochastic neuron (Wizaron/binary-stochastic-neurons, ST estimator; stochastic-nets.md
/// §3): `p = hardsigmoid(k·a) = clamp((k·a + 1)/2, 0, 1)`, output `h ~ Bernoulli(p)` in {0, 1},
/// drawn fresh at every forward pass, training and inference alike.
///
/// Backward: the sample is straight-through (`∂h/∂p = 1`), then the hard sigmoid's derivative
/// `k/2` where `|k·a| < 1` (the clamp passes its closed interval; the boundary has measure zero).
public func binaryStochastic(_ a: Variable, slope k: Float, rng: inout RandomStream) -> Variable {
  bernoulliHardSigmoid(a, slope: k, rng: &rng)
}

/// BinaryNet's binarisation (stochastic-nets.md §7). Deterministic: `sign(x)` with sign(0) = 0.
/// Stochastic: `+1` with probability `clamp((x + 1)/2, 0, 1)`, else `−1`. Backward: identity.
public func binarize(_ x: Variable, stochastic: Bool, rng: inout RandomStream) -> Variable {
  guard stochastic else { return sign(x) }
  var out = Tensor(uninitialized: x.shape)
  // The uniforms in one vectorised fill (the very draws of one `uniform()` per element), then
  // the comparison in place.
  out.withUnsafeMutableBufferPointer { rng.drawUniforms(into: $0) }
  x.value.withUnsafeBufferPointer { px in
    out.withUnsafeMutableBufferPointer { po in
      for i in 0..<po.count {
        let p = min(max((px[i] + 1) / 2, 0), 1)
        po[i] = po[i] < p ? 1 : -1
      }
    }
  }
  return straightThrough(x, value: out)
}
