import AdvNN
import AdvTensor

extension Boundary {
  /// Foolbox's `BlendedUniformNoiseAttack`, one-by-one semantics, evaluated in chunks.
  func initialise(_ adv: inout AdversarialBatch, targets: [Int], d: Int, shape: [Int], o: [Double], rng: RandomStream) throws {
    // 1. Uniform noise images until one is misclassified.
    var noise: [Int: [Float]] = [:]
    var tried = [Int](repeating: 0, count: adv.count)
    var pending = targets
    var chunk = 4
    while !pending.isEmpty {
      try Interrupt.check()
      var rows: [(sample: Int, draw: Int)] = []
      for i in pending { for k in tried[i]..<min(initDraws, tried[i] + chunk) { rows.append((i, k)) } }
      var x = Tensor(uninitialized: [rows.count] + shape)
      x.withUnsafeMutableBufferPointer { px in
        for (r, row) in rows.enumerated() {
          var s = rng.derived(UInt64(row.sample) << 32 | UInt64(row.draw))
          s.fillUniform(UnsafeMutableBufferPointer(rebasing: px[(r * d)..<((r + 1) * d)]))
        }
      }
      let predicted = adv.lookahead(x)
      var next: [Int] = []
      var r = 0
      for i in pending {
        let count = min(initDraws, tried[i] + chunk) - tried[i]
        var accountRows: [Int] = []
        var hit: Int? = nil
        for k in 0..<count {
          accountRows.append(r + k)
          if adv.isAdversarial(predicted[r + k], sample: i) { hit = r + k; break }
        }
        adv.account(x, rows: accountRows, predicted: predicted, samples: Array(repeating: i, count: accountRows.count))
        if let h = hit {
          noise[i] = Array(x.slice(h..<(h + 1)).scalars)
        } else if tried[i] + count < initDraws {
          tried[i] += count
          next.append(i)
        }
        r += count
      }
      pending = next
      chunk = min(chunk * 2, 64)
    }
    // 2. The first misclassified blend (1 − ε)·x + ε·noise, ε = 1/B, 2/B, …, 1.
    pending = targets.filter { noise[$0] != nil }
    var start = [Int](repeating: 0, count: adv.count)
    let step = 100
    while !pending.isEmpty {
      try Interrupt.check()
      var rows: [(sample: Int, k: Int)] = []
      for i in pending { for k in start[i]..<min(initBlends, start[i] + step) { rows.append((i, k)) } }
      var x = Tensor(uninitialized: [rows.count] + shape)
      x.withUnsafeMutableBufferPointer { px in
        for (r, row) in rows.enumerated() {
          let eps = Double(row.k + 1) / Double(initBlends)
          let z = noise[row.sample]!
          for j in 0..<d {
            px[r * d + j] = Float((1 - eps) * o[row.sample * d + j] + eps * Double(z[j]))
          }
        }
      }
      let predicted = adv.lookahead(x)
      var next: [Int] = []
      var r = 0
      for i in pending {
        let count = min(initBlends, start[i] + step) - start[i]
        var accountRows: [Int] = []
        var found = false
        for k in 0..<count {
          accountRows.append(r + k)
          if adv.isAdversarial(predicted[r + k], sample: i) { found = true; break }
        }
        adv.account(x, rows: accountRows, predicted: predicted, samples: Array(repeating: i, count: accountRows.count))
        if !found && start[i] + count < initBlends {
          start[i] += count
          next.append(i)
        }
        r += count
      }
      pending = next
    }
  }
}
