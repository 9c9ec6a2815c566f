import AdvAttacks
import AdvData
import AdvNN
import AdvReport
import AdvTensor
import Crypto
import Foundation

/// A model the session has built, with what it takes to reproduce it.
public struct SessionModel {
  public let name: String
  public let network: Network
  public let architecture: ComponentSpec
  public let params: Params
  public let dataset: Dataset
  public let seed: UInt64
  public let hash: String
  public let trainSeconds: Double?
}

/// Where a session's messages go: normally stdout (results) and stderr (warnings).
public struct SessionOutput {
  public var print: (String) -> Void
  public var warn: (String) -> Void

  public init(print: @escaping (String) -> Void, warn: @escaping (String) -> Void) {
    self.print = print
    self.warn = warn
  }

  public static let standard = SessionOutput(
    print: { Swift.print($0); fflush(stdout) },
    warn: { FileHandle.standardError.write(Data(("warning: " + $0 + "\n").utf8)) })
}

/// A runtime failure of one statement (data missing, file unwritable, …), with its location.
public struct RuntimeError: Error, CustomStringConvertible {
  public let message: String
  public let location: String

  public var description: String { "\(location): error: \(message)" }
}

/// The environment a script runs in: seed, loaded data set, trained models and the result
/// records. Executes checked plans one step at a time; a REPL keeps one session alive.
public final class Session {
  public private(set) var seed: UInt64 = 0
  public private(set) var dataset: Dataset?
  public private(set) var models: [String: SessionModel] = [:]
  public private(set) var report: Report
  var evaluations: UInt64 = 0
  public var checker: Checker
  public let scriptName: String
  public let outputDirectory: String?
  public let cache: ModelCache?
  public var output: SessionOutput
  /// Seed given on the command line: overrides every `seed` statement.
  public let seedOverride: UInt64?

  public init(scriptName: String, scriptText: String?, outputDirectory: String?, cache: ModelCache?,
              seedOverride: UInt64? = nil, output: SessionOutput = .standard) {
    self.scriptName = scriptName
    self.outputDirectory = outputDirectory
    self.cache = cache
    self.seedOverride = seedOverride
    self.output = output
    if let s = seedOverride { seed = s }
    checker = Checker(vocabulary: .standard)
    let hash = scriptText.map { Session.sha256($0) } ?? ""
    report = Report(tool: "adv", version: advVersion, script: scriptName, scriptHash: hash, models: [], results: [])
  }

  static func sha256(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
  }

  /// Runs the steps in order. Results already computed stay in the report if a step fails.
  public func run(_ steps: [PlannedStep], file: String) throws {
    for planned in steps {
      Interrupt.clear()
      do {
        try execute(planned)
      } catch let error as Interrupted {
        throw error
      } catch let error as RuntimeError {
        throw error
      } catch {
        let loc = "\(file):\(planned.range.start.line):\(planned.range.start.column)"
        throw RuntimeError(message: "\(error)", location: loc)
      }
    }
  }

  func execute(_ planned: PlannedStep) throws {
    switch planned.step {
    case .seed(let s):
      if seedOverride == nil { seed = s }
    case .load(let spec, let path, let params):
      try load(spec, path: path, params: params)
    case .train(let name, let spec, let params, let source):
      try trainModel(name, spec, params, from: source, statement: planned.text)
    case .evaluate(let name):
      try evaluate(name, statement: planned.text)
    case .attack(let spec, let params, let model):
      try attack(spec, params, model, statement: planned.text)
    case .report(let format, let path):
      try writeReport(format, path: path)
    case .loadModel(let name, let path, let spec, let params):
      try loadModel(name, path: resolveInput(path), spec: spec, params: params)
    case .save(let name, let path):
      let m = try model(name)
      let target = resolve(path)
      try Checkpoint.save(m.network, to: target, metadata: [
        "dataset": m.dataset.fingerprint, "seed": String(m.seed), "version": advVersion, "model_hash": m.hash])
      output.print("saved \(name) to \(target)")
    case .setPolicy(let name, let policy):
      let m = try model(name)
      guard m.network.isStochastic else {
        output.warn("'\(name)' (\(m.architecture.name)) is deterministic; its policy does not matter")
        return
      }
      switch policy {
      case .single: m.network.policy = .single
      case .average(let n): m.network.policy = .average(n)
      }
      output.print("\(name) answers with \(m.network.policy)")
    }
  }

  /// A relative input path is read from the working directory, or else from the output
  /// directory, where `save` puts files: `save m to "m.safetensors"` then `load "m.safetensors"`.
  func resolveInput(_ path: String) -> String {
    if path.hasPrefix("/") || FileManager.default.fileExists(atPath: path) { return path }
    let inOutput = resolve(path)
    return FileManager.default.fileExists(atPath: inOutput) ? inOutput : path
  }

