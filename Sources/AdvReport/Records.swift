/// Result records: what every `evaluate` and `attack` statement produced, in the shape reports
/// and `results.json` carry. Plain values; the session fills them, the renderers read them.
///
/// JSON keys are snake_case. Optional values are written as `null` rather than left out
/// (`@NullEncoded`), so every record has the same keys (a CSV or data-frame reader sees one set
/// of columns); keys added after files were written read as empty when missing (`@DefaultEmpty`).

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
  @NullEncoded public var trainSeconds: Double?
  public var modelHash: String
  /// The statement's source text, e.g. `evaluate r18`.
  public var statement: String
  /// The architecture's declared defaults (for the data set) of the parameters in `params`, so a
  /// report can show only what the script changed; empty in records written before it existed.
  @DefaultEmpty public var defaults: [String: ReportValue]

  public init(name: String, arch: String, dataset: String, params: [String: ReportValue], cleanAccuracy: Double,
              samples: Int, policy: String, seed: UInt64, trainSeconds: Double?, modelHash: String, statement: String,
              defaults: [String: ReportValue] = [:]) {
    self.name = name; self.arch = arch; self.dataset = dataset; self.params = params
    self.cleanAccuracy = cleanAccuracy; self.samples = samples; self.policy = policy; self.seed = seed
    self.trainSeconds = trainSeconds; self.modelHash = modelHash; self.statement = statement; self.defaults = defaults
  }

  enum CodingKeys: String, CodingKey {
    case name, arch, dataset, params, cleanAccuracy = "clean_accuracy", samples, policy, seed
    case trainSeconds = "train_seconds", modelHash = "model_hash", statement, defaults
  }

  /// The parameters that differ from the declared defaults (all of them when none were recorded).
  public var changedParams: [String: ReportValue] {
    params.filter { key, value in defaults[key].map { $0.exact != value.exact } ?? true }
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
  @NullEncoded public var l2PerPixel: Double?
  /// Model queries (predictions) the attack made, launches not included.
  public var queries: Int
  /// Gradient evaluations the attack made.
  public var gradients: Int
  /// The returned image's label under the target's policy, beside the true `label`: the majority
  /// answer of the launches on a stochastic target (ties to the smallest class), the re-check's
  /// answer on a deterministic one; `nil` when nothing was returned.
  @NullEncoded public var adversarialLabel: Int?

  public init(index: Int, label: Int, returned: Bool, success: Double, l2PerPixel: Double?, queries: Int, gradients: Int,
              adversarialLabel: Int? = nil) {
    self.index = index; self.label = label; self.returned = returned; self.success = success
    self.l2PerPixel = l2PerPixel; self.queries = queries; self.gradients = gradients
    self.adversarialLabel = adversarialLabel
  }

  enum CodingKeys: String, CodingKey {
    case index, label, returned, success, l2PerPixel = "l2_per_pixel", queries, gradients
    case adversarialLabel = "adversarial_label"
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
  @DefaultEmpty public var defaults: [String: ReportValue]
  /// The inference policy the target answered under during this attack: `deterministic`,
  /// `single` or `average(n)`; empty when unknown (a report written before policies were recorded).
  @DefaultEmpty public var policy: String
  public var dataset: String
  /// `test` for every experiment of the paper.
  public var split: String
  /// Number of samples attacked (correctly classified ones only, attacks.md §1.1).
  public var samples: Int
  /// Mean of the per-sample successes, in [0, 1]; NaN when `samples` is 0.
  public var asr: Double
  /// Mean of `d_i` over the samples that returned an image, unscaled (tables print it ×1000);
  /// `nil` when none did, printed "-".
  @NullEncoded public var l2PerPixel: Double?
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
    case model, arch, attack, params, defaults, policy, dataset, split, samples, asr, l2PerPixel = "l2_per_pixel", seed
    case queries, wallSeconds = "wall_seconds", statement, scriptHash = "script_hash", modelHash = "model_hash"
    case perSample = "per_sample"
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
  @NullEncoded public var script: String?
  /// SHA-256 of the script text (empty in the REPL).
  public var scriptHash: String
  public var models: [ModelRecord]
  public var results: [AttackRecord]
  // Files written before surrogates, transfers, figures and inputs existed have none.
  @DefaultEmpty public var surrogates: [SurrogateRecord]
  @DefaultEmpty public var transfers: [TransferRecord]
  /// The figures `plot` wrote.
  @DefaultEmpty public var figures: [FigureRecord]
  /// The paths the script read, in the order it first read them.
  @DefaultEmpty public var inputs: [InputRecord]

  public init(tool: String = "adv", version: String, script: String?, scriptHash: String,
              models: [ModelRecord] = [], results: [AttackRecord] = [], surrogates: [SurrogateRecord] = [],
              transfers: [TransferRecord] = [], figures: [FigureRecord] = [], inputs: [InputRecord] = []) {
    self.tool = tool; self.version = version; self.script = script; self.scriptHash = scriptHash
    self.models = models; self.results = results; self.surrogates = surrogates; self.transfers = transfers
    self.figures = figures
    self.inputs = inputs
  }

  enum CodingKeys: String, CodingKey {
    case tool, version, script, scriptHash = "script_hash", models, results, surrogates, transfers, figures, inputs
  }

  /// Clean accuracy of the model an attack ran on: the latest `evaluate` with the same name
  /// and model hash, so a name redefined later in a loop never lends its accuracy to an
  /// earlier model. `nil` when that model was never evaluated.
  public func cleanAccuracy(for result: AttackRecord) -> Double? {
    models.last { $0.name == result.model && $0.modelHash == result.modelHash }?.cleanAccuracy
  }
}
