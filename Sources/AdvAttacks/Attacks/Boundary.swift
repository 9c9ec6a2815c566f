import AdvNN
import AdvTensor
import Dispatch
import Foundation

/// The Boundary attack (Brendel, Rauber & Bethge 2018) with Foolbox 1.8.0's `BoundaryAttack`
/// semantics and defaults (attacks.md §5). Decision-based: it sees predicted labels only.
///
/// Start: Foolbox's `BlendedUniformNoiseAttack` (uniform-noise images until one is
/// misclassified, then the first misclassified blend `(1−ε)x + ε·noise` over
/// ε = 0.001, 0.002, …, 1). Each step tries up to `directions` candidates — a random step on the
/// sphere around the original (`spherical_step`) followed by a step towards it (`source_step`) —
/// and moves to the first misclassified one if it is closer. Every tenth step (and after a
/// reset) the spherical candidate is queried first, and success rates over the last 100
/// spherical / 30 full candidates scale the steps by `step_adaptation`. A sample stops when the
/// source step stays below 1e-7 (after one reset of the step sizes), or after `iterations` steps.
///
/// Candidates of all samples are evaluated together, several per sample per forward pass
/// (lookahead sized from the recent acceptance rate). Queries are counted, and candidates
/// registered, exactly as the one-by-one algorithm makes them: lookahead rows beyond a step's
/// accepted candidate are discarded, and each candidate's noise comes from its own counter-based
/// stream, so results do not depend on the batching. Internal arithmetic is in Float64 as in
/// Foolbox; queried images are Float32.
public struct Boundary: Attack {
  public static let iterations = ParamKey.int("iterations", default: 5000, range: 1...1_000_000, doc: "steps [foolbox: 5000]")
  public static let directions = ParamKey.int(
    "directions", default: 25, range: 1...10_000, doc: "candidates tried per step [foolbox max_directions: 25]")
  public static let sphericalStep = ParamKey.real(
    "spherical_step", default: 0.01, range: 1e-12...10, doc: "initial orthogonal step, relative to the distance [foolbox: 0.01]")
  public static let sourceStep = ParamKey.real(
    "source_step", default: 0.01, range: 1e-12...10, doc: "initial step towards the original, relative to the distance [foolbox: 0.01]")
  public static let stepAdaptation = ParamKey.real(
    "step_adaptation", default: 1.5, range: 1...100, doc: "factor by which the steps grow or shrink [foolbox: 1.5]")
  public static let initDraws = ParamKey.int(
    "init_draws", default: 1000, range: 1...1_000_000, doc: "uniform-noise images tried as a starting point [foolbox: 1000]")
  public static let initBlends = ParamKey.int(
    "init_blends", default: 1000, range: 1...1_000_000, doc: "blending factors tried from the noise towards the original [foolbox: 1000]")

  public static let spec = ComponentSpec(
    kind: .attack, name: "boundary", aliases: ["boundary-attack", "ba"],
    doc: "Boundary attack (decision-based): random walk along the decision boundary towards the original",
    params: [iterations.spec, directions.spec, sphericalStep.spec, sourceStep.spec, stepAdaptation.spec,
             initDraws.spec, initBlends.spec])

  /// [paper, §III-B]
  public static let defaultSamples = 100

  let iterations: Int
  let directions: Int
  let sphericalStep: Double
  let sourceStep: Double
  let adaptation: Double
  let initDraws: Int
  let initBlends: Int
  /// Called after every step with each sample's current distance ‖p − x‖₂ (infinity where the
  /// sample has no starting point or is not attacked). For tests and traces.
  public var observer: ((_ step: Int, _ distances: [Double]) -> Void)?

  public init(params: Params) {
    iterations = params[Boundary.iterations]
    directions = params[Boundary.directions]
    sphericalStep = params[Boundary.sphericalStep]
    sourceStep = params[Boundary.sourceStep]
    adaptation = params[Boundary.stepAdaptation]
    initDraws = params[Boundary.initDraws]
    initBlends = params[Boundary.initBlends]
  }