  func loadModel(_ name: String, path: String, spec: ComponentSpec, params: Params) throws {
    let arch = try architecture(spec)
    let st = try SafeTensors(contentsOf: path)
    if let saved = st.metadata["arch"], canonicalName(saved) != canonicalName(spec.name) {
      output.warn("'\(path)' was saved from a '\(saved)' model; loading it as '\(spec.name)'")
    }
    let data = dataset
    guard let geometry = Checkpoint.geometry(st) ?? data.map({ ($0.imageShape, $0.classes) }) else {
      throw RuntimeError(message: "'\(path)' does not record its input shape; add 'load DATASET' before this line", location: scriptName)
    }
    let net = try arch.make(params: params, inputShape: geometry.inputShape, classes: geometry.classes,
                            rng: RandomStream(seed: seed, stream: 0x1417))
    try Checkpoint.restore(net, from: st)
    guard let data else {
      throw RuntimeError(message: "no data set loaded to evaluate or attack '\(name)' on; add 'load mnist' first", location: scriptName)
    }
    guard data.imageShape == geometry.inputShape && data.classes == geometry.classes else {
      throw RuntimeError(message: "'\(path)' takes \(geometry.inputShape.map(String.init).joined(separator: "x")) images and \(geometry.classes) classes, but the loaded data set has \(data.imageShape.map(String.init).joined(separator: "x")) and \(data.classes)", location: scriptName)
    }
    let hash = Session.sha256(["loaded", path, st.metadata["model_hash"] ?? ""].joined(separator: "|"))
    models[name] = SessionModel(name: name, network: net, architecture: spec, params: params, dataset: data,
                                seed: seed, hash: hash, trainSeconds: nil)
    output.print("loaded \(name) (\(spec.name), \(net.parameterCount) parameters) from \(path)")
  }

  func load(_ spec: ComponentSpec, path: String?, params: Params) throws {
    let d = try Datasets.load(spec, from: path, params: params, seed: seed)
    dataset = d
    let origin = path == nil ? "embedded subset" : "'\(path!)'"
    output.print("loaded \(d.name) (\(origin)): \(d.train.count) train / \(d.test.count) test images, \(d.imageShape.map(String.init).joined(separator: "x"))")
  }

  func requireDataset() throws -> Dataset {
    guard let d = dataset else { throw RuntimeError(message: "no data set loaded; add 'load mnist' first", location: scriptName) }
    return d
  }

