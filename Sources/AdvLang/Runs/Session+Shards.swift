import AdvAttacks
import AdvNN
import AdvSpec
import Foundation

/// What a session does in a sharded run (`adv run --shard I/N`) or its merge (`adv merge`).
final class ShardRole {
  enum Mode {
    /// Shard `index` of `count`.
    case shard(index: Int, count: Int)
    /// `partial`: merge what finished even when units are missing.
    case merge(partial: Bool)
  }

  let mode: Mode
  let units: WorkUnits
  let store: UnitStore
  /// Where a failed unit's error goes (stderr).
  let errors: (String) -> Void
  /// The script file, for the place of a failed statement.
  let file: String

  /// A shard's own units, those of them that finished before it started, and what it must run:
  /// its unfinished units and the models they need.
  private(set) var owned = Set<Int>()
  private(set) var finishedBefore = Set<Int>()
  private(set) var needed = Set<Int>()

  /// What happened, for the summary.
  var ran = 0
  var failed = Set<Int>()
  /// In a merge: units without a finished entry.
  var missing: [Int] = []
  var replayed = 0

  init(mode: Mode, units: WorkUnits, store: UnitStore, file: String, errors: @escaping (String) -> Void) {
    self.mode = mode
    self.units = units
    self.store = store
    self.file = file
    self.errors = errors
    if case .shard(let index, let count) = mode {
      owned = Set(units.units.indices.filter { units.units[$0].isSharded && units.units[$0].shard(of: count) == index })
      finishedBefore = owned.filter { store.isFinished(units.units[$0]) }
      needed = units.closure(of: owned.subtracting(finishedBefore))
    }
  }

  /// Shards leave `results.json` to the merge.
  var writesResults: Bool {
    if case .merge = mode { return true }
    return false
  }

  /// The sharded units without a finished entry, with why when a shard said.
  func unfinished() -> [(WorkUnit, String)] {
    units.units.filter(\.isSharded).compactMap { unit in
      switch store.entry(unit) {
      case .success?: return nil
      case .failure(let error)?: return (unit, "unreadable: \(error)")
      case nil: return (unit, store.failure(of: unit).map { "failed: \($0.error)" } ?? "not run")
      }
    }
  }
}

extension Session {
  /// Step `index` in a shard or a merge: state steps run; a unit runs, is skipped, or (in a
  /// merge) is replayed from its entry.
  func performSharded(_ planned: PlannedStep, index: Int, role: ShardRole) throws {
    guard let u = role.units.unitOfStep[index] else {
      // A policy of a model this shard does not make.
      if case .policy(let name)? = planned.step.traits.effect, models[name] == nil { return }
      return try execute(planned)
    }
    switch role.mode {
    case .shard:
      try performInShard(planned, index: index, unit: u, role: role)
    case .merge(let partial):
      try performInMerge(planned, unit: u, role: role, partial: partial)
    }
  }

  private func performInShard(_ planned: PlannedStep, index: Int, unit u: Int, role: ShardRole) throws {
    let unit = role.units.units[u]
    guard unit.isSharded else { return }
    guard role.needed.contains(u) else {
      if let name = unit.model { models[name] = nil }
      if role.finishedBefore.contains(u) { output.print("finished earlier: \(planned.text)") }
      return
    }
    let recording = role.owned.contains(u) && !role.finishedBefore.contains(u)
    do {
      if let dependency = unit.dependencies.first(where: role.failed.contains) {
        throw RuntimeError(message: "it needs '\(role.units.units[dependency].statement)', which failed")
      }
      evaluations = role.units.evaluationsBefore[index]
      guard recording else { return try execute(planned) }
      let (entry, images) = try executeCapturing(planned, index: index, key: unit.key)
      try role.store.record(entry, of: unit, adversarials: images)
      role.ran += 1
    } catch let error as Interrupted {
      throw error
    } catch {
      let message = "\(role.file):\(planned.range.start.line):\(planned.range.start.column): error: \(error)"
      role.errors(message + "\n")
      role.failed.insert(u)
      if let name = unit.model { models[name] = nil }
      if role.owned.contains(u) { role.store.recordFailure(of: unit, message) }
    }
  }

  private func performInMerge(_ planned: PlannedStep, unit u: Int, role: ShardRole, partial: Bool) throws {
    let unit = role.units.units[u]
    guard unit.isSharded else {
      // `save adversarials` of a missing attack would save an earlier attack's images.
      if planned.step.traits.savesAttackOf != nil, unit.dependencies.contains(where: role.missing.contains) {
        output.warn("'\(planned.text)' skipped: the attack it saves has not finished")
        return
      }
      return try execute(planned)
    }
    guard case .success(let (found, images))?  = role.store.entry(unit) else {
      role.missing.append(u)
      // Later steps still need the model's name, data set and policy.
      if unit.model != nil {
        let (shown, records) = (output, report)
        output.print = { _ in }
        defer { (output, report) = (shown, records) }
        try execute(planned)
      }
      return
    }
    var entry = found
    role.replayed += 1
    // The shard that evaluated may have taken the model from the cache; the time is its training's.
    if let evaluate = planned.step as? EvaluateStep, let seconds = models[evaluate.model]?.trainSeconds {
      for i in entry.models.indices { entry.models[i].trainSeconds = seconds }
    }
    if planned.step.traits.rebuiltOnMerge {
      try execute(planned)
    } else {
      if let name = unit.model { weightless.remove(name) }
      let attacked = lastAttacked
      try replay(planned, entry, images: images)
      // A shard's session saw other attacks than this run has before this step.
      if planned.step.traits.attacks == nil { lastAttacked = attacked }
    }
  }

  /// Throws when `name` is a merge's untrained stand-in for a model not in the cache.
  func requireWeights(_ name: String) throws {
    guard weightless.contains(name) else { return }
    throw RuntimeError(message: "the weights of '\(name)' are not in the model cache '\(modelLookup?.directory ?? "-")'; "
      + "merge with the cache the shards used ('ADV_CACHE')")
  }
}
