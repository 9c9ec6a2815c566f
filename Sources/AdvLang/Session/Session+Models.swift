import AdvData
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// Data sets and models: `load`, `model … = train`, `model … = load`, `save`, `evaluate`.
extension Session {
  func loadModel(_ name: String, path: String, spec: ComponentSpec, params: Params, statement: String) throws {
    let arch = architecture(spec)
    let st = try SafeTensors(contentsOf: path)
    if let saved = st.metadata["arch"], canonicalName(saved) != canonicalName(spec.name) {
      output.warn("'\(path)' was saved from a '\(saved)' model; loading it as '\(spec.name)'")
    }
    // The geometry the file records is compared with the data before a network is built for
    // it: a damaged file must not make us allocate layers for 100000x100000 images.
    guard let data = dataset else {
      throw RuntimeError(message: "no data set loaded to evaluate or attack '\(name)' on; add 'load \(firstDataset)' first")
    }
    let geometry = Checkpoint.geometry(st) ?? (data.imageShape, data.classes)
    guard data.imageShape == geometry.inputShape && data.classes == geometry.classes else {
      throw RuntimeError(message: "'\(path)' takes \(geometry.inputShape.map(String.init).joined(separator: "x")) images and \(geometry.classes) classes, but the loaded data set has \(data.imageShape.map(String.init).joined(separator: "x")) and \(data.classes)")
    }
    let net = try arch.make(params: params, inputShape: geometry.inputShape, classes: geometry.classes,
                            rng: RandomStream(seed: seed, stream: 0x1417))
    try Checkpoint.restore(net, from: st)
    let hash = sha256(["loaded", path, st.metadata["model_hash"] ?? ""].joined(separator: "|"))
    models[name] = SessionModel(name: name, model: net, architecture: spec, params: params, dataset: data,
                                seed: seed, hash: hash, trainSeconds: nil)
    recordCheckpoint(path, statement: statement)
    output.print("loaded \(name) (\(spec.name), \(net.parameterCount) parameters) from \(path)")
  }

  func load(_ spec: ComponentSpec, path: String?, params: Params, statement: String) throws {
    let d = try Datasets.load(spec, from: path, params: params, seed: seed)
    dataset = d
    if let path, let files = spec.files { recordDataDirectory(path, files: files, statement: statement) }
    let origin = path == nil ? "embedded subset" : "'\(path!)'"
    output.print("loaded \(d.name) (\(origin)): \(d.train.count) train / \(d.test.count) test images, \(d.imageShape.map(String.init).joined(separator: "x"))")
  }

  func requireDataset() throws -> Dataset {
    guard let d = dataset else { throw RuntimeError(message: "no data set loaded; add 'load \(firstDataset)' first") }
    return d
  }

