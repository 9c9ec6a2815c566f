import AdvTensor
import Foundation

/// A convolutional layer of non-leaky integrate-and-fire neurons with at most one spike each
/// (SpykeTorch `Convolution` + `fire`, snn.md §3.2), simulated event by event.
///
/// Spike-waves are cumulative and weights non-negative, so a neuron's potential at step t is the
/// convolution of every input that has spiked by t. Instead of convolving each of the T frames
/// (the time-folded batch of SpykeTorch), each input spike adds its kernel column once, in the
/// order of the spike times, and neurons are checked for their first crossing after each step:
/// the same potentials at every step, with work proportional to the number of input spikes.
///
/// Maps of first-spike steps are `[C, H, W]` `UInt8` arrays, `SpikeEncoding.never` for silence.
public struct SpikingConv: Sendable {
  public let inChannels: Int
  public let features: Int
  public let kernel: Int
  /// Weights in `[C_in, k, k, F]` order, so one input spike adds a contiguous run of F values.
  public var weights: [Float]

  public init(_ oihw: Tensor) {
    features = oihw.shape[0]
    inChannels = oihw.shape[1]
    kernel = oihw.shape[2]
    let (f, c, k) = (features, inChannels, kernel)
    var w = [Float](repeating: 0, count: oihw.count)
    oihw.withUnsafeBufferPointer { p in
      for o in 0..<f {
        for i in 0..<(c * k * k) { w[i * f + o] = p[o * c * k * k + i] }
      }
    }
    weights = w
  }

  /// The weights in PyTorch's `[F, C_in, k, k]` order.
  public var oihw: Tensor {
    let (f, c, k) = (features, inChannels, kernel)
    var t = Tensor(uninitialized: [f, c, k, k])
    t.withUnsafeMutableBufferPointer { p in
      for o in 0..<f {
        for i in 0..<(c * k * k) { p[o * c * k * k + i] = weights[i * f + o] }
      }
    }
    return t
  }

  /// What a layer did with one sample, all `[F, H_out, W_out]`.
  public struct Response {
    public let height: Int
    public let width: Int
    /// First step with potential > θ (`never` if none); without θ, the last step where the
    /// final potential is positive.
    public var first: [UInt8]
    /// Potential at the first-spike step (0 for silent neurons).
    public var atFirst: [Float]
    /// Potential after the last step.
    public var final: [Float]

    public init(height: Int, width: Int, first: [UInt8], atFirst: [Float], final: [Float]) {
      self.height = height
      self.width = width
      self.first = first
      self.atFirst = atFirst
      self.final = final
    }
  }

