import AdvSpec

/// What a checked script asks the engine to do: fully resolved steps, loops unrolled,
/// expressions evaluated, every parameter validated and every default filled in.

/// One thing to do: a value of the statement's own step type (declared in its file under
/// `Statements/`), which carries the fully resolved arguments, the traits resumed and sharded
/// runs read, and the run step.
public protocol Step: Sendable {
  /// How runs, resumes, shards and merges treat the step.
  var traits: StepTraits { get }
  /// Runs the step in `session`; `planned` gives its statement's text and place.
  func run(in session: Session, _ planned: PlannedStep) throws
  /// Equality across step types (false for steps of different types).
  func isEqual(to other: any Step) -> Bool
}

extension Step where Self: Equatable {
  public func isEqual(to other: any Step) -> Bool { (other as? Self) == self }
}

/// What a step is, for everything that treats steps alike: work units (`adv plan`, shards),
/// `--resume`, merges and `adv submit`. A new statement declares these instead of teaching
/// five `switch`es its step.
public struct StepTraits: Sendable, Equatable {
  /// `state` steps (`seed`, `load`, `set policy`) are not units of work: every unit carries the
  /// state in force where it stands. The others are the units of `adv plan`.
  public enum Kind: String, Sendable {
    case state, model, result, figure, report, output
  }

  /// What a state step changes in the context of the units after it.
  public enum Effect: Sendable, Equatable {
    case seed(UInt64)
    case data
    case policy(of: String)
  }

  public var kind: Kind
  /// The model the step defines.
  public var defines: String?
  /// The models it reads.
  public var needs: [String]
  public var effect: Effect?
  /// The model whose adversarials the step keeps (an attack's target).
  public var attacks: String?
  /// Set for a step that saves an attack's images: the model (nil for the latest attack).
  public var savesAttackOf: String??
  /// Whether it draws the next evaluation's random stream (`evaluate`).
  public var drawsEvaluation: Bool
  /// A model step cheap enough that a merge runs it again instead of restoring it (`load`, `mixture`).
  public var rebuiltOnMerge: Bool
  /// A report printed to standard output: replayed as a report under `--quiet`.
  public var printsReport: Bool

  public init(_ kind: Kind, defines: String? = nil, needs: [String] = [], effect: Effect? = nil,
              attacks: String? = nil, savesAttackOf: String?? = nil, drawsEvaluation: Bool = false,
              rebuiltOnMerge: Bool = false, printsReport: Bool = false) {
    self.kind = kind
    self.defines = defines
    self.needs = needs
    self.effect = effect
    self.attacks = attacks
    self.savesAttackOf = savesAttackOf
    self.drawsEvaluation = drawsEvaluation
    self.rebuiltOnMerge = rebuiltOnMerge
    self.printsReport = printsReport
  }

  /// Whether a resumed run or a merge runs a finished step again (state and models, which later
  /// steps need in memory) rather than restoring what it recorded.
  public var runsAgainOnResume: Bool { kind == .state || kind == .model }
}

/// A step with the statement it came from.
public struct PlannedStep: Sendable, Equatable {
  public let step: any Step
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

  public static func == (a: PlannedStep, b: PlannedStep) -> Bool {
    a.step.isEqual(to: b.step) && a.range == b.range && a.text == b.text && a.scriptText == b.scriptText && a.defines == b.defines
  }

  public init(step: any Step, range: SourceRange, text: String, scriptText: String? = nil, defines: [Definition] = []) {
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

/// A step that compares by value, for comparing plans (`plan.map(\.comparable)`).
public struct ComparableStep: Equatable, CustomStringConvertible {
  public let step: any Step

  public init(_ step: any Step) { self.step = step }

  public static func == (a: ComparableStep, b: ComparableStep) -> Bool { a.step.isEqual(to: b.step) }
  public var description: String { "\(step)" }
}

extension PlannedStep {
  public var comparable: ComparableStep { ComparableStep(step) }
}
