/// Result records: what every `evaluate` and `attack` statement produced, in the shape reports
/// and `results.json` carry. Plain values; the session fills them, the renderers read them.
///
/// JSON keys are snake_case. Optional values are written as `null` rather than left out, so
/// every record has the same keys (a CSV or data-frame reader sees one set of columns).

/// One `evaluate` statement: the clean accuracy of a model on its test split. A model evaluated
/// several times (say under `single`, then `average(10)`) has several records.
public struct ModelRecord: Codable, Sendable, Equatable {
  /// The script's name for the model (`r18`), unique at any moment in a session.
  public var name: String
  /// The architecture's registry name (`resnet18`, `bsn-l`).
  public var arch: String
  public var dataset: String
  /// The resolved training parameters, defaults included, typed as attack parameters are
  /// (`"epochs": 15`, `"optimizer": "adam"`, `"normalize": true`).
  public var params: [String: ReportValue]
  /// Fraction of `samples` test images classified correctly, in [0, 1].
  public var cleanAccuracy: Double
  /// Number of test images evaluated.
  public var samples: Int
  /// The inference policy: `deterministic`, `single` or `average(n)`.
  public var policy: String
  public var seed: UInt64
  /// Training time; `nil` for a model loaded from a file or the cache.
  public var trainSeconds: Double?
  public var modelHash: String
  /// The statement's source text, e.g. `evaluate r18`.
  public var statement: String
  /// The architecture's declared defaults (for the data set) of the parameters in `params`, so a
  /// report can show only what the script changed; empty in records written before it existed.
  public var defaults: [String: ReportValue]

  public init(name: String, arch: String, dataset: String, params: [String: ReportValue], cleanAccuracy: Double,
              samples: Int, policy: String, seed: UInt64, trainSeconds: Double?, modelHash: String, statement: String,
              defaults: [String: ReportValue] = [:]) {
    self.name = name; self.arch = arch; self.dataset = dataset; self.params = params
    self.cleanAccuracy = cleanAccuracy; self.samples = samples; self.policy = policy; self.seed = seed
    self.trainSeconds = trainSeconds; self.modelHash = modelHash; self.statement = statement; self.defaults = defaults
  }

  enum CodingKeys: String, CodingKey {
    case name, arch, dataset, params, samples, policy, seed, statement, defaults
    case cleanAccuracy = "clean_accuracy", trainSeconds = "train_seconds", modelHash = "model_hash"
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    arch = try c.decode(String.self, forKey: .arch)
    dataset = try c.decode(String.self, forKey: .dataset)
    params = try c.decode([String: ReportValue].self, forKey: .params)
    cleanAccuracy = try c.decode(Double.self, forKey: .cleanAccuracy)
    samples = try c.decode(Int.self, forKey: .samples)
    policy = try c.decode(String.self, forKey: .policy)
    seed = try c.decode(UInt64.self, forKey: .seed)
    trainSeconds = try c.decodeIfPresent(Double.self, forKey: .trainSeconds)
    modelHash = try c.decode(String.self, forKey: .modelHash)
    statement = try c.decode(String.self, forKey: .statement)
    defaults = try c.decodeIfPresent([String: ReportValue].self, forKey: .defaults) ?? [:]
  }

  /// The parameters that differ from the declared defaults (all of them when none were recorded).
  public var changedParams: [String: ReportValue] {
    params.filter { key, value in defaults[key].map { $0.exact != value.exact } ?? true }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(arch, forKey: .arch)
    try c.encode(dataset, forKey: .dataset)
    try c.encode(params, forKey: .params)
    try c.encode(cleanAccuracy, forKey: .cleanAccuracy)
    try c.encode(samples, forKey: .samples)
    try c.encode(policy, forKey: .policy)
    try c.encode(seed, forKey: .seed)
    try c.encode(trainSeconds, forKey: .trainSeconds)
    try c.encode(modelHash, forKey: .modelHash)
    try c.encode(statement, forKey: .statement)
    try c.encode(defaults, forKey: .defaults)
  }
}

/// One attacked sample (attacks.md §1.4).
public struct SampleRecord: Codable, Sendable, Equatable {
  /// Index into the test split.
  public var index: Int
  /// The true label.
  public var label: Int
  /// Whether the attack returned an image (some query was misclassified, attacks.md §0.1).
  public var returned: Bool
  /// `s_i` in [0, 1]: 0 or 1 on a deterministic target, the misclassified fraction of the
  /// launches on a stochastic one, 0 when nothing was returned (attacks.md §1.2).
  public var success: Double
  /// `d_i = ‖x_adv − x‖₂ / n` with n = C·H·W, unscaled; `nil` when nothing was returned.
  public var l2PerPixel: Double?
  /// Model queries (predictions) the attack made, launches not included.
  public var queries: Int
  /// Gradient evaluations the attack made.
  public var gradients: Int
  /// The returned image's label under the target's policy, beside the true `label`: the majority
  /// answer of the launches on a stochastic target (ties to the smallest class), the re-check's
  /// answer on a deterministic one; `nil` when nothing was returned.
  public var adversarialLabel: Int?

