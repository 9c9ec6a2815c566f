import AdvSpec
import AdvNN
import Foundation

/// The units of independent work in a checked script, for `adv plan`, `adv run --shard` and
/// `adv merge`.
///
/// - a **model** unit makes a model (`model … = train`, `= surrogate`, `= mixture`, `= load`);
/// - a **result** unit computes records (`evaluate`, `attack`, `transfer`);
/// - a **figure**, **report** or **output** unit (`plot`; `report`; `save`, `save adversarials`)
///   turns records into files, and only `adv merge` runs it.
///
/// `seed`, `load DATASET` and `set policy` are state, not units: every unit carries the state in
/// force where it stands (its key hashes the data set statement, the seed and the policies of the
/// models it uses), and a shard runs the state steps before the units it runs.
///
/// Dependencies: a unit needs the model units of the models it names (a surrogate its oracle, a
/// mixture its members, `train … from` its source); a figure needs every result before it; a
/// report every result and figure before it; `save adversarials` the attack whose images it saves.
///
/// A unit's key is the SHA-256 of its kind, its statement with loop values written exactly, that
/// context and the keys of its dependencies, and its occurrence among units with all of these
/// equal: the same on every machine and every run of the script, and unchanged by edits to
/// statements it does not depend on. Model and result units are assigned to shard
/// `1 + key mod N` (`shard(of:count:)`).
public struct WorkUnit: Sendable, Equatable {
  public enum Kind: String, Sendable, Codable {
    case model, result, figure, report, output
  }

  public let kind: Kind
  public let key: String
  /// The index of its step in the plan.
  public let step: Int
  public let statement: String
  public let line: Int
  /// The indices (in `WorkUnits.units`) of the units it needs.
  public let dependencies: [Int]
  /// The model a model unit defines.
  public let model: String?

  /// Whether shards run it (`figure`, `report` and `output` units are for `adv merge`).
  public var isSharded: Bool { kind == .model || kind == .result }

  /// The shard (1...count) that runs the unit: the key's first 64 bits modulo `count`, plus one.
  public func shard(of count: Int) -> Int {
    Int(UInt64(key.prefix(16), radix: 16).map { $0 % UInt64(max(count, 1)) } ?? 0) + 1
  }
}

/// The units of a plan, and which step is which.
public struct WorkUnits: Sendable {
  public let units: [WorkUnit]
  /// For each step of the plan, the index of its unit; nil for a state step.
  public let unitOfStep: [Int?]
  /// For each step, how many `evaluate` steps come before it (the counter that gives each
  /// evaluation its random stream, as an uninterrupted run has it there).
  public let evaluationsBefore: [UInt64]

  static let format = "adv-unit/1"

  /// The units of `plan`; `seed` is `--seed` (it overrides every `seed` statement).
  public init(plan: Plan, seed seedOverride: UInt64? = nil) {
    var units: [WorkUnit] = []
    var unitOfStep: [Int?] = []
    var evaluationsBefore: [UInt64] = []
    var evaluations: UInt64 = 0
    var seed: UInt64 = seedOverride ?? 0
    var data = "-"
    var modelUnit: [String: Int] = [:]
    var policies: [String: [String]] = [:]
    var occurrences: [String: Int] = [:]
    var lastAttackOn: [String: Int] = [:]
    var lastAttack: Int? = nil

    /// The model units `names` need, and those these need, for the policy context.
    func closure(_ names: [String]) -> [String] {
      var seen: [String] = []
      var pending = names
      while let name = pending.popLast() {
        guard !seen.contains(name) else { continue }
        seen.append(name)
        if let u = modelUnit[name] {
          pending += units[u].dependencies.compactMap { units[$0].model }
        }
      }
      return seen.sorted()
    }

    for (index, planned) in plan.enumerated() {
      evaluationsBefore.append(evaluations)
      let traits = planned.step.traits
      switch traits.effect {
      case .seed(let s)?: if seedOverride == nil { seed = s }
      case .data?: data = planned.scriptText
      case .policy(let name)?: policies[name, default: []].append(planned.scriptText)
      case nil: break
      }
      let kind = WorkUnit.Kind(rawValue: traits.kind.rawValue)
      let needs = traits.needs
      let defines = traits.defines
      var extra: [Int] = []
      if traits.drawsEvaluation { evaluations += 1 }
      switch traits.kind {
      case .figure: extra = units.indices.filter { units[$0].kind == .result }
      case .report: extra = units.indices.filter { units[$0].kind == .result || units[$0].kind == .figure }
      default: break
      }
      if let saved = traits.savesAttackOf, let u = saved.flatMap({ lastAttackOn[$0] }) ?? (saved == nil ? lastAttack : nil) {
        extra = [u]
      }
      guard let kind else {
        unitOfStep.append(nil)
        continue
      }
      let dependencies = Array(Set(needs.compactMap { modelUnit[$0] } + extra)).sorted()
      let used = closure(needs)
      let context = [
        Self.format, kind.rawValue, planned.scriptText, "data=" + data, "seed=" + String(seed),
        "policies=" + used.map { "\($0):" + (policies[$0] ?? []).joined(separator: ";") }.joined(separator: ","),
        "needs=" + dependencies.map { units[$0].key }.joined(separator: ","),
      ].joined(separator: "|")
      let occurrence = occurrences[context, default: 0]
      occurrences[context] = occurrence + 1
      let unit = WorkUnit(kind: kind, key: sha256(context + "|#" + String(occurrence)), step: index,
                          statement: planned.text, line: planned.range.start.line, dependencies: dependencies,
                          model: defines)
      unitOfStep.append(units.count)
      if let defines {
        modelUnit[defines] = units.count
        policies[defines] = []
      }
      if let name = traits.attacks {
        lastAttackOn[name] = units.count
        lastAttack = units.count
      }
      units.append(unit)
    }
    self.units = units
    self.unitOfStep = unitOfStep
    self.evaluationsBefore = evaluationsBefore
  }

