import AdvSpec

/// The figures `plot` draws, declared once: name, settings with their defaults, which models the
/// statement names after `of`, and the kind of file it writes. Each figure's file under
/// `Figures/` declares its settings as typed keys and builds its `FigureSpec` from them, beside
/// its drawing step; the checker, `:help`, completion and grammar.md read the specs, and
/// `Session.plot` draws a figure by its `FigureKind`.

/// One figure: the declaration of its settings plus what the `plot` statement needs to know.
public struct FigureSpec: Sendable, Hashable {
  /// How many models `of` names.
  public enum Models: Sendable, Hashable {
    /// `of MODEL, …` is optional and filters the results drawn (all when absent).
    case filter
    /// `of MODEL` is required: the figure is drawn from that model.
    case one
  }

  /// The file a figure writes.
  public enum FileKind: String, Sendable, Hashable {
    case svg, png
  }

  /// Which figure it is: what `Session.plot` draws.
  public let kind: FigureKind
  public let spec: ComponentSpec
  public let models: Models
  public let file: FileKind
  /// The paper's figures it draws: "Fig. 4(a, b)".
  public let paper: String

  /// A figure named by its kind, with its settings (`params`, built from its keys).
  public init(_ kind: FigureKind, doc: String, params: [ParamSpec], models: Models, file: FileKind, paper: String) {
    self.kind = kind
    self.spec = ComponentSpec(kind: .figure, name: kind.rawValue, doc: doc, params: params)
    self.models = models
    self.file = file
    self.paper = paper
  }

  public var name: String { spec.name }

  /// The syntax line: `plot tsne of MODEL [key=value ...] [to "FILE.svg"]`.
  public var usage: String {
    let of = models == .one ? " of MODEL" : " [of MODEL, ...]"
    return "plot \(name)\(of) [key=value ...] [to \"FILE.\(file.rawValue)\"]"
  }
}

/// The figures, one case each, its raw value the name a script writes. `Session.plot` switches
/// over them without `default`, so a figure cannot be declared without a drawing step.
public enum FigureKind: String, Sendable, Hashable, CaseIterable {
  case bars, curve, box, tsne, decision, adversarials
}

/// The registry of figures.
public enum Figures {
  /// The fields results are grouped by in bar, curve and box charts.
  public static let fields = ResultField.allCases.map(\.rawValue)

  /// The figures, given the attacks (a curve's x axis is one of their numeric parameters).
  public static func declarations(attacks: [ComponentSpec]) -> [FigureSpec] {
    var swept: [String] = []
    for attack in attacks {
      for p in attack.params {
        switch p.kind {
        case .real, .int: if !swept.contains(p.name) { swept.append(p.name) }
        case .choice, .bool, .reals: break
        }
      }
    }
    return [BarsFigure.declaration, CurveFigure.declaration(swept: swept), BoxFigure.declaration,
            TSNEFigure.declaration, DecisionFigure.declaration, AdversarialsFigure.declaration]
  }
}
