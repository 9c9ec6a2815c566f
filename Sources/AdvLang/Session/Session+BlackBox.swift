import AdvAttacks
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// The black-box half of the paper: `transfer`, `model … = surrogate`, `model … = mixture`.
extension Session {
  /// Crafts adversarials on `sourceName` and launches them against every target (attacks.md §6);
  /// a surrogate source draws its samples from its evaluation pool only.
  func transfer(_ spec: ComponentSpec, _ params: Params, from sourceName: String, to targetNames: [String],
                statement: String) throws {
    let source = try model(sourceName)
    let targets = try targetNames.map { try model($0) }
    let kind = Attacks.declared(by: spec)
    let transfer = Transfer(params)
    let result = try transfer.run(kind.init(params: params), params: params, source: source.model,
                                  targets: targets.map(\.model), split: source.dataset.test, pool: source.evaluationPool,
                                  seed: seed, label: "transfer \(spec.name) from \(sourceName)")
    if result.exhausted {
      output.warn("only \(result.kept.count) valid adversarials from the \(result.eligible) eligible samples of \(result.examined) (correct under '\(sourceName)' and every target); asked for \(transfer.samples)")
    }
    let kept = result.kept.map { result.attacked[$0] }
    let record = TransferRecord(
      source: sourceName, sourceArch: source.architecture.name, attack: spec.name, params: reportParams(params),
      dataset: source.dataset.name, split: source.evaluationPool == nil ? "test" : "pool", samples: kept.count,
      requestedSamples: transfer.samples, attempted: result.attacked.count, eligible: result.eligible, examined: result.examined,
      sourceASR: result.sourceASR, l2PerPixel: result.meanL2PerPixel, sourceQueries: result.sourceQueries,
      targets: zip(targets, result.targets).map { target, r in
        TransferTargetRecord(model: target.name, arch: target.architecture.name, asr: r.asr, queries: r.queries,
                             success: r.successes, modelHash: target.hash, adversarialLabels: r.labels)
      },
      seed: seed, wallSeconds: result.seconds, statement: statement, scriptHash: report.scriptHash,
      perSample: kept.map {
        SampleRecord(index: $0.index, label: $0.label, returned: $0.returned, success: $0.success,
                     l2PerPixel: $0.l2PerPixel, queries: $0.queries, gradients: $0.gradients,
                     adversarialLabel: $0.adversarialLabel)
      },
      sourceHash: source.hash)
    report.transfers.append(record)
    let l2 = result.meanL2PerPixel.map { String(format: "%.4f", $0 * 1000) } ?? "-"
    let rates = zip(targetNames, result.targets).map { String(format: "%@ %.4f", $0, $1.asr) }.joined(separator: ", ")
    output.print(String(format: "%@: transfer rate %@; %d valid adversarials of %d attacked (source ASR %.4f), mean L2/px x1000 %@ (%.1f s)",
                        statement, rates, kept.count, result.attacked.count, result.sourceASR, l2, result.seconds))
    saveResults()
  }

