import AdvData
import AdvTensor
import Foundation

/// SNN_M: Mozafari et al. (2019) as SpykeTorch's `MozafariDeep.py` implements it and the paper
/// configures it in Table VI (snn.md §3). DoG filters and intensity-to-latency coding, three
/// convolutional layers of integrate-and-fire neurons; layers 1–2 learn by STDP with k-WTA and
/// lateral inhibition, one after the other, layer 3 by reward-modulated STDP; the class of the
/// layer-3 neuron with the largest potential decides.
///
/// Parameters `conv1.weight`, `conv2.weight`, `conv3.weight` (OIHW, no bias). At inference only
/// the last time step matters (snn.md §3.7), so the forward pass is one frame: the binary map of
/// every input that spikes at all → conv1 → (> θ1) → max-pool 2 → conv2 → (> θ2) → max-pool 3 →
/// conv3. Its scores for attacks are the per-class maxima of the conv3 potentials; every spike
/// is a straight-through sign (snn.md §3.8).
public enum SNNM: Architecture {
  static let maps1 = ParamKey.int("maps1", default: 30, range: 1...4096, doc: "layer-1 feature maps [paper: 30 MNIST, 300 CIFAR-10]")
  static let maps2 = ParamKey.int("maps2", default: 250, range: 1...4096, doc: "layer-2 feature maps [paper: 250 MNIST, 800 CIFAR-10]")
  static let maps3 = ParamKey.int("maps3", default: 200, range: 1...4096, doc: "layer-3 feature maps, an equal share per class [paper: 200 MNIST, 500 CIFAR-10]")
  static let threshold1 = ParamKey.real("threshold1", default: 15, range: 0...1e6, doc: "layer-1 firing threshold [paper]")
  static let threshold2 = ParamKey.real("threshold2", default: 10, range: 0...1e6, doc: "layer-2 firing threshold [paper]")
  static let k1 = ParamKey.int("k1", default: 5, range: 1...1000, doc: "layer-1 STDP winners per sample [reference]")
  static let k2 = ParamKey.int("k2", default: 8, range: 1...1000, doc: "layer-2 STDP winners per sample [reference]")
  static let radius1 = ParamKey.int("radius1", default: 3, range: 0...100, doc: "layer-1 lateral inhibition radius [reference]")
  static let radius2 = ParamKey.int("radius2", default: 1, range: 0...100, doc: "layer-2 lateral inhibition radius [reference]")
  static let epochs1 = ParamKey.int("epochs1", default: 2, range: 0...1000, doc: "STDP passes over the training set for layer 1 [reference]")
  static let epochs2 = ParamKey.int("epochs2", default: 4, range: 0...1000, doc: "STDP passes for layer 2 [reference]")
  static let rstdpEpochs = ParamKey.int("rstdp_epochs", default: 680, range: 0...100_000, doc: "R-STDP passes for layer 3 [reference: 680]")
  static let timesteps = ParamKey.int("timesteps", default: 15, range: 1...254, doc: "time bins of the intensity-to-latency code [reference]")
  static let stdpPlus = ParamKey.real("stdp_plus", default: 0.004, range: 0...1, doc: "initial STDP a⁺ of layers 1–2 [reference]")
  static let stdpMinus = ParamKey.real("stdp_minus", default: -0.003, range: -1...0, doc: "initial STDP a⁻ of layers 1–2 [reference]")
  static let rateCap = ParamKey.real("rate_cap", default: 0.15, range: 0...1, doc: "cap of a⁺ when it doubles [reference]")
  static let rateEvery = ParamKey.int("rate_every", default: 500, range: 1...1_000_000, doc: "samples between doublings of a⁺ (a⁻ = −0.75 a⁺) [reference]")
  static let rewardPlus = ParamKey.real("reward_plus", default: 0.004, range: -1...1, doc: "R-STDP reward a⁺ [reference]")
  static let rewardMinus = ParamKey.real("reward_minus", default: -0.003, range: -1...1, doc: "R-STDP reward a⁻ [reference]")
  static let punishPlus = ParamKey.real("punish_plus", default: -0.004, range: -1...1, doc: "R-STDP punishment rate where the input spiked [reference]")
  static let punishMinus = ParamKey.real("punish_minus", default: 0.0005, range: -1...1, doc: "R-STDP punishment rate where it did not [reference]")
  static let group = ParamKey.int("group", default: 1000, range: 1...1_000_000, doc: "samples per R-STDP rate adaptation [reference: loader batch]")
  static let select = ParamKey.bool("select", default: true, doc: "keep the R-STDP epoch with the best training accuracy (the reference selects on test data)")
  static let samples = ParamKey.int("samples", default: 0, range: 0...10_000_000, doc: "train on the first n training images (0: all)")

