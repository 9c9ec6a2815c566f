/// Result records of the black-box half: surrogates and transfers (see Records.swift).

/// One `model NAME = surrogate ARCH of ORACLE` statement: how the substitute was trained from
/// the oracle's answers and how well it imitates it (attacks.md §7–§8).
public struct SurrogateRecord: Codable, Sendable, Equatable {
  public var name: String
  public var arch: String
  public var oracle: String
  public var dataset: String
  /// The resolved parameters (training and surrogate settings), typed.
  public var params: [String: ReportValue]
  /// Variance Mimicking's noisy copies per mini-batch (0: vanilla).
  public var vm: Int
  /// Oracle queries in all: labelling plus Variance Mimicking.
  public var queries: Int
  public var vmQueries: Int
  /// Training-set size of each round.
  public var roundSizes: [Int]
  /// Seed-set and evaluation-pool sizes (the test split, divided by `seed_split`).
  public var seedImages: Int
  public var poolImages: Int
  /// Fraction of the evaluation pool on which the surrogate's answer equals the oracle's.
  public var agreement: Double
  /// Training time; `nil` when the surrogate came from the cache.
  @NullEncoded public var trainSeconds: Double?
  public var modelHash: String
  public var statement: String

  public init(name: String, arch: String, oracle: String, dataset: String, params: [String: ReportValue], vm: Int,
              queries: Int, vmQueries: Int, roundSizes: [Int], seedImages: Int, poolImages: Int, agreement: Double,
              trainSeconds: Double?, modelHash: String, statement: String) {
    self.name = name; self.arch = arch; self.oracle = oracle; self.dataset = dataset; self.params = params
    self.vm = vm; self.queries = queries; self.vmQueries = vmQueries; self.roundSizes = roundSizes
    self.seedImages = seedImages; self.poolImages = poolImages; self.agreement = agreement
    self.trainSeconds = trainSeconds; self.modelHash = modelHash; self.statement = statement
  }

  enum CodingKeys: String, CodingKey {
    case name, arch, oracle, dataset, params, vm, queries, vmQueries = "vm_queries", roundSizes = "round_sizes"
    case seedImages = "seed_images", poolImages = "pool_images", agreement, trainSeconds = "train_seconds"
    case modelHash = "model_hash", statement
  }
}

/// One target of a `transfer` statement.
public struct TransferTargetRecord: Codable, Sendable, Equatable {
  public var model: String
  public var arch: String
  /// The target's identity (its cache key or content hash); empty when unknown (older reports).
  @DefaultEmpty public var modelHash: String
  /// The transfer rate: ASR of the kept adversarials on this target (attacks.md §6).
  public var asr: Double
  /// Queries to the target: one per kept adversarial and launch.
  public var queries: Int
  /// s_i per kept adversarial, in the order of the record's `perSample`.
  public var success: [Double]
  /// The target's label of each kept adversarial, in the same order: the majority answer of the
  /// launches on a stochastic target, its one answer on a deterministic one; empty in older reports.
  @DefaultEmpty public var adversarialLabels: [Int]

  public init(model: String, arch: String, asr: Double, queries: Int, success: [Double], modelHash: String = "",
              adversarialLabels: [Int] = []) {
    self.model = model; self.arch = arch; self.asr = asr; self.queries = queries; self.success = success
    self.modelHash = modelHash; self.adversarialLabels = adversarialLabels
  }

  enum CodingKeys: String, CodingKey {
    case model, arch, asr, queries, success
    case modelHash = "model_hash", adversarialLabels = "adversarial_labels"
  }
}

/// One `transfer` statement: adversarials crafted on a source and launched against targets.
public struct TransferRecord: Codable, Sendable, Equatable {
  public var source: String
  public var sourceArch: String
  /// The source's identity (its cache key or content hash); empty when unknown (older reports).
  @DefaultEmpty public var sourceHash: String
  public var attack: String
  /// The attack's parameters and the transfer settings, defaults included.
  public var params: [String: ReportValue]
  public var dataset: String
  /// `test`, or `pool` when the source is a surrogate (its evaluation pool).
  public var split: String
  /// Valid adversarials kept (at most the `samples` asked for).
  public var samples: Int
  public var requestedSamples: Int
  /// Samples attacked on the source to find them.
  public var attempted: Int
  /// Eligible samples (correct under the source and every target) among those examined.
  public var eligible: Int
  /// Samples of the split or pool examined for eligibility, in seeded order, as far as needed.
  public var examined: Int
  /// ASR of the attack on the source over every sample attacked.
  public var sourceASR: Double
  /// Mean L2 per pixel of the kept adversarials; nil when none was kept.
  @NullEncoded public var l2PerPixel: Double?
  /// Queries the attack made on the source.
  public var sourceQueries: Int
  public var targets: [TransferTargetRecord]
  public var seed: UInt64
  public var wallSeconds: Double
  public var statement: String
  public var scriptHash: String
  /// The kept adversarials on the source (`success` is the source's own score, `adversarialLabel`
  /// the source's answer in that check).
  public var perSample: [SampleRecord]

  public init(source: String, sourceArch: String, attack: String, params: [String: ReportValue], dataset: String,
              split: String, samples: Int, requestedSamples: Int, attempted: Int, eligible: Int, examined: Int, sourceASR: Double,
              l2PerPixel: Double?, sourceQueries: Int, targets: [TransferTargetRecord], seed: UInt64, wallSeconds: Double,
              statement: String, scriptHash: String, perSample: [SampleRecord], sourceHash: String = "") {
    self.sourceHash = sourceHash
    self.source = source; self.sourceArch = sourceArch; self.attack = attack; self.params = params
    self.dataset = dataset; self.split = split; self.samples = samples; self.requestedSamples = requestedSamples
    self.attempted = attempted; self.eligible = eligible; self.examined = examined; self.sourceASR = sourceASR; self.l2PerPixel = l2PerPixel
    self.sourceQueries = sourceQueries; self.targets = targets; self.seed = seed; self.wallSeconds = wallSeconds
    self.statement = statement; self.scriptHash = scriptHash; self.perSample = perSample
  }

  enum CodingKeys: String, CodingKey {
    case source, sourceArch = "source_arch", sourceHash = "source_hash", attack, params, dataset, split, samples
    case requestedSamples = "requested_samples", attempted, eligible, examined, sourceASR = "source_asr"
    case l2PerPixel = "l2_per_pixel", sourceQueries = "source_queries", targets, seed, wallSeconds = "wall_seconds"
    case statement, scriptHash = "script_hash", perSample = "per_sample"
  }

  /// Parameters in their short form: `eps=0.06275`.
  public var paramText: String { formatParams(params) }
}