  func trainModel(_ name: String, _ spec: ComponentSpec, _ params: Params, from sourceName: String? = nil,
                  statement: String) throws {
    let data = try requireDataset()
    let arch = try architecture(spec)
    let source = try sourceName.map { try model($0) }
    var keyParts = ["v1", advVersion, data.fingerprint, spec.name, params.canonicalDescription, String(seed)]
    if let source { keyParts.append("from:" + source.hash) }
    let key = Session.sha256(keyParts.joined(separator: "|"))
    let net = try arch.make(params: params, inputShape: data.imageShape, classes: data.classes,
                            rng: RandomStream(seed: seed, stream: 0x1417))
    if let source {
      let (copied, kept) = net.initialize(from: source.network)
      guard copied > 0 else {
        throw RuntimeError(
          message: "no weight of '\(source.name)' (\(source.architecture.name)) fits \(spec.name): names or shapes differ; "
            + "start from a model of the same architecture family, or drop 'from \(source.name)'",
          location: scriptName)
      }
      if !kept.isEmpty {
        let shown = kept.prefix(4).joined(separator: ", ") + (kept.count > 4 ? ", …" : "")
        output.warn("\(name) starts from '\(source.name)' except \(kept.count) of \(copied + kept.count) tensors that do not fit (\(shown)); those start freshly initialised")
      }
    }
    var seconds: Double? = nil
    var cached = false
    if let cache {
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
    if !cached {
      var rng = RandomStream(seed: seed, stream: 0x7EA1)
      let log = try arch.train(net, on: data.train, params: params, rng: &rng, label: "train \(name)")
        ?? train(net, on: data.train, config: TrainingConfig(params), rng: &rng, label: "train \(name)")
      seconds = log.seconds
      if let cache {
        do {
          var metadata = ["arch": spec.name, "params": params.canonicalDescription,
                          "dataset": data.fingerprint, "seed": String(seed), "version": advVersion]
          if let n = net.normalization { (metadata["mean"], metadata["std"]) = n.metadata }
          try cache.store(key, net: net, metadata: metadata)
        } catch {
          output.warn("could not cache '\(name)': \(error)")
        }
      }
      let loss = log.epochLoss.last.map { String(format: ", final %@ %.4f", log.measure, $0) } ?? ""
      let start = source.map { " starting from '\($0.name)'" } ?? ""
      output.print("trained \(name) (\(spec.name), \(net.parameterCount) parameters)\(start) in \(String(format: "%.1f", log.seconds)) s\(loss)")
    } else {
      output.print("loaded \(name) (\(spec.name)) from the cache")
    }
    models[name] = SessionModel(name: name, network: net, architecture: spec, params: params, dataset: data,
                                seed: seed, hash: key, trainSeconds: seconds)
  }

  /// The engine's architecture for a checked declaration (the checker only passes registered ones).
  func architecture(_ spec: ComponentSpec) throws -> any Architecture.Type {
    guard let arch = Architectures.named(spec.name) else {
      throw RuntimeError(message: "architecture '\(spec.name)' is not registered in this build", location: scriptName)
    }
    return arch
  }

  func model(_ name: String) throws -> SessionModel {
    guard let m = models[name] else { throw RuntimeError(message: "no model named '\(name)'", location: scriptName) }
    return m
  }

  func evaluate(_ name: String, statement: String) throws {
    let m = try model(name)
    // Each evaluation draws fresh noise (a stochastic model under 'single' gives a new answer
    // each time), yet the same script repeats every number.
    evaluations += 1
    var rng = RandomStream(seed: seed, stream: 0xE7A1 &+ UInt64(evaluations))
    let acc = accuracy(m.network, on: m.dataset.test, rng: &rng)
    report.models.append(ModelRecord(
      name: name, arch: m.architecture.name, dataset: m.dataset.name, params: stringParams(m.params),
      cleanAccuracy: acc, samples: m.dataset.test.count, policy: m.network.policyDescription, seed: m.seed,
      trainSeconds: m.trainSeconds, modelHash: m.hash, statement: statement))
    output.print(String(format: "%@: clean accuracy %.4f on %d test images (%@)", name, acc, m.dataset.test.count,
                        m.network.policyDescription))
    saveResults()
  }

  func attack(_ spec: ComponentSpec, _ params: Params, _ name: String, statement: String) throws {
    let m = try model(name)
    let kind = Attacks.declared(by: spec)
    let evaluation = Evaluation(params, for: kind)
    let result = try evaluation.run(kind.init(params: params), params: params, on: m.network, split: m.dataset.test,
                                    seed: seed, label: "\(spec.name) on \(name)")
    if result.samples.count < result.requestedSamples {
      output.warn("'\(name)' classifies only \(result.samples.count) test images correctly; attacked those instead of \(result.requestedSamples)")
    }
    let record = AttackRecord(
      model: name, arch: m.architecture.name, attack: spec.name, params: reportParams(result.params),
      dataset: m.dataset.name, split: "test", samples: result.samples.count, asr: result.asr,
      l2PerPixel: result.meanL2PerPixel, seed: seed, queries: result.queries, wallSeconds: result.seconds,
      statement: statement, scriptHash: report.scriptHash, modelHash: m.hash,
      perSample: result.samples.map {
        SampleRecord(index: $0.index, label: $0.label, returned: $0.returned, success: $0.success,
                     l2PerPixel: $0.l2PerPixel, queries: $0.queries, gradients: $0.gradients)
      })
    report.results.append(record)
    let l2 = result.meanL2PerPixel.map { String(format: "%.4f", $0 * 1000) } ?? "-"
    output.print(String(format: "%@: ASR %.4f, mean L2/px x1000 %@ over %d samples (%.1f s)",
                        statement, result.asr, l2, result.samples.count, result.seconds))
    saveResults()
  }

  func stringParams(_ p: Params) -> [String: String] {
    p.values.mapValues { $0.description }
  }

  func reportParams(_ p: Params) -> [String: ReportValue] {
    var out: [String: ReportValue] = [:]
    for (k, v) in p.values {
      switch v {
      case .real(let d): out[k] = .number(d)
      case .int(let i): out[k] = .number(Double(i))
      case .string(let s): out[k] = .string(s)
      case .bool(let b): out[k] = .bool(b)
      }
    }
    return out
  }

  func resolve(_ path: String) -> String {
    if path.hasPrefix("/") || outputDirectory == nil { return path }
    return (outputDirectory! as NSString).appendingPathComponent(path)
  }

  func writeReport(_ format: ReportFormat, path: String?) throws {
    let text = render(report, as: RenderFormat(rawValue: format.rawValue) ?? .text)
    if let path {
      let target = resolve(path)
      try writeAtomically(text, to: target)
      output.print("wrote \(format.rawValue) report to \(target)")
    } else {
      output.print(text)
    }
  }

  /// Keeps `results.json` in the output directory current after every result, so nothing
  /// computed is lost if a later statement fails or is interrupted.
  func saveResults() {
    guard let dir = outputDirectory else { return }
    do {
      try writeAtomically(render(report, as: .json), to: (dir as NSString).appendingPathComponent("results.json"))
    } catch {
      output.warn("\(error)")
    }
  }
}

/// The engine version recorded in reports and cache keys.
public let advVersion = "0.1.0"