  /// A sliding window of outcomes (Foolbox's `deque(maxlen=n)`).
  struct Window {
    var values: [Bool]
    var head = 0, count = 0, trues = 0
    init(_ n: Int) { values = Array(repeating: false, count: n) }
    var isFull: Bool { count == values.count }
    var mean: Double { Double(trues) / Double(max(count, 1)) }
    mutating func push(_ v: Bool) {
      if isFull { if values[head] { trues -= 1 } } else { count += 1 }
      values[head] = v
      if v { trues += 1 }
      head = (head + 1) % values.count
    }
    mutating func clear() { head = 0; count = 0; trues = 0 }
  }

  struct State {
    var spherical: Double
    var source: Double
    var sphericalHistory = Window(100)
    var stepHistory = Window(30)
    var convergenceLeft = 100
    var reset = false
    var done = false
    /// Running estimate of the chance that one candidate is accepted (sizes the lookahead).
    var rate = 0.25
  }

  public func run(_ adv: inout AdversarialBatch, rng: inout RandomStream) throws {
    let n = adv.count, d = adv.originals.count / max(n, 1)
    let shape = Array(adv.originals.shape.dropFirst())
    let noiseBase = RandomStream(seed: rng.nextUInt64(), stream: 0xB0D)
    let o = adv.originals.scalars.map(Double.init)
    var targets = (0..<n).filter { adv.active[$0] }
    try initialise(&adv, targets: targets, d: d, shape: shape, o: o, rng: noiseBase.derived(1))
    targets = targets.filter { adv.best[$0] != nil }
    var p = [Double](repeating: 0, count: n * d)
    for i in targets {
      let b = adv.best[i]!.scalars
      for j in 0..<d { p[i * d + j] = Double(b[j]) }
    }
    var states = [State](repeating: State(spherical: sphericalStep, source: sourceStep), count: n)
    var distances = [Double](repeating: .infinity, count: n)
    for i in targets { distances[i] = L2()(o[(i * d)..<((i + 1) * d)], p[(i * d)..<((i + 1) * d)]) }
    let walk = noiseBase.derived(2)
    var scratch = Scratch()
    for step in 1...iterations {
      try Interrupt.check()
      if step % 20 == 0 { adv.progress(Double(step) / Double(iterations)) }
      var live: [Int] = []
      for i in targets where !states[i].done {
        var st = states[i]
        let strict = st.convergenceLeft == 100
        if st.source < (strict ? 1e-7 : 2e-7) {
          if st.reset {
            st.convergenceLeft -= 1
            if st.convergenceLeft == 0 { st.done = true }
          } else {
            st.reset = true
            st.spherical = sphericalStep
            st.source = sourceStep
          }
        } else if st.convergenceLeft < 100 {
          st.convergenceLeft = 100
          st.reset = false
        }
        states[i] = st
        if !st.done { live.append(i) }
      }
      if live.isEmpty { break }
      let accepted = try candidateStep(&adv, live: live, step: step, d: d, shape: shape, o: o, p: p,
                                       distances: distances, states: &states, walk: walk, scratch: &scratch)
      for (i, c) in accepted {
        let dist = L2()(o[(i * d)..<((i + 1) * d)], c[...])
        if dist < distances[i] {
          for j in 0..<d { p[i * d + j] = c[j] }
          distances[i] = dist
        }
      }
      for i in live {
        var st = states[i]
        if st.sphericalHistory.isFull {
          let m = st.sphericalHistory.mean
          if m > 0.5 {
            st.spherical *= adaptation; st.source *= adaptation; st.sphericalHistory.clear()
          } else if m < 0.2 {
            st.spherical /= adaptation; st.source /= adaptation; st.sphericalHistory.clear()
          }
        }
        if st.stepHistory.isFull {
          let m = st.stepHistory.mean
          if m > 0.5 { st.source *= adaptation; st.stepHistory.clear() } else if m < 0.2 { st.source /= adaptation; st.stepHistory.clear() }
        }
        states[i] = st
      }
      observer?(step, distances)
    }
  }

  /// Reusable buffers for one step's candidates.
  struct Scratch {
    var q: [Double] = []
    var c: [Double] = []
  }

