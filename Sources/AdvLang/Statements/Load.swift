import AdvSpec

/// `load DATASET [from "PATH"] [key=value ...]`
extension Statements {
  static let load = StatementSpec(
    name: "load",
    forms: [StatementForm("load", SyntaxPattern(
      .word("load"), .slot(.component(.dataset, "dataset", "DATASET")),
      .anyOrder([.optional(.word("from"), .slot(.path(placeholder: "\"PATH\"", expected: "a path in double quotes"))),
                 .arguments(ArgumentSource(slot: "dataset"))]))) { pass, statement, slots in
      pass.loadAttempted = true
      guard let name = slots.name("dataset") else { return }
      let dataset = pass.component(.dataset, name)
      let pathExpr = slots.value("path")
      let path = pathExpr.flatMap { pass.string($0, expected: "a path in double quotes after 'from'") }
      let params = pass.parameters(slots.arguments, of: dataset, dataset: dataset)
      guard let dataset else { return }
      pass.environment.dataset = dataset
      if pathExpr == nil || path != nil, pass.checkDataSource(dataset, name, path, pathExpr), let params {
        pass.emit(LoadStep(dataset: dataset, path: path, params: params), for: statement)
      }
    }],
    doc: "load a data set: the embedded copy, or the files in PATH",
    details: { v in
      let files = v.datasets.compactMap { d in d.files.map { "`\(d.name)`: \($0.contents)" } }.joined(separator: "; ")
      let needFrom = v.datasets.filter { $0.files?.embedded == false }.map(\.name)
      return "It replaces any data set loaded before; models trained earlier keep theirs. `from` and the "
        + "parameters may come in any order. The data sets: " + codeList(v.datasets.map(\.name)) + ". "
        + "PATH is a directory, relative to the working directory, holding the files the data set's reader "
        + "opens (" + files + "); the checker looks for them before anything runs. "
        + (needFrom.isEmpty ? "" : codeList(needFrom) + " have no embedded copy and need `from`. ")
        + "`results.json` lists the directory and its files under `inputs`."
    },
    examples: ["load mnist from \"data/mnist\" train=1000"], names: .dataset)
}

public struct LoadStep: Step, Equatable {
  public let dataset: ComponentSpec
  public let path: String?
  public let params: Params


  public var traits: StepTraits { StepTraits(.state, effect: .data) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.load(dataset, path: path, params: params, statement: planned.text)
  }
}
