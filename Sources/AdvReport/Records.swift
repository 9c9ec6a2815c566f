/// Result records: what every `evaluate` and `attack` statement produced, in the shape reports
/// and `results.json` carry. Plain values; the engine fills them, the renderers read them.

/// A parameter value as JSON shows it: numbers stay numbers.
public enum ReportValue: Codable, Sendable, Equatable, CustomStringConvertible {
  case number(Double)
  case string(String)
  case bool(Bool)

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else {
      self = .string(try c.decode(String.self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .number(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .bool(let b): try c.encode(b)
    }
  }

  /// Short human form: up to 4 significant decimals for reals.
  public var description: String {
    switch self {
    case .number(let d):
      if d == d.rounded() && abs(d) < 1e12 { return String(Int(d)) }
      var s = String(format: "%.4g", d)
      if s.contains(".") && !s.contains("e") {
        while s.hasSuffix("0") { s.removeLast() }
      }
      return s
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    }
  }
}

/// One `evaluate`: clean accuracy of a model on its test split.
public struct ModelRecord: Codable, Sendable, Equatable {
  public var name: String
  public var arch: String
  public var dataset: String
  public var params: [String: String]
  public var cleanAccuracy: Double
  public var samples: Int
  public var policy: String
  public var seed: UInt64
  public var trainSeconds: Double?
  public var modelHash: String
  public var statement: String

  public init(name: String, arch: String, dataset: String, params: [String: String], cleanAccuracy: Double,
              samples: Int, policy: String, seed: UInt64, trainSeconds: Double?, modelHash: String, statement: String) {
    self.name = name; self.arch = arch; self.dataset = dataset; self.params = params
    self.cleanAccuracy = cleanAccuracy; self.samples = samples; self.policy = policy; self.seed = seed
    self.trainSeconds = trainSeconds; self.modelHash = modelHash; self.statement = statement
  }

  enum CodingKeys: String, CodingKey {
    case name, arch, dataset, params, samples, policy, seed, statement
    case cleanAccuracy = "clean_accuracy", trainSeconds = "train_seconds", modelHash = "model_hash"
  }
}

/// One attacked sample (attacks.md §1.4).
public struct SampleRecord: Codable, Sendable, Equatable {
  public var index: Int
  public var label: Int
  public var returned: Bool
  public var success: Double
  public var l2PerPixel: Double?
  public var queries: Int
  public var gradients: Int

  public init(index: Int, label: Int, returned: Bool, success: Double, l2PerPixel: Double?, queries: Int, gradients: Int) {
    self.index = index; self.label = label; self.returned = returned; self.success = success
    self.l2PerPixel = l2PerPixel; self.queries = queries; self.gradients = gradients
  }

  enum CodingKeys: String, CodingKey {
    case index, label, returned, success, queries, gradients
    case l2PerPixel = "l2_per_pixel"
  }
}

/// One `attack`: ASR and mean L2 per pixel (unscaled) over its samples.
public struct AttackRecord: Codable, Sendable, Equatable {
  public var model: String
  public var arch: String
  public var attack: String
  public var params: [String: ReportValue]
  public var dataset: String
  public var split: String
  public var samples: Int
  public var asr: Double
  public var l2PerPixel: Double?
  public var seed: UInt64
  public var queries: Int
  public var wallSeconds: Double
  public var statement: String
  public var scriptHash: String
  public var modelHash: String
  public var perSample: [SampleRecord]

  public init(model: String, arch: String, attack: String, params: [String: ReportValue], dataset: String, split: String,
              samples: Int, asr: Double, l2PerPixel: Double?, seed: UInt64, queries: Int, wallSeconds: Double,
              statement: String, scriptHash: String, modelHash: String, perSample: [SampleRecord]) {
    self.model = model; self.arch = arch; self.attack = attack; self.params = params; self.dataset = dataset
    self.split = split; self.samples = samples; self.asr = asr; self.l2PerPixel = l2PerPixel; self.seed = seed
    self.queries = queries; self.wallSeconds = wallSeconds; self.statement = statement; self.scriptHash = scriptHash
    self.modelHash = modelHash; self.perSample = perSample
  }

  enum CodingKeys: String, CodingKey {
    case model, arch, attack, params, dataset, split, samples, asr, seed, queries, statement
    case l2PerPixel = "l2_per_pixel", wallSeconds = "wall_seconds", scriptHash = "script_hash"
    case modelHash = "model_hash", perSample = "per_sample"
  }

  /// Parameters as `key=value`, sorted by key.
  public var paramText: String {
    params.keys.sorted().map { "\($0)=\(params[$0]!)" }.joined(separator: " ")
  }
}

/// Everything one script (or REPL session) produced.
public struct Report: Codable, Sendable, Equatable {
  public var tool: String
  public var version: String
  public var script: String?
  public var scriptHash: String
  public var models: [ModelRecord]
  public var results: [AttackRecord]

  public init(tool: String, version: String, script: String?, scriptHash: String, models: [ModelRecord], results: [AttackRecord]) {
    self.tool = tool; self.version = version; self.script = script; self.scriptHash = scriptHash
    self.models = models; self.results = results
  }

  enum CodingKeys: String, CodingKey {
    case tool, version, script, models, results
    case scriptHash = "script_hash"
  }

  /// Clean accuracy of the latest `evaluate` of `model`, if any.
  public func cleanAccuracy(of model: String) -> Double? {
    models.last { $0.name == model }?.cleanAccuracy
  }
}
