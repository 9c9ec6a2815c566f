import AdvSpec

/// `report [FORMAT] [to "FILE"]`
extension Statements {
  static let report = StatementSpec(
    name: "report",
    forms: [StatementForm("report", SyntaxPattern(
      .word("report"),
      .optional([.slot(Slot("format", .choice(ReportFormat.allCases.map(\.rawValue)), ReportFormat.allCases.map(\.rawValue).joined(separator: "|"),
                            expected: "a format (" + ReportFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")"))]),
      .optional([.word("to"), .slot(.path())]))) { pass, statement, slots in
      let formatName = slots.name("format")
      let pathExpr = slots.value("path")
      let format = formatName.flatMap { pass.reportFormat($0) }
      let path = pass.path(slots, after: "to")
      guard (formatName == nil || format != nil) && (pathExpr == nil || path != nil) else { return }
      let resolved = format ?? path.flatMap(ReportFormat.implied(byPath:)) ?? .text
      if let file = path ?? resolved.defaultFile, !pass.checkOutput(file, by: "report", pathExpr, in: statement.range) { return }
      pass.emit(ReportStep(format: resolved, path: path), for: statement)
    }],
    doc: "print the results so far, or write them to FILE (format from its extension if not given)",
    details: { _ in
      "The format follows the file's extension if not given ("
        + ReportFormat.allCases.flatMap(\.extensions).map { "`.\($0)`" }.joined(separator: ", ")
        + "; otherwise text). A given format wins over the extension. `report html` writes one "
        + "self-contained page (`report.html` in the output directory unless `to` names another): the "
        + "script and its hash, the models, every table with the paper's values beside ours, the charts "
        + "the results allow, the figures drawn by `plot` and a grid of adversarials per attacked model."
    },
    examples: ["report markdown to \"results.md\"", "report html"])
}

public struct ReportStep: Step, Equatable {
  public let format: ReportFormat
  public let path: String?


  public var traits: StepTraits { StepTraits(.report, printsReport: path == nil && format.defaultFile == nil) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.writeReport(format, path: path)
  }
}