  public static let spec = ComponentSpec(
    kind: .architecture, name: "snn-m", aliases: ["snnm", "mozafari"],
    doc: "SNN_M (Mozafari et al. 2019): DoG + latency coding, 3 spiking conv layers, STDP then R-STDP, maximal potential decides",
    params: [
      maps1.spec,
      maps2.spec,
      maps3.spec,
      threshold1.spec,
      threshold2.spec,
      k1.spec,
      k2.spec,
      radius1.spec,
      radius2.spec,
      epochs1.spec,
      epochs2.spec,
      rstdpEpochs.spec,
      timesteps.spec,
      stdpPlus.spec,
      stdpMinus.spec,
      rateCap.spec,
      rateEvery.spec,
      rewardPlus.spec,
      rewardMinus.spec,
      punishPlus.spec,
      punishMinus.spec,
      group.spec,
      select.spec,
      samples.spec,
    ],
    datasetDefaults: [
      "cifar10": ["maps1": .int(300), "maps2": .int(800), "maps3": .int(500)],
    ])

  /// Layer geometry for `[C, H, W]` inputs.
  struct Shape {
    let h, w: Int
    var h2: Int { h / 2 }
    var w2: Int { w / 2 }
    var h3: Int { (h2 - 3) / 3 + 1 }
    var w3: Int { (w2 - 3) / 3 + 1 }
  }

  public static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network {
    guard inputShape.count == 3, inputShape[1] >= 6, inputShape[2] >= 6 else {
      throw ArchitectureError.unsupportedInput(architecture: spec.name, inputShape: inputShape, expected: "CxHxW images of at least 6x6")
    }
    let (m1, m2, m3) = (params[SNNM.maps1], params[SNNM.maps2], params[SNNM.maps3])
    guard m3 % classes == 0 else {
      throw ArchitectureError.unsupportedInput(architecture: spec.name, inputShape: inputShape,
                                               expected: "maps3 (\(m3)) to be a multiple of the \(classes) classes")
    }
    // Weights N(0.8, 0.05) in all layers [STm].
    var r = rng
    let parameters: [(String, Tensor)] = [
      ("conv1.weight", r.normalTensor([m1, SpikeEncoding.filters.count, 5, 5], mean: 0.8, std: 0.05)),
      ("conv2.weight", r.normalTensor([m2, m1, 3, 3], mean: 0.8, std: 0.05)),
      ("conv3.weight", r.normalTensor([m3, m2, 5, 5], mean: 0.8, std: 0.05)),
    ]
    let th1 = Float(params[SNNM.threshold1]), th2 = Float(params[SNNM.threshold2]), steps = params[SNNM.timesteps]
    return Network(architecture: spec.name, params: params, inputShape: inputShape, classes: classes,
                   parameters: parameters) { x, p, _, _ in
      let pot = potentials(x, p["conv1.weight"], p["conv2.weight"], p["conv3.weight"], th1, th2, steps: steps)
      return classScores(pot, classes: classes)
    }
  }

  /// Straight-through firing: forward 1 where `v` > θ, else 0; gradient 1 where it fired.
  static func fire(_ v: Variable, _ threshold: Float) -> Variable {
    let spikes = v.value.map { $0 > threshold ? 1 : 0 }
    return straightThrough(v * v.tape.constant(spikes), value: spikes)
  }

  /// The single-frame forward to last-step conv3 potentials `[N, maps3, h3, w3]`.
  static func potentials(_ x: Variable, _ w1: Variable, _ w2: Variable, _ w3: Variable, _ th1: Float, _ th2: Float,
                         steps: Int) -> Variable {
    let v = SpikeEncoding.intensities(x)
    let first = SpikeEncoding.latency(v.value, steps: steps)
    let spikes = Tensor(first.map { $0 == SpikeEncoding.never ? 0 : 1 }, shape: v.shape)
    let m = straightThrough(v * x.tape.constant(spikes), value: spikes)
    let s1 = fire(conv2d(m, weight: w1, padding: 2), th1)
    let s2 = fire(conv2d(maxPool2d(s1, kernel: 2), weight: w2, padding: 1), th2)
    return conv2d(maxPool2d(s2, kernel: 3), weight: w3, padding: 2)
  }

