import AdvSpec

/// `plot FIGURE [of MODEL, ...] [key=value ...] [to "FILE"]`
extension Statements {
  static let plot = StatementSpec(
    name: "plot",
    forms: [StatementForm("plot", SyntaxPattern(
      .word("plot"), .slot(.component(.figure, "figure", "FIGURE")),
      .anyOrder([.optional(.word("of"), .slot(.models("models"))),
                 .arguments(ArgumentSource(slot: "figure")),
                 .optional(.word("to"), .slot(.path(["svg", "png"])))]))) { pass, statement, slots in
      guard let figure = slots.name("figure") else { return }
      pass.checkPlot(figure, slots.list("models"), slots.arguments, slots.value("path"), statement)
    }],
    doc: "draw one of the paper's figures from the results so far (bars, curve, box) or from a model (tsne, decision, adversarials)",
    details: { v in
      let rows = v.figures.map { "| `\($0.name)` | \($0.paper) | `\($0.usage)` |" }.joined(separator: "\n")
      return """
        Charts are SVG, images PNG; `to` names the file (its extension must match), otherwise it is \
        `plot-FIGURE[-MODEL].svg` (or `.png`) in the output directory. A results figure (`bars`, \
        `curve`, `box`) draws the attack and transfer results so far, only those on the models after \
        `of` when it is given; `tsne` and `decision` draw one model; `adversarials` the latest attack \
        of each kind on each model. Every figure has a caption naming the data set, the samples, the \
        seed and the script, and is included in `report html`. Each figure's settings are in `:help FIGURE` and in the \
        tables under "Figures (`plot`)".

        | figure | paper | syntax |
        |---|---|---|
        \(rows)
        """
    },
    examples: ["attack bim eps=8/255 on net samples=10", "plot bars to \"asr.svg\"", "plot tsne of net samples=300 perplexity=20",
               "plot decision of net around=[0, 1, 2] grid=40", "plot adversarials of net n=2 to \"adv.png\""],
    names: .figure)
}

/// `models` is empty when a results figure draws every result; `path` has the figure's extension.
public struct PlotStep: Step, Equatable {
  public let figure: FigureSpec
  public let models: [String]
  public let params: Params
  public let path: String


  public var traits: StepTraits { StepTraits(.figure, needs: models) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.plot(figure, models: models, params: params, path: path, statement: planned.text)
  }
}
