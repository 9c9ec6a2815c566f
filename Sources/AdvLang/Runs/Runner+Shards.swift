import AdvNN
import AdvSpec
import Foundation

/// `adv plan`, `adv run --shard I/N` and `adv merge`: a script's units of work (`WorkUnits`) run
/// on several machines and merged into what one run of the script gives.
extension Runner {
  /// The checked plan of `text`, or nil after printing the diagnostics.
  static func checkedPlan(_ path: String, text: String, rules: FileRules?) -> Plan? {
    var checker = Checker(vocabulary: .standard, files: rules)
    let source = SourceFile(name: path, text: text)
    switch checker.check(source) {
    case .failure(let failure):
      standardError(failure.rendered(in: source))
      return nil
    case .success(let steps):
      return steps
    }
  }

  /// `adv plan FILE`: the units, one a line (or JSON), with the shard of each when `shards` is given.
  public static func planScript(_ path: String, json: Bool, shards: Int?, seed: UInt64?, outputDirectory: String? = nil) -> Int32 {
    guard let text = readScriptOrReport(path) else { return ExitStatus.unreadableScript }
    let rules = FileRules(outputDirectory: outputDirectory ?? defaultOutputDirectory(for: path), allowedWrites: [],
                          fileSystem: LocalFileSystem())
    guard let plan = checkedPlan(path, text: text, rules: rules) else { return ExitStatus.scriptError }
    let units = WorkUnits(plan: plan, seed: seed)
    print(json ? units.json(script: path, shards: shards) : units.rendered(shards: shards))
    return ExitStatus.success
  }

  /// `adv run FILE --shard I/N`: runs shard `index` of `count` into `outputDirectory`'s units.
  /// Exits 0 when every unit of the shard has finished (now or before).
  public static func runShard(_ path: String, index: Int, count: Int, outputDirectory: String?, allowedWrites: [String] = [],
                              seed: UInt64?, useCache: Bool) -> Int32 {
    guard let text = readScriptOrReport(path) else { return ExitStatus.unreadableScript }
    let outDir = outputDirectory ?? defaultOutputDirectory(for: path)
    let cache = useCache ? ModelCache() : nil
    let session = Session(scriptName: path, scriptText: text, outputDirectory: outDir, cache: cache, seedOverride: seed,
                          allowedWrites: allowedWrites)
    guard let rules = session.files, outputDirectoryIsWritable(rules) else { return ExitStatus.scriptError }
    guard let plan = checkedPlan(path, text: text, rules: rules) else { return ExitStatus.scriptError }
    let store = UnitStore(outputDirectory: outDir, identity: RunIdentity(
      version: advVersion, script: path, scriptHash: session.report.scriptHash, scriptText: text, seed: seed))
    do {
      try store.claim()
    } catch {
      standardError("error: \(error)\n")
      return ExitStatus.usage
    }
    removeStaleTemporaryFiles(in: store.directory, depth: 1)
    cache?.removeStaleTemporaryFiles()
    let role = ShardRole(mode: .shard(index: index, count: count), units: WorkUnits(plan: plan, seed: seed), store: store,
                         file: path, errors: standardError)
    session.shard = role
    installInterruptRequest()
    let outcome = Runner(session: session).checkAndRun(SourceFile(name: path, text: text))
    if outcome == .interrupted {
      standardError("\ninterrupted; running shard \(index)/\(count) again continues it\n")
      return outcome.exitStatus
    }
    let done = role.finishedBefore.count
    print("shard \(index)/\(count): \(role.ran) units ran, \(done) had finished earlier, \(role.failed.intersection(role.owned).count) failed (\(role.owned.count) of the script's \(role.units.units.filter(\.isSharded).count) units are this shard's)")
    guard outcome == .completed else { return outcome.exitStatus }
    return role.failed.isEmpty ? ExitStatus.success : ExitStatus.runtimeError
  }

  /// `adv merge DIR [FILE]`: from the units the shards wrote under `directory`, writes the
  /// `results.json`, reports and figures that one run of the script gives. The script is the
  /// one the shards recorded, or `scriptPath` (which must be the same). Lists every unit that
  /// has not finished and, unless `partial`, then stops with a non-zero status.
  public static func merge(_ directory: String, script scriptPath: String?, partial: Bool, allowedWrites: [String] = [],
                           useCache: Bool) -> Int32 {
    let recorded: RunIdentity?
    do {
      recorded = try UnitStore.recordedIdentity(in: directory)
    } catch {
      standardError("error: cannot read the units in '\(directory)': \(error)\n")
      return ExitStatus.runtimeError
    }
    var identity: RunIdentity
    if let scriptPath {
      guard let text = readScriptOrReport(scriptPath) else { return ExitStatus.unreadableScript }
      identity = RunIdentity(version: advVersion, script: recorded?.script ?? scriptPath, scriptHash: sha256(text),
                             scriptText: text, seed: recorded?.seed)
      if let recorded {
        let differences = identity.differences(from: recorded)
        guard differences.isEmpty else {
          standardError("error: \(ShardRefusal(directory: directory, reasons: differences))\n")
          return ExitStatus.usage
        }
      }
    } else {
      guard let recorded else {
        standardError("error: '\(directory)' holds no units of a sharded run ('\(directory)/\(UnitStore.directoryName)/run.json'); give the output directory of 'adv run FILE --shard I/N --out DIR'\n")
        return ExitStatus.usage
      }
      identity = recorded
    }
    let path = identity.script, text = identity.scriptText
    let session = Session(scriptName: path, scriptText: text, outputDirectory: directory, cache: useCache ? ModelCache() : nil,
                          seedOverride: identity.seed, allowedWrites: allowedWrites)
    guard let rules = session.files, outputDirectoryIsWritable(rules) else { return ExitStatus.scriptError }
    guard let plan = checkedPlan(path, text: text, rules: rules) else { return ExitStatus.scriptError }
    let store = UnitStore(outputDirectory: directory, identity: identity)
    let role = ShardRole(mode: .merge(partial: partial), units: WorkUnits(plan: plan, seed: identity.seed), store: store,
                         file: path, errors: standardError)
    let unfinished = role.unfinished()
    if !unfinished.isEmpty {
      standardError("\(partial ? "warning" : "error"): \(unfinished.count) of \(role.units.units.filter(\.isSharded).count) units have not finished:\n")
      for (unit, why) in unfinished {
        standardError("  \(path):\(unit.line): \(unit.kind.rawValue) \(unit.key.prefix(8)) '\(unit.statement)': \(why)\n")
      }
      guard partial else {
        standardError("run their shards again ('adv run \(path) --shard I/N --out \(directory)'), or merge what finished with '--partial'\n")
        return ExitStatus.runtimeError
      }
    }
    session.shard = role
    session.trainsModels = false
    installInterruptRequest()
    let outcome = Runner(session: session).checkAndRun(SourceFile(name: path, text: text))
    guard outcome == .completed else { return outcome.exitStatus }
    session.saveResults()
    print("merged \(role.replayed) units into \(directory)/results.json" + (unfinished.isEmpty ? "" : "; \(unfinished.count) missing"))
    return ExitStatus.success
  }
}