  /// One step's candidates for the `live` samples. Returns the accepted candidate (if any) per sample.
  func candidateStep(_ adv: inout AdversarialBatch, live: [Int], step: Int, d: Int, shape: [Int], o: [Double], p: [Double],
                     distances: [Double], states: inout [State], walk: RandomStream, scratch: inout Scratch) throws -> [(Int, [Double])] {
    var used = [Int](repeating: 0, count: adv.count)
    var pending = live
    var accepted: [(Int, [Double])] = []
    while !pending.isEmpty {
      try Interrupt.check()
      // Rows: (sample, direction index), in sample order then direction order.
      var lookahead = pending.map { i in max(1, min(directions - used[i], Int((1 / states[i].rate).rounded(.up)))) }
      if !adv.isStochastic {
        // A deterministic model answers in blocks of `decisionBlock` rows, the last one padded:
        // fill the padding with further candidates instead.
        let block = adv.decisionBlock
        var spare = (block - lookahead.reduce(0, +) % block) % block
        var grew = true
        while spare > 0 && grew {
          grew = false
          for (k, i) in pending.enumerated() where spare > 0 && used[i] + lookahead[k] < directions {
            lookahead[k] += 1
            spare -= 1
            grew = true
          }
        }
      }
      var rows: [(sample: Int, j: Int)] = []
      for (k, i) in pending.enumerated() {
        for j in used[i]..<(used[i] + lookahead[k]) { rows.append((i, j)) }
      }
      let m = rows.count
      if scratch.q.count < m * d { scratch.q = Array(repeating: 0, count: m * d); scratch.c = scratch.q }
      var xq = Tensor(uninitialized: [m] + shape), xc = Tensor(uninitialized: [m] + shape)
      let spherical = pending.map { step % 10 == 0 || states[$0].reset }
      var isSpherical = [Bool](repeating: false, count: adv.count)
      for (k, i) in pending.enumerated() { isSpherical[i] = spherical[k] }
      scratch.q.withUnsafeMutableBufferPointer { qb in
        scratch.c.withUnsafeMutableBufferPointer { cb in
          xq.withUnsafeMutableBufferPointer { fq in
            xc.withUnsafeMutableBufferPointer { fc in
              let qp = qb.baseAddress!, cp = cb.baseAddress!, fqp = fq.baseAddress!, fcp = fc.baseAddress!
              let rowList = rows
              let stateList = states
              // One task per candidate: spinning oneDNN threads may hold a core, and dynamic
              // scheduling keeps the other one busy.
              let generate: (Int) -> Void = { r in
                let (i, j) = rowList[r]
                let st = stateList[i]
                var eta = [Float](repeating: 0, count: d)
                var s = walk.derived(UInt64(i) << 40 | UInt64(step) << 14 | UInt64(j))
                eta.withUnsafeMutableBufferPointer { s.fillNormal($0) }
                Boundary.candidate(o: o, p: p, offset: i * d, d: d, r: distances[i], eta: eta,
                                   spherical: st.spherical, source: st.source,
                                   q: qp + r * d, c: cp + r * d, fq: fqp + r * d, fc: fcp + r * d)
              }
              if m >= 4 {
                DispatchQueue.concurrentPerform(iterations: m) { generate($0) }
              } else {
                for r in 0..<m { generate(r) }
              }
            }
          }
        }
      }
      // Query what the one-by-one algorithm queries first: the spherical candidate in spherical
      // steps, the full candidate otherwise; then the full candidates behind misclassified
      // spherical ones.
      var first = xc
      let sphericalRows = (0..<m).filter { isSpherical[rows[$0].sample] }
      if !sphericalRows.isEmpty {
        first.withUnsafeMutableBufferPointer { f in
          xq.withUnsafeBufferPointer { q in
            for r in sphericalRows { for j in 0..<d { f[r * d + j] = q[r * d + j] } }
          }
        }
      }
      let firstLabels = adv.lookahead(first)
      let secondRows = sphericalRows.filter { adv.isAdversarial(firstLabels[$0], sample: rows[$0].sample) }
      var secondLabels = [Int](repeating: -1, count: m)
      if !secondRows.isEmpty {
        let predicted = adv.lookahead(xc.gather(rows: secondRows))
        for (k, r) in secondRows.enumerated() { secondLabels[r] = predicted[k] }
      }
      // Resolve each sample in direction order, accounting only for what one-by-one queries.
      var firstAccount: (rows: [Int], samples: [Int]) = ([], [])
      var secondAccount: (rows: [Int], samples: [Int]) = ([], [])
      var next: [Int] = []
      var r = 0
      for i in pending {
        var st = states[i]
        var count = 0
        var hit: Int? = nil
        while r + count < m && rows[r + count].sample == i {
          let row = r + count
          count += 1
          firstAccount.rows.append(row); firstAccount.samples.append(i)
          let firstAdversarial = adv.isAdversarial(firstLabels[row], sample: i)
          if isSpherical[i] {
            st.sphericalHistory.push(firstAdversarial)
            guard firstAdversarial else { continue }
            secondAccount.rows.append(row); secondAccount.samples.append(i)
            let fullAdversarial = adv.isAdversarial(secondLabels[row], sample: i)
            st.stepHistory.push(fullAdversarial)
            if fullAdversarial { hit = row; break }
          } else if firstAdversarial {
            hit = row; break
          }
        }
        while r < m && rows[r].sample == i { r += 1 }
        used[i] += count
        if let h = hit {
          accepted.append((i, Array(scratch.c[(h * d)..<((h + 1) * d)])))
          st.rate = 0.8 * st.rate + 0.2 / Double(used[i])
        } else if used[i] < directions {
          next.append(i)
        } else {
          st.rate = max(0.02, 0.8 * st.rate + 0.2 / Double(2 * directions))
        }
        states[i] = st
      }
      adv.account(first, rows: firstAccount.rows, predicted: firstLabels, samples: firstAccount.samples)
      if !secondAccount.rows.isEmpty {
        adv.account(xc, rows: secondAccount.rows, predicted: secondLabels, samples: secondAccount.samples)
      }
      pending = next
    }
    return accepted
  }

