import AdvSpec

/// What one executed step defines, for keeping a checker in line with a session that ran only
/// part of a plan (a run-time error or Ctrl-C after some steps).

extension Checker.Environment {
  /// What this environment defines that `earlier` did not (or defined otherwise): a newly loaded
  /// data set, and each model defined or redefined since, in order of first definition.
  func definitions(since earlier: Checker.Environment) -> [Definition] {
    var out: [Definition] = []
    if let dataset, dataset != earlier.dataset { out.append(.dataset(dataset)) }
    for name in modelNames {
      guard let architecture = models[name] else { continue }
      if earlier.models[name] != architecture || earlier.trainedOn[name] != trainedOn[name] {
        out.append(.model(name: name, architecture: architecture, dataset: trainedOn[name]))
      }
    }
    if attacked != earlier.attacked, let latest = attacked.last { out.append(.attacked(latest)) }
    for file in figureFiles.subtracting(earlier.figureFiles).sorted() { out.append(.figureFile(file)) }
    return out
  }

  /// What a check changed since a step was emitted: models defined (in order), whether an
  /// attack was noted, figure files named.
  struct Changes {
    var models: [String] = []
    var attacked = false
    var figureFiles: [String] = []
  }

  /// `definitions(since:)` from what the check recorded: only the changed names are compared,
  /// in constant time each.
  func definitions(since earlier: Checker.Environment, changes: Changes) -> [Definition] {
    var out: [Definition] = []
    if let dataset, dataset != earlier.dataset { out.append(.dataset(dataset)) }
    var seen = Set<String>()
    for name in changes.models where seen.insert(name).inserted {
      guard let architecture = models[name] else { continue }
      if earlier.models[name] != architecture || earlier.trainedOn[name] != trainedOn[name] {
        out.append(.model(name: name, architecture: architecture, dataset: trainedOn[name]))
      }
    }
    // An attack moves its model to the end of the list: the list changed unless it was last.
    if changes.attacked, let latest = attacked.last, earlier.attacked.last != latest { out.append(.attacked(latest)) }
    for file in Set(changes.figureFiles.filter { !earlier.figureFiles.contains($0) }).sorted() { out.append(.figureFile(file)) }
    return out
  }

  /// Records what a step defined, as its checker rule did when it emitted it. Replaying every
  /// step of a checked plan gives the environment the check ended with (a test holds the two
  /// together), so replaying only the steps that ran gives the environment of what the session
  /// really holds.
  public mutating func apply(_ planned: PlannedStep) {
    for definition in planned.defines {
      switch definition {
      case .dataset(let spec): dataset = spec
      case .model(let name, let architecture, let data): define(model: name, architecture: architecture, dataset: data)
      case .attacked(let name): noteAttack(on: name)
      case .figureFile(let file): noteFigureFile(file)
      }
    }
  }
}

extension Checker {
  /// A checker that knows what `steps`, executed after this checker's environment, define.
  public func replaying(_ steps: some Sequence<PlannedStep>) -> Checker {
    var environment = self.environment
    for planned in steps { environment.apply(planned) }
    return Checker(vocabulary: vocabulary, environment: environment, files: files)
  }
}