  /// Runs `steps` time steps on an input first-spike map `[C_in, h, w]` (already padded).
  /// With `threshold` a neuron fires at the first step its potential exceeds it; without
  /// (SNN_M's last layer) only the final step counts and every positive potential fires.
  ///
  /// `parallel`: the features are split between the cores (each neuron integrates on its own,
  /// so the result is the same); for one sample at a time, as STDP and R-STDP present them.
  public func run(_ input: UnsafePointer<UInt8>, height h: Int, width w: Int, steps: Int, threshold: Float?,
                  parallel: Bool = false) -> Response {
    let k = kernel, f = features
    let ho = h - k + 1, wo = w - k + 1, plane = ho * wo
    var pot = [Float](repeating: 0, count: plane * f)
    var first = [UInt8](repeating: SpikeEncoding.never, count: plane * f)
    var atFirst = [Float](repeating: 0, count: plane * f)
    weights.withUnsafeBufferPointer { pw in
      pot.withUnsafeMutableBufferPointer { pp in
        first.withUnsafeMutableBufferPointer { pf in
          atFirst.withUnsafeMutableBufferPointer { pa in
            let (weights, potentials, firsts, values) = (pw.baseAddress!, pp.baseAddress!, pf.baseAddress!, pa.baseAddress!)
            // Features o0..<o1: every input spike adds their weights, in spike-time order.
            func integrate(_ o0: Int, _ o1: Int) {
              for t in 0..<steps {
                let step = UInt8(t)
                for ch in 0..<inChannels {
                  for iy in 0..<h {
                    for ix in 0..<w where input[(ch * h + iy) * w + ix] == step {
                      for ky in max(0, iy - ho + 1)...min(k - 1, iy) {
                        let oy = iy - ky
                        for kx in max(0, ix - wo + 1)...min(k - 1, ix) {
                          let ox = ix - kx
                          let dst = potentials + (oy * wo + ox) * f
                          let src = weights + ((ch * k + ky) * k + kx) * f
                          for o in o0..<o1 { dst[o] += src[o] }
                        }
                      }
                    }
                  }
                }
                guard let threshold else { continue }
                for pos in 0..<plane {
                  for o in o0..<o1 where firsts[o * plane + pos] == SpikeEncoding.never && potentials[pos * f + o] > threshold {
                    firsts[o * plane + pos] = step
                    values[o * plane + pos] = potentials[pos * f + o]
                  }
                }
              }
            }
            // Blocks of 16 features (whole cache lines of potentials per worker).
            let blocks = (f + 15) / 16
            if parallel && blocks >= 2 {
              parallelChunks(blocks, minimum: 2) { range in integrate(range.lowerBound * 16, min(f, range.upperBound * 16)) }
            } else {
              integrate(0, f)
            }
          }
        }
      }
    }
    var final = [Float](repeating: 0, count: plane * f)
    for pos in 0..<plane {
      for o in 0..<f { final[o * plane + pos] = pot[pos * f + o] }
    }
    if threshold == nil {
      for i in 0..<final.count where final[i] > 0 {
        first[i] = UInt8(steps - 1)
        atFirst[i] = final[i]
      }
    }
    return Response(height: ho, width: wo, first: first, atFirst: atFirst, final: final)
  }

  // MARK: learning

  /// STDP on the winners' kernels (SpykeTorch `STDP`, snn.md §3.5): for each input of a
  /// winner's receptive field, LTP (`ltp`) when the input spiked no later than the winner, LTD
  /// (`ltd`) otherwise or when it never spiked; Δw scaled by (w − lo)(hi − w) with the
  /// stabiliser; weights clamped to [lo, hi]. `input` is the padded map the layer ran on.
  public mutating func stdp(winners: [Winner], input: UnsafePointer<UInt8>, height h: Int, width w: Int,
                            ltp: Float, ltd: Float, stabilise: Bool, lo: Float, hi: Float) {
    let k = kernel, f = features
    for win in winners {
      for ch in 0..<inChannels {
        for ky in 0..<k {
          for kx in 0..<k {
            let pre = input[(ch * h + win.y + ky) * w + win.x + kx]
            let potentiate = pre != SpikeEncoding.never && pre <= win.first
            let i = ((ch * k + ky) * k + kx) * f + win.feature
            let old = weights[i]
            let dw = (potentiate ? ltp : ltd) * (stabilise ? (old - lo) * (hi - old) : 1)
            weights[i] = min(max(old + dw, lo), hi)
          }
        }
      }
    }
  }
}

/// A neuron chosen by k-winners-take-all.
public struct Winner: Equatable, Sendable {
  public let feature: Int
  public let y: Int
  public let x: Int
  /// Its first-spike step.
  public let first: UInt8

  public init(feature: Int, y: Int, x: Int, first: UInt8) {
    self.feature = feature
    self.y = y
    self.x = x
    self.first = first
  }
}