  /// `units[i]` and every unit it needs, directly or not.
  public func closure(of indices: some Sequence<Int>) -> Set<Int> {
    var out = Set<Int>()
    var pending = Array(indices)
    while let u = pending.popLast() {
      guard out.insert(u).inserted else { continue }
      pending += units[u].dependencies
    }
    return out
  }

  /// One line per unit: kind, key prefix, line, statement and the key prefixes it needs
  /// (with `shards`, the shard that runs it, or `merge`).
  public func rendered(shards: Int? = nil) -> String {
    let width = units.map(\.statement.count).max() ?? 0
    return units.map { u in
      let needs = u.dependencies.isEmpty ? "-" : u.dependencies.map { String(units[$0].key.prefix(8)) }.joined(separator: ",")
      var line = u.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0) + String(u.key.prefix(8))
      if let shards { line += "  " + (u.isSharded ? "\(u.shard(of: shards))/\(shards)" : "merge").padding(toLength: 7, withPad: " ", startingAt: 0) }
      line += "  line " + String(u.line).padding(toLength: 4, withPad: " ", startingAt: 0)
      line += u.statement.padding(toLength: width, withPad: " ", startingAt: 0) + "  needs " + needs
      return line
    }.joined(separator: "\n")
  }

  /// The `--json` form: `{"script", "units": [{"kind", "key", "step", "line", "statement",
  /// "model", "depends_on", "shard"}]}`; `shard` only with `shards` (null for merge's units).
  public func json(script: String, shards: Int? = nil) -> String {
    struct Entry: Encodable {
      let kind: WorkUnit.Kind
      let key: String
      let step: Int
      let line: Int
      let statement: String
      let model: String?
      let dependsOn: [String]
      let shard: Int?
      let shards: Int?
      enum CodingKeys: String, CodingKey {
        case kind, key, step, line, statement, model, shard, shards
        case dependsOn = "depends_on"
      }
      func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(key, forKey: .key)
        try c.encode(step, forKey: .step)
        try c.encode(line, forKey: .line)
        try c.encode(statement, forKey: .statement)
        try c.encode(model, forKey: .model)
        try c.encode(dependsOn, forKey: .dependsOn)
        if shards != nil { try c.encode(shard, forKey: .shard) }
      }
    }
    struct Document: Encodable {
      let script: String
      let units: [Entry]
    }
    let entries = units.map { u in
      Entry(kind: u.kind, key: u.key, step: u.step, line: u.line, statement: u.statement, model: u.model,
            dependsOn: u.dependencies.map { units[$0].key }, shard: shards.flatMap { u.isSharded ? u.shard(of: $0) : nil },
            shards: shards)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    do {
      return String(decoding: try encoder.encode(Document(script: script, units: entries)), as: UTF8.self)
    } catch {
      preconditionFailure("the plan holds only strings and numbers: \(error)")
    }
  }
}
