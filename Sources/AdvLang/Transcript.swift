import AdvTensor

/// The statements that succeeded in a session, in order, as a script that reproduces it
/// (what `:save` writes).
///
/// A statement whose steps all ran is kept as the user wrote it. A `for` loop stopped part way
/// (a run-time error or Ctrl-C in a later iteration) is kept as the steps that did run, each
/// written out with every parameter explicit and reals in full precision, so the saved script
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
          statements += ran.map { scriptText(of: $0.step) }
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

/// A step as a statement that checks back to the same step: every parameter written out,
/// reals in their shortest exact form (`0.03137254901960784`, not `0.0313725`).
public func scriptText(of step: PlanStep) -> String {
  switch step {
  case .seed(let s):
    return "seed \(s)"
  case .load(let dataset, let path, let params):
    return (["load", dataset.name] + (path.map { ["from", quoted($0)] } ?? []) + arguments(params, of: dataset))
      .joined(separator: " ")
  case .train(let model, let architecture, let params, let source):
    return (["model", model, "=", "train", architecture.name] + (source.map { ["from", $0] } ?? [])
            + arguments(params, of: architecture)).joined(separator: " ")
  case .evaluate(let model):
    return "evaluate \(model)"
  case .attack(let attack, let params, let model):
    return (["attack", attack.name] + arguments(params, of: attack) + ["on", model]).joined(separator: " ")
  case .report(let format, let path):
    return (["report", format.rawValue] + (path.map { ["to", quoted($0)] } ?? [])).joined(separator: " ")
  case .loadModel(let model, let path, let architecture, let params):
    return (["model", model, "=", "load", quoted(path), "as", architecture.name] + arguments(params, of: architecture))
      .joined(separator: " ")
  case .save(let model, let path):
    return "save \(model) to \(quoted(path))"
  case .setPolicy(let model, let policy):
    switch policy {
    case .single: return "set policy of \(model) = single"
    case .average(let n): return "set policy of \(model) = average(\(n))"
    }
  case .transfer(let attack, let params, let source, let targets):
    return (["transfer", attack.name] + arguments(params, of: attack, extra: params) + ["from", source, "to", targets.joined(separator: ", ")])
      .joined(separator: " ")
  case .surrogate(let model, let architecture, let params, let oracle):
    return (["model", model, "=", "surrogate", architecture.name, "of", oracle] + arguments(params, of: architecture, extra: params))
      .joined(separator: " ")
  case .mixture(let model, let members, let settings, let params):
    return (["model", model, "=", "mixture", members.joined(separator: ", ")] + arguments(params, of: settings)).joined(separator: " ")
  }
}

/// `name=value` for every parameter, in declaration order; with `extra`, also its parameters
/// that `spec` does not declare (a transfer's or surrogate's settings), sorted by name.
func arguments(_ params: Params, of spec: ComponentSpec, extra: Params? = nil) -> [String] {
  let declared = spec.params.compactMap { param in
    params[param.name].map { "\(param.name)=\(literal($0))" }
  }
  let names = Set(spec.params.map(\.name))
  let others = (extra?.values ?? [:]).filter { !names.contains($0.key) }.sorted { $0.key < $1.key }
  return declared + others.map { "\($0.key)=\(literal($0.value))" }
}

/// A parameter value as a script literal that evaluates back to exactly that value.
func literal(_ value: ParamValue) -> String {
  switch value {
  // Swift's description is the shortest text that reads back to the same Double.
  case .real(let d): return "\(d)"
  case .int(let i): return String(i)
  case .bool(let b): return b ? "true" : "false"
  case .string(let s):
    let isWord = s.first.map { $0.isLetter || $0 == "_" } == true && s.allSatisfy { Lexer.isIdentifierCharacter($0) || $0 == "-" }
    return isWord ? s : quoted(s)
  }
}

func quoted(_ s: String) -> String { ScriptValue.string(s).description }
