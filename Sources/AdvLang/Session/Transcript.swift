import AdvTensor

/// The statements that succeeded in a session, in order, as a script that reproduces it
/// (what `:save` writes).
///
/// A statement whose steps all ran is kept as the user wrote it. A `for` loop stopped part way
/// (a run-time error or Ctrl-C in a later iteration) is kept as the steps that did run, each
/// written as its statement with the loop values in place, reals exact, so the saved script
/// does exactly what ran. A statement that failed, or any after it in the same input, is left
/// out: it defined nothing.
public struct Transcript: Sendable, Equatable {
  /// The seed in effect when the transcript began.
  public let seed: UInt64
  /// The statements, each as one piece of script text (a block may span lines).
  public private(set) var statements: [String] = []

  public init(seed: UInt64) {
    self.seed = seed
  }

  /// Records the statements of `file` whose steps ran: the first `completed` of `steps`, the
  /// plan the file checked to.
  public mutating func record(_ file: SourceFile, steps: [PlannedStep], completed: Int) {
    let done = steps.prefix(max(0, min(completed, steps.count)))
    for statement in Parser.parse(file).statements {
      let range = statement.range
      let inside: (PlannedStep) -> Bool = {
        range.start.offset <= $0.range.start.offset && $0.range.end.offset <= range.end.offset
      }
      let total = steps.filter(inside).count
      let ran = done.filter(inside)
      if total > 0 && ran.count == total {
        statements.append(file.text(in: range))
      } else {
        if !ran.isEmpty {
          statements.append("# \(ran.count) of the \(total) steps of the loop at \(file.name):\(range.start) ran")
          statements += ran.map(\.scriptText)
        }
        // This statement is where the run stopped; nothing after it ran.
        if total > 0 { return }
      }
    }
  }

  /// The script: a header saying what it is, the seed in effect at the start, the statements.
  public var script: String {
    var out = "# an adv session: the statements that succeeded, in order; 'adv run' reproduces its models and results\n"
    if !(statements.first?.hasPrefix("seed ") ?? false) { out += "seed \(seed)\n" }
    for statement in statements { out += statement + "\n" }
    return out
  }
}
