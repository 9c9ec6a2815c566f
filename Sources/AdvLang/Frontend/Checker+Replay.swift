import AdvTensor

/// What one executed step defines, for keeping a checker in line with a session that ran only
/// part of a plan (a run-time error or Ctrl-C after some steps).

extension Checker.Environment {
  /// Records what `step` defines, as the statement's checker rule does when it emits the step:
  /// `load` makes its data set current, `train` and `load … as` define a model trained on the
  /// current data set. Steps that define nothing leave the environment as it is.
  ///
  /// Replaying every step of a checked plan gives the environment the check ended with (a test
  /// holds the two together), so replaying only the steps that ran gives the environment of
  /// what the session really holds.
  public mutating func apply(_ step: PlanStep) {
    // No `default`: a new kind of step must decide here whether it defines a name.
    switch step {
    case .load(let dataset, _, _):
      self.dataset = dataset
    case .train(let model, let architecture, _, _), .loadModel(let model, _, let architecture, _):
      define(model: model, architecture: architecture, dataset: dataset)
    case .surrogate(let model, let architecture, _, let oracle):
      define(model: model, architecture: architecture, dataset: trainedOn[oracle])
    case .mixture(let model, let members, let settings, _):
      define(model: model, architecture: settings, dataset: members.first.flatMap { trainedOn[$0] })
    case .seed, .evaluate, .attack, .report, .save, .setPolicy, .transfer:
      break
    }
  }
}

extension Checker {
  /// A checker that knows what `steps`, executed after this checker's environment, define.
  public func replaying(_ steps: some Sequence<PlannedStep>) -> Checker {
    var environment = self.environment
    for planned in steps { environment.apply(planned.step) }
    return Checker(vocabulary: vocabulary, environment: environment)
  }
}
