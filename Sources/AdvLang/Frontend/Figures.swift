import AdvSpec

/// The figures `plot` draws, declared once: name, settings with their defaults, which models the
/// statement names after `of`, and the kind of file it writes. The checker, `:help`, completion
/// and grammar.md read these; `Session+Figures.swift` draws them.

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

  public let spec: ComponentSpec
  public let models: Models
  public let file: FileKind
  /// The paper's figures it draws: "Fig. 4(a, b)".
  public let paper: String

  public var name: String { spec.name }

  /// The syntax line: `plot tsne of MODEL [key=value ...] [to "FILE.svg"]`.
  public var usage: String {
    let of = models == .one ? " of MODEL" : " [of MODEL, ...]"
    return "plot \(name)\(of) [key=value ...] [to \"FILE.\(file.rawValue)\"]"
  }
}

/// The registry of figures.
public enum Figures {
  /// The fields results are grouped by in bar, curve and box charts.
  public static let fields = ["model", "attack", "source", "dataset", "policy", "arch"]

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
    let results = ParamSpec.choice(
      "results", default: "all", options: ["all", "attacks", "transfers"],
      doc: "which results: white-box attacks, transfers (a transfer's ASR is its transfer rate per target), or both")
    return [
      FigureSpec(
        spec: ComponentSpec(
          kind: .figure, name: "bars",
          doc: "grouped bars of ASR (or mean L2) per model and attack, from the results so far (paper, Figs. 1-3)",
          params: [
            .choice("metric", default: "asr", options: ["asr", "l2"], doc: "ASR in [0, 1], or mean L2 per pixel x1000"),
            .choice("groups", default: "model", options: fields + ["model_attack"],
                    doc: "what the bar groups on the x axis are (model_attack: one group per model and attack)"),
            .choice("series", default: "attack", options: fields, doc: "what the bars within a group are (one colour each)"),
            results,
          ]),
        models: .filter, file: .svg, paper: "Figs. 1-3"),
      FigureSpec(
        spec: ComponentSpec(
          kind: .figure, name: "curve",
          doc: "ASR (solid, left axis) and mean L2 per pixel x1000 (dashed, right axis) against a swept attack parameter (paper, Fig. 5)",
          params: [
            .choice("x", default: "auto", options: ["auto"] + swept,
                    doc: "the attack parameter on the x axis; auto: the one numeric parameter that differs between the results"),
            .choice("lines", default: "model", options: fields, doc: "one pair of lines per value of this field"),
            .choice("scale", default: "auto", options: ["auto", "linear", "log"],
                    doc: "the x axis; auto: logarithmic when the values span more than a factor of 50"),
            results,
          ]),
        models: .filter, file: .svg, paper: "Fig. 5"),
      FigureSpec(
        spec: ComponentSpec(
          kind: .figure, name: "box",
          doc: "box plots of per-result ASR and mean L2 per pixel x1000, one box per value of a field (paper, Fig. 6: single vs average policy)",
          params: [
            .choice("by", default: "policy", options: fields, doc: "one box per value of this field"),
            results,
          ]),
        models: .filter, file: .svg, paper: "Fig. 6"),
      FigureSpec(
        spec: ComponentSpec(
          kind: .figure, name: "tsne",
          doc: "t-SNE of a model's logits on training images, coloured by class (paper, Fig. 4(a, b))",
          params: [
            .int("samples", default: 1000, range: 10...5000, doc: "training images embedded, stratified by class"),
            .real("perplexity", default: 30, range: 2...100, doc: "the effective number of neighbours (must stay below samples/3)"),
            .int("iterations", default: 1000, range: 250...10_000, doc: "gradient steps (the first 250 with early exaggeration 12)"),
            .choice("split", default: "train", options: ["train", "test"], doc: "the images embedded (paper: training images)"),
          ]),
        models: .one, file: .svg, paper: "Fig. 4(a, b)"),
      FigureSpec(
        spec: ComponentSpec(
          kind: .figure, name: "decision",
          doc: "predicted class on the plane through three test images; for a stochastic model the prediction variance fades the colour (paper, Fig. 4(c, d))",
          params: [
            .reals("around", default: [0, 1, 2], range: 0...1_000_000,
                   doc: "the three test images that span the plane, x1 + a (x2 - x1) + b (x3 - x1), by their index in the data set's test file (as results.json's per_sample index)"),
            .int("grid", default: 100, range: 10...400, doc: "grid points per axis"),
            .real("lo", default: -0.5, range: -10...10, doc: "the smallest plane coordinate a, b"),
            .real("hi", default: 1.5, range: -10...10, doc: "the largest plane coordinate a, b"),
            .int("passes", default: 100, range: 1...1000,
                 doc: "single stochastic passes per grid point (majority label and its variance); ignored by a deterministic model"),
            .real("gamma", default: 0.3, range: 0.01...10, doc: "how the variance fades the colour: lower fades faster"),
          ]),
        models: .one, file: .png, paper: "Fig. 4(c, d)"),
      FigureSpec(
        spec: ComponentSpec(
          kind: .figure, name: "adversarials",
          doc: "image grid: rows models (and samples), columns the original and one adversarial per attack, the predicted label under each (paper, Fig. 7)",
          params: [
            .int("n", default: 4, range: 1...100, doc: "samples shown per model"),
            .int("scale", default: 3, range: 1...16, doc: "pixels per image pixel"),
          ]),
        models: .filter, file: .png, paper: "Fig. 7"),
    ]
  }
}