  /// Foolbox 1.8's candidate generator for one direction: `eta` (standard normal) made
  /// orthogonal to the source direction and scaled to `spherical·r`, the point on the sphere of
  /// radius r around the original `q`, then `c`, `source·r` closer to the original (both clipped
  /// to [0, 1]). Writes Float64 and Float32 copies.
  static func candidate(o: [Double], p: [Double], offset: Int, d: Int, r: Double, eta: [Float],
                        spherical: Double, source: Double,
                        q: UnsafeMutablePointer<Double>, c: UnsafeMutablePointer<Double>,
                        fq: UnsafeMutablePointer<Float>, fc: UnsafeMutablePointer<Float>) {
    o.withUnsafeBufferPointer { ob in
      p.withUnsafeBufferPointer { pb in
        eta.withUnsafeBufferPointer { e in
          let ov = ob.baseAddress! + offset, pv = pb.baseAddress! + offset
          // Projection of eta on the unit source direction u = (o − p)/r.
          var dot = 0.0
          for j in 0..<d { dot += Double(e[j]) * (ov[j] - pv[j]) }
          dot /= r * r
          var etaNorm = 0.0
          for j in 0..<d {
            let v = Double(e[j]) - dot * (ov[j] - pv[j])
            q[j] = v
            etaNorm += v * v
          }
          let scale = spherical * r / max(etaNorm.squareRoot(), 1e-300)
          let dFactor = 1 / (spherical * spherical + 1).squareRoot()
          var vNorm = 0.0
          for j in 0..<d {
            let v = min(max(ov[j] + dFactor * (q[j] * scale - (ov[j] - pv[j])), 0), 1)
            q[j] = v
            let w = ov[j] - v
            vNorm += w * w
          }
          vNorm = vNorm.squareRoot()
          let length = vNorm > 0 ? max(0, source * r + vNorm - r) / vNorm : 0
          for j in 0..<d {
            let v = min(max(q[j] + length * (ov[j] - q[j]), 0), 1)
            c[j] = v
            fq[j] = Float(q[j])
            fc[j] = Float(v)
          }
        }
      }
    }
  }
}