extension SpikingConv.Response {
  /// Point-wise (feature) inhibition then k-winners-take-all with lateral inhibition
  /// (SpykeTorch `pointwise_inhibition` and `get_k_winners`, snn.md §3.4). Inhibition keeps, at
  /// each position, the feature that fires earliest (larger potential at that step, then lower
  /// index, breaks ties). Winners are ranked by earliest spike, then larger potential at it, then
  /// flat index (f, y, x); each removes its feature map and, with `radius` > 0, every feature in
  /// the (2r+1)² square around it.
  public func winners(features f: Int, k: Int, radius: Int, inhibit: Bool) -> [Winner] {
    let plane = height * width
    var candidates: [(Int, UInt8, Float)] = []  // (flat index, first, potential)
    for pos in 0..<plane {
      var best = -1
      for o in 0..<f {
        let i = o * plane + pos
        guard first[i] != SpikeEncoding.never else { continue }
        if !inhibit {
          candidates.append((i, first[i], atFirst[i]))
          continue
        }
        if best < 0 || first[i] < first[best] || (first[i] == first[best] && atFirst[i] > atFirst[best]) { best = i }
      }
      if inhibit && best >= 0 { candidates.append((best, first[best], atFirst[best])) }
    }
    candidates.sort { a, b in
      a.1 != b.1 ? a.1 < b.1 : (a.2 != b.2 ? a.2 > b.2 : a.0 < b.0)
    }
    var out: [Winner] = []
    var usedFeature = Set<Int>()
    for (i, t, _) in candidates {
      if out.count == k { break }
      let o = i / plane, y = (i % plane) / width, x = i % width
      if usedFeature.contains(o) { continue }
      if radius > 0, out.contains(where: { abs($0.y - y) <= radius && abs($0.x - x) <= radius }) { continue }
      out.append(Winner(feature: o, y: y, x: x, first: t))
      usedFeature.insert(o)
    }
    return out
  }
}

/// Max-pooling of a first-spike map `[C, h, w]` (the earliest spike in each window; windows
/// that do not fit are dropped) followed by zero padding `pad` (never-spiking border).
public func poolFirstSpikes(_ m: UnsafePointer<UInt8>, channels c: Int, height h: Int, width w: Int,
                            window k: Int, pad: Int) -> (map: [UInt8], height: Int, width: Int) {
  let ph = (h - k) / k + 1, pw = (w - k) / k + 1
  let oh = ph + 2 * pad, ow = pw + 2 * pad
  var out = [UInt8](repeating: SpikeEncoding.never, count: c * oh * ow)
  for ch in 0..<c {
    for y in 0..<ph {
      for x in 0..<pw {
        var best = SpikeEncoding.never
        for dy in 0..<k {
          for dx in 0..<k { best = min(best, m[(ch * h + y * k + dy) * w + x * k + dx]) }
        }
        out[(ch * oh + y + pad) * ow + x + pad] = best
      }
    }
  }
  return (out, oh, ow)
}

/// A first-spike map `[C, h, w]` with a never-spiking border of `pad`.
public func padFirstSpikes(_ m: UnsafePointer<UInt8>, channels c: Int, height h: Int, width w: Int, pad: Int) -> [UInt8] {
  poolFirstSpikes(m, channels: c, height: h, width: w, window: 1, pad: pad).map
}

/// The learning-rate schedule of SNN_M's STDP layers [STm]: a per-layer sample counter; every
/// `every` samples a⁺ doubles up to `cap` and a⁻ = −0.75 a⁺.
public struct STDPSchedule: Sendable {
  public private(set) var ltp: Float
  public private(set) var ltd: Float
  public let cap: Float
  public let every: Int
  var counter = 0

  public init(ltp: Float, ltd: Float, cap: Float, every: Int) {
    self.ltp = ltp
    self.ltd = ltd
    self.cap = cap
    self.every = every
  }

  /// Counts one training sample (before its STDP step, as the reference does).
  public mutating func tick() {
    counter += 1
    if counter >= every {
      counter = 0
      ltp = min(2 * ltp, cap)
      ltd = -0.75 * ltp
    }
  }
}

/// R-STDP rates adapted after every group of samples [STm]: reward rates = base × fraction
/// wrong, punishment rates = base × fraction correct.
public struct RewardRates: Sendable, Equatable {
  public var reward: (ltp: Float, ltd: Float)
  public var punish: (ltp: Float, ltd: Float)

  public static func == (a: RewardRates, b: RewardRates) -> Bool {
    a.reward == b.reward && a.punish == b.punish
  }

  public init(reward: (Float, Float), punish: (Float, Float)) {
    self.reward = reward
    self.punish = punish
  }

  /// The rates after a group with fractions (correct, wrong, silent) of its samples.
  public func adapted(correct: Float, wrong: Float) -> RewardRates {
    RewardRates(reward: (reward.ltp * wrong, reward.ltd * wrong), punish: (punish.ltp * correct, punish.ltd * correct))
  }
}