  /// Per-class maxima of the conv3 potentials (feature f belongs to class ⌊f / (maps3 / K)⌋),
  /// as a selection of the arg max, so the gradient goes to it.
  static func classScores(_ pot: Variable, classes k: Int) -> Variable {
    let n = pot.shape[0], per = pot.value.count / max(n * k, 1)
    var select = Tensor(zeros: [n, k, per])
    pot.value.withUnsafeBufferPointer { pp in
      select.withUnsafeMutableBufferPointer { ps in
        for row in 0..<(n * k) {
          var best = 0
          for j in 1..<max(per, 1) where pp[row * per + j] > pp[row * per + best] { best = j }
          ps[row * per + best] = 1
        }
      }
    }
    let tape = pot.tape
    let picked = reshape(reshape(pot, [n, k, per]) * tape.constant(select), [n * k, per])
    return reshape(matmul(picked, tape.constant(Tensor(repeating: 1, shape: [per, 1]))), [n, k])
  }

  /// Padded first-spike input maps `[N][6, H+4, W+4]` of a batch of images, computed in chunks.
  static func encode(_ images: Tensor, steps: Int) -> (maps: [UInt8], height: Int, width: Int) {
    let n = images.shape[0], h = images.shape[2], w = images.shape[3], c = SpikeEncoding.filters.count
    let ph = h + 4, pw = w + 4, per = c * ph * pw
    var out = [UInt8](repeating: SpikeEncoding.never, count: n * per)
    var start = 0
    while start < n {
      let end = min(start + 250, n)
      let tape = Tape.inference()
      let v = SpikeEncoding.intensities(tape.constant(images.slice(start..<end)))
      let first = SpikeEncoding.latency(v.value, steps: steps)
      first.withUnsafeBufferPointer { pf in
        for b in start..<end {
          let padded = padFirstSpikes(pf.baseAddress! + (b - start) * c * h * w, channels: c, height: h, width: w, pad: 2)
          for i in 0..<per { out[b * per + i] = padded[i] }
        }
      }
      start = end
    }
    return (out, ph, pw)
  }

  /// Layer-by-layer caches of one network: the first-spike map a layer reads, per image.
  struct Stage {
    var maps: [UInt8]
    let channels, height, width: Int
    var per: Int { channels * height * width }
  }

  /// Runs frozen layer `conv` (threshold θ) on every image of `input` and pools/pads its spikes
  /// into the next layer's input.
  static func propagate(_ input: Stage, _ conv: SpikingConv, threshold: Float, steps: Int, pool: Int, pad: Int,
                        count n: Int) -> Stage {
    let sample = input.maps.withUnsafeBufferPointer { pm in
      conv.run(pm.baseAddress!, height: input.height, width: input.width, steps: steps, threshold: threshold)
    }
    let probe = sample.first.withUnsafeBufferPointer {
      poolFirstSpikes($0.baseAddress!, channels: conv.features, height: sample.height, width: sample.width, window: pool, pad: pad)
    }
    let per = probe.map.count
    var out = [UInt8](repeating: SpikeEncoding.never, count: n * per)
    input.maps.withUnsafeBufferPointer { pm in
      out.withUnsafeMutableBufferPointer { po in
        let base = po.baseAddress!
        parallelChunks(n, minimum: 2) { range in
          for b in range {
            let r = conv.run(pm.baseAddress! + b * input.per, height: input.height, width: input.width, steps: steps,
                             threshold: threshold)
            let pooled = r.first.withUnsafeBufferPointer {
              poolFirstSpikes($0.baseAddress!, channels: conv.features, height: r.height, width: r.width, window: pool, pad: pad)
            }
            for i in 0..<per { base[b * per + i] = pooled.map[i] }
          }
        }
      }
    }
    return Stage(maps: out, channels: conv.features, height: probe.height, width: probe.width)
  }