  public init(index: Int, label: Int, returned: Bool, success: Double, l2PerPixel: Double?, queries: Int, gradients: Int,
              adversarialLabel: Int? = nil) {
    self.index = index; self.label = label; self.returned = returned; self.success = success
    self.l2PerPixel = l2PerPixel; self.queries = queries; self.gradients = gradients
    self.adversarialLabel = adversarialLabel
  }

  enum CodingKeys: String, CodingKey {
    case index, label, returned, success, queries, gradients
    case l2PerPixel = "l2_per_pixel", adversarialLabel = "adversarial_label"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(index, forKey: .index)
    try c.encode(label, forKey: .label)
    try c.encode(returned, forKey: .returned)
    try c.encode(success, forKey: .success)
    try c.encode(l2PerPixel, forKey: .l2PerPixel)
    try c.encode(queries, forKey: .queries)
    try c.encode(gradients, forKey: .gradients)
    try c.encode(adversarialLabel, forKey: .adversarialLabel)
  }
}

/// One `attack` statement: ASR and mean L2 per pixel over its samples (attacks.md §1.2, §1.3).
public struct AttackRecord: Codable, Sendable, Equatable {
  /// The script's name for the attacked model.
  public var model: String
  public var arch: String
  /// The attack's registry name (`bim`, `cwl2`).
  public var attack: String
  /// The resolved attack parameters, defaults included.
  public var params: [String: ReportValue]
  /// The attack declaration's defaults (for the model's data set) of the parameters in `params`,
  /// so tables can show only what a script changed; empty when unknown (a report written before
  /// defaults were recorded), and then tables show every parameter.
  public var defaults: [String: ReportValue]
  /// The inference policy the target answered under during this attack: `deterministic`,
  /// `single` or `average(n)`; empty when unknown (a report written before policies were recorded).
  public var policy: String
  public var dataset: String
  /// `test` for every experiment of the paper.
  public var split: String
  /// Number of samples attacked (correctly classified ones only, attacks.md §1.1).
  public var samples: Int
  /// Mean of the per-sample successes, in [0, 1]; NaN when `samples` is 0.
  public var asr: Double
  /// Mean of `d_i` over the samples that returned an image, unscaled (tables print it ×1000);
  /// `nil` when none did, printed "-".
  public var l2PerPixel: Double?
  public var seed: UInt64
  /// Total model queries over all samples.
  public var queries: Int
  public var wallSeconds: Double
  /// The statement's source text, e.g. `attack bim eps=32/255 on r18`.
  public var statement: String
  public var scriptHash: String
  public var modelHash: String
  public var perSample: [SampleRecord]

  public init(model: String, arch: String, attack: String, params: [String: ReportValue], dataset: String, split: String,
              samples: Int, asr: Double, l2PerPixel: Double?, seed: UInt64, queries: Int, wallSeconds: Double,
              statement: String, scriptHash: String, modelHash: String, perSample: [SampleRecord],
              policy: String = "", defaults: [String: ReportValue] = [:]) {
    self.model = model; self.arch = arch; self.attack = attack; self.params = params; self.dataset = dataset
    self.split = split; self.samples = samples; self.asr = asr; self.l2PerPixel = l2PerPixel; self.seed = seed
    self.queries = queries; self.wallSeconds = wallSeconds; self.statement = statement; self.scriptHash = scriptHash
    self.modelHash = modelHash; self.perSample = perSample; self.policy = policy; self.defaults = defaults
  }

  enum CodingKeys: String, CodingKey {
    case model, arch, attack, params, defaults, policy, dataset, split, samples, asr, seed, queries, statement
    case l2PerPixel = "l2_per_pixel", wallSeconds = "wall_seconds", scriptHash = "script_hash"
    case modelHash = "model_hash", perSample = "per_sample"
  }

