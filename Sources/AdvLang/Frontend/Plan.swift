import AdvSpec

/// What a checked script asks the engine to do: fully resolved steps, loops unrolled,
/// expressions evaluated, every parameter validated and every default filled in.

/// One thing to do.
public enum PlanStep: Sendable, Equatable {
  case seed(UInt64)
  case load(dataset: ComponentSpec, path: String?, params: Params)
  case train(model: String, architecture: ComponentSpec, params: Params, source: String? = nil)
  case evaluate(model: String)
  case attack(attack: ComponentSpec, params: Params, model: String)
  case report(format: ReportFormat, path: String?)
  case loadModel(model: String, path: String, architecture: ComponentSpec, params: Params)
  case save(model: String, path: String)
  case setPolicy(model: String, policy: InferencePolicy)
  /// `params` holds the attack's parameters and the transfer settings.
  case transfer(attack: ComponentSpec, params: Params, source: String, targets: [String])
  /// `params` holds the architecture's parameters (with the surrogate's training defaults) and the
  /// surrogate settings.
  case surrogate(model: String, architecture: ComponentSpec, params: Params, oracle: String)
  /// `settings` is the `mixture` declaration, which the checker files the model under.
  case mixture(model: String, members: [String], settings: ComponentSpec, params: Params)
  /// `models` is empty when a results figure draws every result; `path` has the figure's extension.
  case plot(figure: FigureSpec, models: [String], params: Params, path: String)
  /// `model` nil: the adversarials of the latest attack or transfer.
  case saveAdversarials(model: String?, path: String)
}

/// A step with the statement it came from.
public struct PlannedStep: Sendable, Equatable {
  public let step: PlanStep
  /// The statement's range (inside a loop, the same for every iteration).
  public let range: SourceRange
  /// The statement as written, with white space normalised and loop variables replaced by
  /// their values: `attack bim eps=0.0313725 on net samples=100`.
  public let text: String
  /// The same with loop values written exactly (`eps=0.03137254901960784`): a statement that
  /// checks back to this very step, for scripts that replay what ran (`:save`).
  public let scriptText: String
  /// What the step defines for later statements (the data set it loads, the model it makes),
  /// as its checker rule recorded it: a session that ran only some steps replays these.
  public let defines: [Definition]

  public init(step: PlanStep, range: SourceRange, text: String, scriptText: String? = nil, defines: [Definition] = []) {
    self.step = step
    self.range = range
    self.text = text
    self.scriptText = scriptText ?? text
    self.defines = defines
  }
}

/// A name a step makes known to the statements after it.
public enum Definition: Sendable, Equatable {
  /// The data set now loaded.
  case dataset(ComponentSpec)
  /// A model, filed under its declaration and the data set it is trained on.
  case model(name: String, architecture: ComponentSpec, dataset: ComponentSpec?)
  /// A model attacked (its adversarials can now be shown and saved).
  case attacked(String)
  /// A default figure file handed out.
  case figureFile(String)
}

/// A checked script.
public typealias Plan = [PlannedStep]