  /// STDP training of one layer: `epochs` passes in data-set order; per sample fire with θ,
  /// point-wise inhibition, k-WTA, STDP on the winners.
  static func trainLayer(_ conv: inout SpikingConv, input: Stage, count n: Int, threshold: Float, steps: Int, k: Int,
                         radius: Int, epochs: Int, schedule: STDPSchedule, progress: AdvTensor.Progress, done: inout Int,
                         note: String) throws {
    var schedule = schedule
    try input.maps.withUnsafeBufferPointer { pm in
      for epoch in 0..<epochs {
        for i in 0..<n {
          if i % 32 == 0 { try Interrupt.check() }
          let x = pm.baseAddress! + i * input.per
          let r = conv.run(x, height: input.height, width: input.width, steps: steps, threshold: threshold, parallel: true)
          schedule.tick()
          let winners = r.winners(features: conv.features, k: k, radius: radius, inhibit: true)
          conv.stdp(winners: winners, input: x, height: input.height, width: input.width, ltp: schedule.ltp,
                    ltd: schedule.ltd, stabilise: true, lo: 0, hi: 1)
          done += 1
          if i % 20 == 19 || i == n - 1 { progress.update(done, note: "\(note), epoch \(epoch + 1)/\(epochs)") }
        }
      }
    }
  }

  /// Layer-3 decision from its final potentials: the class of the neuron with the largest
  /// positive potential (first in (f, y, x) order on ties), −1 when none is positive.
  static func decision(_ final: [Float], perClass: Int, plane: Int) -> (Int, Int) {
    var best = -1
    var top: Float = 0
    for i in 0..<final.count where final[i] > top {
      top = final[i]
      best = i
    }
    return best < 0 ? (-1, -1) : ((best / plane) / perClass, best)
  }

  public static func train(_ net: Network, on split: Split, params p: Params, rng: inout RandomStream,
                           label: String) throws -> TrainingLog? {
    let start = Date()
    let limit = p[SNNM.samples]
    let n = limit > 0 ? min(limit, split.count) : split.count
    let steps = p[SNNM.timesteps]
    let (e1, e2, e3) = (p[SNNM.epochs1], p[SNNM.epochs2], p[SNNM.rstdpEpochs])
    let progress = Progress(label, total: max(1, n * (e1 + e2 + e3)), unit: .count("samples presented"))
    defer { progress.finish() }
    var done = 0
    let schedule = STDPSchedule(ltp: Float(p[SNNM.stdpPlus]), ltd: Float(p[SNNM.stdpMinus]),
                                cap: Float(p[SNNM.rateCap]), every: p[SNNM.rateEvery])
    let images = n == split.count ? split.images : split.rows(0..<n)
    let encoded = encode(images, steps: steps)
    let stage1 = Stage(maps: encoded.maps, channels: SpikeEncoding.filters.count, height: encoded.height, width: encoded.width)
    let th1 = Float(p[SNNM.threshold1]), th2 = Float(p[SNNM.threshold2])

    var log = TrainingLog()
    log.measure = "training error"
    var phase = Date()
    var conv1 = SpikingConv(net.values[0])
    try trainLayer(&conv1, input: stage1, count: n, threshold: th1, steps: steps, k: p[SNNM.k1], radius: p[SNNM.radius1],
                   epochs: e1, schedule: schedule, progress: progress, done: &done, note: "layer 1 STDP")
    net.values[0] = conv1.oihw
    log.timed("layer 1 STDP", count: e1, seconds: Date().timeIntervalSince(phase))
    let stage2 = propagate(stage1, conv1, threshold: th1, steps: steps, pool: 2, pad: 1, count: n)
    var conv2 = SpikingConv(net.values[1])
    phase = Date()
    try trainLayer(&conv2, input: stage2, count: n, threshold: th2, steps: steps, k: p[SNNM.k2], radius: p[SNNM.radius2],
                   epochs: e2, schedule: schedule, progress: progress, done: &done, note: "layer 2 STDP")
    net.values[1] = conv2.oihw
    log.timed("layer 2 STDP", count: e2, seconds: Date().timeIntervalSince(phase))
    // Layer 3 reads only the last step: a binary map (0 = spiked by then) run as one step.
    var stage3 = propagate(stage2, conv2, threshold: th2, steps: steps, pool: 3, pad: 2, count: n)
    for i in 0..<stage3.maps.count where stage3.maps[i] != SpikeEncoding.never { stage3.maps[i] = 0 }

    var conv3 = SpikingConv(net.values[2])
    let perClass = conv3.features / net.classes
    let base = RewardRates(reward: (Float(p[SNNM.rewardPlus]), Float(p[SNNM.rewardMinus])),
                           punish: (Float(p[SNNM.punishPlus]), Float(p[SNNM.punishMinus])))
    var rates = base
    let group = p[SNNM.group], select = p[SNNM.select]
    phase = Date()
    var best = (accuracy: -1.0, weights: conv3.weights)
    var classesDecided = Set<Int>()
    try stage3.maps.withUnsafeBufferPointer { pm in
      for epoch in 0..<e3 {
        var correct = 0, groupCounts = (0, 0, 0)
        classesDecided = []
        for i in 0..<n {
          if i % 32 == 0 { try Interrupt.check() }
          let x = pm.baseAddress! + i * stage3.per
          let r = conv3.run(x, height: stage3.height, width: stage3.width, steps: 1, threshold: nil, parallel: true)
          let plane = r.height * r.width
          let (decided, neuron) = decision(r.final, perClass: perClass, plane: plane)
          if decided >= 0 {
            classesDecided.insert(decided)
            let winner = Winner(feature: neuron / plane, y: (neuron % plane) / r.width, x: neuron % r.width, first: 0)
            let (ltp, ltd) = decided == split.labels[i] ? rates.reward : rates.punish
            conv3.stdp(winners: [winner], input: x, height: stage3.height, width: stage3.width, ltp: ltp, ltd: ltd,
                       stabilise: false, lo: 0.2, hi: 0.8)
          }
          if decided < 0 { groupCounts.2 += 1 } else if decided == split.labels[i] { groupCounts.0 += 1; correct += 1 } else { groupCounts.1 += 1 }
          let inGroup = groupCounts.0 + groupCounts.1 + groupCounts.2
          if inGroup == group || i == n - 1 {
            rates = base.adapted(correct: Float(groupCounts.0) / Float(inGroup), wrong: Float(groupCounts.1) / Float(inGroup))
            groupCounts = (0, 0, 0)
          }
          done += 1
          if i % 20 == 19 || i == n - 1 {
            progress.update(done, note: String(format: "layer 3 R-STDP, epoch %d/%d, training accuracy so far %.3f", epoch + 1, e3,
                                               Double(correct) / Double(i + 1)))
          }
        }
        let acc = Double(correct) / Double(max(n, 1))
        log.epochLoss.append(1 - acc)
        if acc > best.accuracy { best = (acc, conv3.weights) }
      }
    }
    log.timed("R-STDP", count: e3, seconds: Date().timeIntervalSince(phase))
    if select && e3 > 0 { conv3.weights = best.weights }
    if e3 > 0 && classesDecided.count < 2 {
      // The paper met this on PCam: the outputs stayed constant and it reports no SNN_M results there.
      FileHandle.standardError.write(Data("warning: '\(label)': snn-m decided \(classesDecided.count) class(es) over its last R-STDP pass; its output does not depend on the input\n".utf8))
    }
    net.values[2] = conv3.oihw
    log.seconds = Date().timeIntervalSince(start)
    return log
  }