  func trainModel(_ name: String, _ spec: ComponentSpec, _ params: Params, from sourceName: String? = nil,
                  statement: String) throws {
    let data = try requireDataset()
    let arch = architecture(spec)
    let source = try sourceName.map { try model($0) }
    let key = ModelCache.key(version: advVersion, dataset: data.fingerprint, architecture: spec.name, params: params,
                             seed: seed, source: source?.hash)
    let net = try arch.make(params: params, inputShape: data.imageShape, classes: data.classes,
                            rng: RandomStream(seed: seed, stream: 0x1417))
    if let source {
      guard let weights = source.network else {
        throw RuntimeError(message: "'\(source.name)' has no weights of its own to start from")
      }
      let (copied, kept) = net.initialize(from: weights)
      guard copied > 0 else {
        throw RuntimeError(
          message: "no weight of '\(source.name)' (\(source.architecture.name)) fits \(spec.name): names or shapes differ; "
            + "start from a model of the same architecture family, or drop 'from \(source.name)'")
      }
      if !kept.isEmpty {
        let shown = kept.prefix(4).joined(separator: ", ") + (kept.count > 4 ? ", …" : "")
        output.warn("\(name) starts from '\(source.name)' except \(kept.count) of \(copied + kept.count) tensors that do not fit (\(shown)); those start freshly initialised")
      }
    }
    var seconds: Double? = nil
    var cached = false
    if let cache = modelLookup {
      switch cache.lookup(key) {
      case .hit(let st):
        do {
          try Checkpoint.restore(net, from: st)
          cached = true
        } catch {
          output.warn("cache entry for '\(name)' does not fit \(spec.name) (\(error)); training again")
        }
      case .corrupt(let why):
        output.warn("cache entry for '\(name)' is corrupt (\(why)); training again")
      case .miss:
        break
      }
    }
    if !cached && !trainsModels {
      models[name] = SessionModel(name: name, model: net, architecture: spec, params: params, dataset: data,
                                  seed: seed, hash: key, trainSeconds: nil)
      weightless.insert(name)
      return
    }
    if !cached {
      var rng = RandomStream(seed: seed, stream: 0x7EA1)
      let log = try arch.train(net, on: data.train, params: params, rng: &rng, label: "train \(name)")
        ?? train(net, on: data.train, config: TrainingConfig(params), rng: &rng, label: "train \(name)")
      seconds = log.seconds
      if let cache = modelStore {
        do {
          // Architecture, parameters, normalisation and policy: `Checkpoint.contents` adds them.
          try cache.store(key, net: net, metadata: ["dataset": data.fingerprint, "seed": String(seed), "version": advVersion])
        } catch {
          output.warn("could not cache '\(name)': \(error)")
        }
      }
      let loss = log.epochLoss.last.map { String(format: ", final %@ %.4f", log.measure, $0) } ?? ""
      let start = source.map { " starting from '\($0.name)'" } ?? ""
      let perPass = log.perPassDescription.map { " (\($0))" } ?? ""
      output.print("trained \(name) (\(spec.name), \(net.parameterCount) parameters)\(start) in \(String(format: "%.1f", log.seconds)) s\(perPass)\(loss)")
    } else {
      output.print("loaded \(name) (\(spec.name)) from the cache")
    }
    models[name] = SessionModel(name: name, model: net, architecture: spec, params: params, dataset: data,
                                seed: seed, hash: key, trainSeconds: seconds)
  }

  /// The engine's architecture for a checked declaration: the checker resolves names against
  /// `Vocabulary.standard`, which is built from the same registry, so the lookup cannot fail.
  func architecture(_ spec: ComponentSpec) -> any Architecture.Type {
    guard let arch = Architectures.named(spec.name) else { preconditionFailure("a checked plan names an unregistered architecture '\(spec.name)'") }
    return arch
  }

  func model(_ name: String) throws -> SessionModel {
    guard let m = models[name] else { throw RuntimeError(message: "no model named '\(name)'") }
    return m
  }

  func evaluate(_ name: String, statement: String) throws {
    let m = try model(name)
    // Each evaluation draws fresh noise (a stochastic model under 'single' gives a new answer
    // each time), yet the same script repeats every number.
    evaluations += 1
    var rng = RandomStream(seed: seed, stream: 0xE7A1 &+ UInt64(evaluations))
    let acc = accuracy(m.model, on: m.dataset.test, rng: &rng)
    report.models.append(ModelRecord(
      name: name, arch: m.architecture.name, dataset: m.dataset.name, params: reportParams(m.params),
      cleanAccuracy: acc, samples: m.dataset.test.count, policy: m.policyDescription, seed: m.seed,
      trainSeconds: m.trainSeconds, modelHash: m.hash, statement: statement,
      defaults: declaredDefaults(m.architecture, of: m.params, dataset: m.dataset.name)))
    output.print(String(format: "%@: clean accuracy %.4f on %d test images (%@)", name, acc, m.dataset.test.count,
                        m.policyDescription))
    saveResults()
  }

  func save(_ name: String, to path: String) throws {
    let m = try model(name)
    guard let net = m.network else { throw RuntimeError(message: "'\(name)' is a mixture: save its members instead") }
    try requireWeights(name)
    let target = outputTarget(path)
    try Checkpoint.save(net, to: target, metadata: [
      "dataset": m.dataset.fingerprint, "seed": String(m.seed), "version": advVersion, "model_hash": m.hash])
    output.print("saved \(name) to \(target)")
  }

  func setPolicy(of name: String, to policy: InferencePolicy) throws {
    let m = try model(name)
    guard let net = m.network else { throw RuntimeError(message: "'\(name)' is a mixture: set the policy of its members") }
    guard net.isStochastic else {
      output.warn("'\(name)' (\(m.architecture.name)) is deterministic; its policy does not matter")
      return
    }
    net.policy = policy
    output.print("\(name) answers with \(net.policy)")
  }

  /// The data set the messages suggest loading.
  var firstDataset: String { checker.vocabulary.datasets.first?.name ?? "DATASET" }
}
