import AdvSpec

/// The names a script may use: every registered architecture, attack and data set with its
/// declared parameters. The checker, `:help` and grammar.md's tables read only this, so the
/// front end never imports the engine; `Vocabulary.standard` (in `StandardVocabulary.swift`)
/// fills it from the engine's registries.
public struct Vocabulary: Sendable, Hashable {
  public let architectures: [ComponentSpec]
  public let attacks: [ComponentSpec]
  public let datasets: [ComponentSpec]
  /// The settings of `transfer`, `model … = surrogate` and `model … = mixture`, by name.
  public let procedures: [ComponentSpec]
  /// The figures `plot` draws, each with its settings.
  public let figures: [FigureSpec]

  public init(architectures: [ComponentSpec], attacks: [ComponentSpec], datasets: [ComponentSpec],
              procedures: [ComponentSpec] = [], figures: [FigureSpec] = []) {
    self.architectures = architectures
    self.attacks = attacks
    self.datasets = datasets
    self.procedures = procedures
    self.figures = figures
  }

  /// The declarations of one kind, in registry order.
  public func components(_ kind: ComponentKind) -> [ComponentSpec] {
    switch kind {
    case .architecture: return architectures
    case .attack: return attacks
    case .dataset: return datasets
    case .procedure: return procedures
    case .figure: return figures.map(\.spec)
    }
  }

  /// The component of `kind` that `spelling` names (case, `-` and `_` ignored; aliases count).
  public func component(_ kind: ComponentKind, named spelling: String) -> ComponentSpec? {
    components(kind).first { $0.matches(spelling) }
  }

  /// The figure `spelling` names, with what `plot` needs to know of it.
  public func figure(named spelling: String) -> FigureSpec? {
    figures.first { $0.spec.matches(spelling) }
  }

  /// Every spelling of `kind`: all canonical names first, then all aliases, so a suggestion
  /// prefers the canonical name when an alias is equally close.
  public func spellings(_ kind: ComponentKind) -> [String] {
    let specs = components(kind)
    return specs.map(\.name) + specs.flatMap(\.aliases)
  }

  /// Every component, architectures then attacks then data sets.
  public var allComponents: [ComponentSpec] { architectures + attacks + datasets + procedures + figures.map(\.spec) }
}

extension ComponentKind {
  /// How messages name the kind: "architecture", "attack", "data set".
  public var noun: String {
    switch self {
    case .architecture: return "architecture"
    case .attack: return "attack"
    case .dataset: return "data set"
    case .procedure: return "statement"
    case .figure: return "figure"
    }
  }

  /// The plural, for lists: "architectures", "attacks", "data sets".
  public var pluralNoun: String { noun + "s" }
}

extension ComponentSpec {
  /// A parameter's default as help and grammar.md show it: the declared default, then any
  /// data-set-specific defaults in data-set name order: `15 (cifar10: 30, pcam: 10)`.
  public func defaultDescription(of param: ParamSpec) -> String {
    let specific = datasetDefaults.keys.sorted().compactMap { dataset in
      datasetDefaults[dataset]?[param.name].map { "\(dataset): \($0)" }
    }
    let base = param.defaultValue.description
    return specific.isEmpty ? base : "\(base) (\(specific.joined(separator: ", ")))"
  }
}