  /// The time-resolved reference decision (SpykeTorch's evaluation forward, all 15 steps):
  /// layers fire with their thresholds, no inhibition; the layer-3 neuron with the largest
  /// last-step potential decides; −1 when none is positive. Also returns those potentials.
  public static func decideTimeResolved(_ net: Network, _ images: Tensor) -> (labels: [Int], potentials: [[Float]]) {
    let p = net.params, steps = p[SNNM.timesteps], n = images.shape[0]
    let enc = encode(images, steps: steps)
    let stage1 = Stage(maps: enc.maps, channels: SpikeEncoding.filters.count, height: enc.height, width: enc.width)
    let conv1 = SpikingConv(net.values[0]), conv2 = SpikingConv(net.values[1]), conv3 = SpikingConv(net.values[2])
    let stage2 = propagate(stage1, conv1, threshold: Float(p[SNNM.threshold1]), steps: steps, pool: 2, pad: 1, count: n)
    let stage3 = propagate(stage2, conv2, threshold: Float(p[SNNM.threshold2]), steps: steps, pool: 3, pad: 2, count: n)
    var labels: [Int] = [], pots: [[Float]] = []
    stage3.maps.withUnsafeBufferPointer { pm in
      for i in 0..<n {
        let r = conv3.run(pm.baseAddress! + i * stage3.per, height: stage3.height, width: stage3.width, steps: steps, threshold: nil,
                          parallel: true)
        labels.append(decision(r.final, perClass: conv3.features / net.classes, plane: r.height * r.width).0)
        pots.append(r.final)
      }
    }
    return (labels, pots)
  }
}