  /// Reads a record; one written before `defaults` and `policy` existed has them empty.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    model = try c.decode(String.self, forKey: .model)
    arch = try c.decode(String.self, forKey: .arch)
    attack = try c.decode(String.self, forKey: .attack)
    params = try c.decode([String: ReportValue].self, forKey: .params)
    defaults = try c.decodeIfPresent([String: ReportValue].self, forKey: .defaults) ?? [:]
    policy = try c.decodeIfPresent(String.self, forKey: .policy) ?? ""
    dataset = try c.decode(String.self, forKey: .dataset)
    split = try c.decode(String.self, forKey: .split)
    samples = try c.decode(Int.self, forKey: .samples)
    asr = try c.decode(Double.self, forKey: .asr)
    l2PerPixel = try c.decodeIfPresent(Double.self, forKey: .l2PerPixel)
    seed = try c.decode(UInt64.self, forKey: .seed)
    queries = try c.decode(Int.self, forKey: .queries)
    wallSeconds = try c.decode(Double.self, forKey: .wallSeconds)
    statement = try c.decode(String.self, forKey: .statement)
    scriptHash = try c.decode(String.self, forKey: .scriptHash)
    modelHash = try c.decode(String.self, forKey: .modelHash)
    perSample = try c.decode([SampleRecord].self, forKey: .perSample)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(model, forKey: .model)
    try c.encode(arch, forKey: .arch)
    try c.encode(attack, forKey: .attack)
    try c.encode(params, forKey: .params)
    try c.encode(defaults, forKey: .defaults)
    try c.encode(policy, forKey: .policy)
    try c.encode(dataset, forKey: .dataset)
    try c.encode(split, forKey: .split)
    try c.encode(samples, forKey: .samples)
    try c.encode(asr, forKey: .asr)
    try c.encode(l2PerPixel, forKey: .l2PerPixel)
    try c.encode(seed, forKey: .seed)
    try c.encode(queries, forKey: .queries)
    try c.encode(wallSeconds, forKey: .wallSeconds)
    try c.encode(statement, forKey: .statement)
    try c.encode(scriptHash, forKey: .scriptHash)
    try c.encode(modelHash, forKey: .modelHash)
    try c.encode(perSample, forKey: .perSample)
  }

  /// Parameters as `key=value` in their short form, sorted by key, `samples` left out:
  /// `eps=32/255 steps=100`.
  public var paramText: String { formatParams(params) }

  /// The parameters a table shows for this run: those that differ from the declaration's
  /// defaults (all of them when the defaults are unknown), less `launches` on a deterministic
  /// target, where it changes nothing.
  public var changedParams: Set<String> {
    Set(params.keys.filter { key in
      if key == "launches" && policy == "deterministic" { return false }
      return defaults[key].map { $0.exact != params[key]?.exact } ?? true
    })
  }
}

/// Everything one script (or REPL session) produced, in statement order.
public struct Report: Codable, Sendable, Equatable {
  /// Always `adv`.
  public var tool: String
  public var version: String
  /// The script's file name; `nil` in the REPL.
  public var script: String?
  /// SHA-256 of the script text (empty in the REPL).
  public var scriptHash: String
  public var models: [ModelRecord]
  public var results: [AttackRecord]
  public var surrogates: [SurrogateRecord]
  public var transfers: [TransferRecord]
  /// The figures `plot` wrote.
  public var figures: [FigureRecord]
  /// The paths the script read, in the order it first read them.
  public var inputs: [InputRecord]

  public init(tool: String = "adv", version: String, script: String?, scriptHash: String,
              models: [ModelRecord] = [], results: [AttackRecord] = [], surrogates: [SurrogateRecord] = [],
              transfers: [TransferRecord] = [], figures: [FigureRecord] = [], inputs: [InputRecord] = []) {
    self.tool = tool; self.version = version; self.script = script; self.scriptHash = scriptHash
    self.models = models; self.results = results; self.surrogates = surrogates; self.transfers = transfers
    self.figures = figures
    self.inputs = inputs
  }

  enum CodingKeys: String, CodingKey {
    case tool, version, script, models, results, surrogates, transfers, figures, inputs
    case scriptHash = "script_hash"
  }

  /// Reads a report; files written before surrogates and transfers existed have none.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    tool = try c.decode(String.self, forKey: .tool)
    version = try c.decode(String.self, forKey: .version)
    script = try c.decodeIfPresent(String.self, forKey: .script)
    scriptHash = try c.decode(String.self, forKey: .scriptHash)
    models = try c.decode([ModelRecord].self, forKey: .models)
    results = try c.decode([AttackRecord].self, forKey: .results)
    surrogates = try c.decodeIfPresent([SurrogateRecord].self, forKey: .surrogates) ?? []
    transfers = try c.decodeIfPresent([TransferRecord].self, forKey: .transfers) ?? []
    figures = try c.decodeIfPresent([FigureRecord].self, forKey: .figures) ?? []
    inputs = try c.decodeIfPresent([InputRecord].self, forKey: .inputs) ?? []
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(tool, forKey: .tool)
    try c.encode(version, forKey: .version)
    try c.encode(script, forKey: .script)
    try c.encode(scriptHash, forKey: .scriptHash)
    try c.encode(models, forKey: .models)
    try c.encode(results, forKey: .results)
    try c.encode(surrogates, forKey: .surrogates)
    try c.encode(transfers, forKey: .transfers)
    try c.encode(figures, forKey: .figures)
    try c.encode(inputs, forKey: .inputs)
  }

  /// Clean accuracy of the model an attack ran on: the latest `evaluate` with the same name
  /// and model hash, so a name redefined later in a loop never lends its accuracy to an
  /// earlier model. `nil` when that model was never evaluated.
  public func cleanAccuracy(for result: AttackRecord) -> Double? {
    models.last { $0.name == result.model && $0.modelHash == result.modelHash }?.cleanAccuracy
  }
}