  /// Trains (or takes from the cache) a surrogate of `oracleName` from its hard labels on a
  /// seeded `seed_split` of the test split; the rest of the test split is its evaluation pool.
  func surrogate(_ name: String, _ spec: ComponentSpec, _ params: Params, of oracleName: String, statement: String) throws {
    let oracle = try model(oracleName)
    let data = oracle.dataset
    let arch = architecture(spec)
    var order = RandomStream(seed: seed, stream: 0x5EED)
    let shuffled = order.permutation(data.test.count)
    let seedCount = max(1, min(data.test.count - 1, Int((Double(data.test.count) * params[SurrogateSettings.seedSplit]).rounded())))
    let seedSet = Array(shuffled.prefix(seedCount)).sorted()
    let pool = Array(shuffled.dropFirst(seedCount)).sorted()
    let key = ModelCache.key(version: advVersion, dataset: data.fingerprint, architecture: "surrogate:" + spec.name,
                             params: params, seed: seed, source: oracle.hash)
    let make = { (rng: RandomStream) in
      try arch.make(params: params, inputShape: data.imageShape, classes: data.classes, rng: rng)
    }
    var queries = RandomStream(seed: seed, stream: 0x0AC1E)
    let ask = { (x: Tensor) -> [Int] in oracle.model.predict(x, rng: &queries) }
    var net: Network? = nil
    var stats = SurrogateTraining()
    var seconds: Double? = nil
    switch modelLookup?.lookup(key) {
    case .hit(let st)?:
      if let saved = SurrogateTraining(metadata: st.metadata) {
        let restored = try make(RandomStream(seed: seed, stream: 0x1417))
        do {
          try Checkpoint.restore(restored, from: st)
          (net, stats) = (restored, saved)
        } catch {
          output.warn("cache entry for '\(name)' does not fit \(spec.name) (\(error)); training again")
        }
      } else {
        output.warn("cache entry for '\(name)' lacks its training statistics; training again")
      }
    case .corrupt(let why)?:
      output.warn("cache entry for '\(name)' is corrupt (\(why)); training again")
    case .miss?, nil:
      break
    }
    if net == nil && !trainsModels {
      net = try make(RandomStream(seed: seed, stream: 0x1417))
      weightless.insert(name)
    }
    if net == nil {
      let trained = try SurrogateTrainer(params: params).train(
        make: make, seed: data.test.images.gather(rows: seedSet), oracle: ask,
        rng: RandomStream(seed: seed, stream: 0x5A11), label: "surrogate \(name)")
      (net, stats) = trained
      seconds = stats.seconds
      if let cache = modelStore {
        do {
          try cache.store(key, net: trained.0, metadata: ["dataset": data.fingerprint, "seed": String(seed),
                                                          "version": advVersion].merging(stats.metadata) { $1 })
        } catch {
          output.warn("could not cache '\(name)': \(error)")
        }
      }
    }
    guard let net else { preconditionFailure("trained or restored above") }
    // Agreement with the oracle on the pool (the oracle's answers here are evaluation, not
    // attacker queries, and are not counted).
    var noise = RandomStream(seed: seed, stream: 0xA9EE)
    let poolImages = data.test.images.gather(rows: pool)
    let mine = net.predict(poolImages, rng: &noise), theirs = oracle.model.predict(poolImages, rng: &noise)
    let agreement = Double(zip(mine, theirs).filter { $0 == $1 }.count) / Double(max(pool.count, 1))
    var made = SessionModel(name: name, model: net, architecture: spec, params: params, dataset: data,
                            seed: seed, hash: key, trainSeconds: seconds)
    made.evaluationPool = pool
    models[name] = made
    report.surrogates.append(SurrogateRecord(
      name: name, arch: spec.name, oracle: oracleName, dataset: data.name, params: reportParams(params),
      vm: params[SurrogateSettings.vm], queries: stats.queries, vmQueries: stats.vmQueries, roundSizes: stats.roundSizes,
      seedImages: seedSet.count, poolImages: pool.count, agreement: agreement, trainSeconds: seconds, modelHash: key,
      statement: statement))
    let how = seconds.map { String(format: "trained in %.1f s", $0) } ?? "from the cache"
    output.print(String(format: "surrogate %@ (%@) of %@: %d rounds up to %d images, %d oracle queries, agreement %.4f on %d pool images (%@)",
                        name, spec.name, oracleName, stats.roundSizes.count, stats.roundSizes.last ?? 0, stats.queries,
                        agreement, pool.count, how))
    if agreement < 2 / Double(max(data.classes, 1)) {
      output.warn(String(format: "surrogate '%@' agrees with '%@' on only %.1f %% of the pool, about chance for %d classes: it has not learned, and attacks crafted on it say nothing about the oracle. Try its architecture's own optimiser and rate (':help %@' in the REPL, grammar.md; for bsn-l: optimizer=adam lr=0.001) or more epochs",
                         name, oracleName, 100 * agreement, data.classes, spec.name))
    }
    saveResults()
  }

  /// A stochastic mixture of defined models (attacks.md §9).
  func mixture(_ name: String, of memberNames: [String], params: Params, statement: String) throws {
    let members = try memberNames.map { try model($0) }
    guard let first = members.first else { preconditionFailure("the checker requires two members") }
    let mixture = Mixture(members: members.map(\.model), weights: params[MixtureSettings.weights],
                          eligible: params[MixtureSettings.eligible])
    // A uniform mixture (no weights, or equal ones) hashes as mixtures did before weights existed.
    var hashed = params
    if mixture.probabilities == nil { hashed[MixtureSettings.weights.name] = nil }
    let hash = sha256((["mixture"] + members.map(\.hash) + [hashed.canonicalDescription]).joined(separator: "|"))
    models[name] = SessionModel(name: name, model: mixture, architecture: MixtureSettings.spec, params: params,
                                dataset: first.dataset, seed: seed, hash: hash, trainSeconds: nil)
    let draw: String
    if let p = mixture.probabilities {
      draw = "drawn with probabilities " + zip(memberNames, p).map { "\($0) \(String(format: "%.4g", $1))" }.joined(separator: ", ")
    } else {
      draw = "drawn at random"
    }
    output.print("\(name) mixes \(memberNames.joined(separator: ", ")): each answer from one member \(draw)")
  }
}
