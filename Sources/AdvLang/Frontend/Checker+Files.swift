import AdvSpec

/// Checker rules for the paths a script reads and writes, asked of the file system through
/// `FileRules` before anything runs: a data directory holds its reader's files, a checkpoint
/// looks like safetensors, an output stays inside the output directory (or an `--allow-write`
/// path) and can be written there. Without `FileRules` only what the script itself says is
/// checked: a data set that is not embedded needs `from`.
extension CheckPass {
  /// `load DATASET [from "DIR"]`. True when nothing is wrong.
  mutating func checkDataSource(_ dataset: ComponentSpec, _ name: Name, _ path: String?, _ pathExpr: Expr?) -> Bool {
    guard let declared = dataset.files else { return true }
    guard let path, let pathExpr else {
      if declared.embedded { return true }
      error("'\(dataset.name)' is not embedded: 'load \(name.text)' needs 'from \"DIR\"'", at: name.range,
            hint: "write 'load \(name.text) from \"DIR\"' with a directory holding \(declared.contents)")
      return false
    }
    guard let files else { return true }
    return reportProblem(files.dataDirectoryProblem(path, dataset: dataset.name, files: declared), at: pathExpr)
  }

  /// `model NAME = load "FILE" as ARCH`: a checkpoint there, or one an earlier statement saves.
  mutating func checkCheckpoint(_ path: String, _ pathExpr: Expr) -> Bool {
    guard let files else { return true }
    return reportProblem(files.checkpointProblem(path, planned: Set(writes.keys)), at: pathExpr)
  }

  /// A file `keyword` writes: `pathExpr` is where the script names it (nil for a default name,
  /// then the statement is marked). Two statements writing one file get a warning.
  mutating func checkOutput(_ path: String, by keyword: String, _ pathExpr: Expr?, in statement: SourceRange) -> Bool {
    guard let files else { return true }
    let range = pathExpr?.range ?? statement
    guard reportProblem(files.writeProblem(path, by: keyword), at: pathExpr, or: statement) else { return false }
    let target = files.target(path)
    if let first = writes[target] {
      if first != statement {
        withContext(of: pathExpr?.identifiers ?? []) { pass in
          pass.warning("'\(path)' is written twice: the statement at \(first.start.line):\(first.start.column) writes it too, and this one replaces it",
                       at: range, hint: "give each statement its own file")
        }
      }
    } else {
      writes[target] = statement
    }
    return true
  }

  /// Reports `problem` at `pathExpr` (at `whole` when there is none); true when there is none.
  mutating func reportProblem(_ problem: FileRules.Problem?, at pathExpr: Expr?, or whole: SourceRange? = nil) -> Bool {
    guard let problem else { return true }
    guard let range = pathExpr?.range ?? whole else { return false }
    let start = range.start.offset, end = range.end.offset
    if syntaxErrors.contains(where: { start <= $0.start.offset && $0.start.offset <= end }) { return false }
    withContext(of: pathExpr?.identifiers ?? []) { pass in
      pass.error(problem.message, at: range, hint: problem.hint, notes: problem.notes)
    }
    return false
  }
}
