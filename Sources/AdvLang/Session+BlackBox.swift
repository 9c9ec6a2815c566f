import AdvAttacks
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// The black-box half of the paper: `transfer`, `model … = surrogate`, `model … = mixture`.
extension Session {
  func transfer(_ spec: ComponentSpec, _ params: Params, from source: String, to targets: [String], statement: String) throws {
    throw RuntimeError(message: "'transfer' is not built yet")
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
    let ask = { (x: Tensor) -> [Int] in oracle.network.predict(x, rng: &queries) }
    var net: Network? = nil
    var stats = SurrogateTraining()
    var seconds: Double? = nil
    if let cache, case .hit(let st) = cache.lookup(key), let saved = SurrogateTraining(metadata: st.metadata) {
      let restored = try make(RandomStream(seed: seed, stream: 0x1417))
      do {
        try Checkpoint.restore(restored, from: st)
        (net, stats) = (restored, saved)
      } catch {
        output.warn("cache entry for '\(name)' does not fit \(spec.name) (\(error)); training again")
      }
    }
    if net == nil {
      let trained = try SurrogateTrainer(params: params).train(
        make: make, seed: data.test.images.gather(rows: seedSet), oracle: ask,
        rng: RandomStream(seed: seed, stream: 0x5A11), label: "surrogate \(name)")
      (net, stats) = trained
      seconds = stats.seconds
      if let cache {
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
    let mine = net.predict(poolImages, rng: &noise), theirs = oracle.network.predict(poolImages, rng: &noise)
    let agreement = Double(zip(mine, theirs).filter { $0 == $1 }.count) / Double(max(pool.count, 1))
    var made = SessionModel(name: name, network: net, architecture: spec, params: params, dataset: data,
                            seed: seed, hash: key, trainSeconds: seconds)
    made.evaluationPool = pool
    models[name] = made
    report.surrogates.append(SurrogateRecord(
      name: name, arch: spec.name, oracle: oracleName, dataset: data.name, params: stringParams(params),
      vm: params[SurrogateSettings.vm], queries: stats.queries, vmQueries: stats.vmQueries, roundSizes: stats.roundSizes,
      seedImages: seedSet.count, poolImages: pool.count, agreement: agreement, trainSeconds: seconds, modelHash: key,
      statement: statement))
    let how = seconds.map { String(format: "trained in %.1f s", $0) } ?? "from the cache"
    output.print(String(format: "surrogate %@ (%@) of %@: %d rounds up to %d images, %d oracle queries, agreement %.4f on %d pool images (%@)",
                        name, spec.name, oracleName, stats.roundSizes.count, stats.roundSizes.last ?? 0, stats.queries,
                        agreement, pool.count, how))
    saveResults()
  }

  func mixture(_ name: String, of members: [String], params: Params, statement: String) throws {
    throw RuntimeError(message: "'mixture' is not built yet")
  }
}
