import AdvLang

/// A canonical printer of the syntax tree: one statement per line, one space between words,
/// spaces around binary operators, parentheses only where precedence needs them, strings
/// re-escaped. Parsing what it prints gives the same tree (ranges aside); the fuzzers check
/// that on every statement they meet.
///
/// `structure` prints the same tree with every node explicit (`(- 1 (* 2 3))`), to compare
/// trees without their ranges.
public enum ScriptPrinter {
  /// The statements, one a line (a loop's body indented on the lines between its braces).
  /// Statements that did not parse (`.invalid`) are left out.
  public static func script(_ statements: [Statement], indent: String = "") -> String {
    statements.compactMap { statement($0, indent: indent) }.map { $0 + "\n" }.joined()
  }

  /// One statement, or nil for `.invalid`.
  public static func statement(_ s: Statement, indent: String = "") -> String? {
    func args(_ arguments: [NamedArgument]) -> String {
      arguments.map { " \($0.name)=" + expression($0.value) }.joined()
    }
    func names(_ list: [Name]) -> String { list.map(\.text).joined(separator: ", ") }
    let text: String
    switch s.kind {
    case .seed(let value):
      text = "seed " + expression(value)
    case .load(let dataset, let path, let arguments):
      text = "load \(dataset)" + (path.map { " from " + expression($0) } ?? "") + args(arguments)
    case .train(let model, let architecture, let source, let arguments):
      text = "model \(model) = train \(architecture)" + (source.map { " from \($0)" } ?? "") + args(arguments)
    case .evaluate(let model):
      text = "evaluate \(model)"
    case .attack(let attack, let arguments, let model):
      text = "attack \(attack)" + args(arguments) + " on \(model)"
    case .forLoop(let variable, let values, _, let body):
      return indent + "for \(variable) in " + list(values) + " {\n" + script(body, indent: indent + "  ") + indent + "}"
    case .report(let format, let path):
      text = "report" + (format.map { " \($0)" } ?? "") + (path.map { " to " + expression($0) } ?? "")
    case .loadModel(let model, let path, let architecture, let arguments):
      text = "model \(model) = load " + expression(path) + " as \(architecture)" + args(arguments)
    case .save(let model, let path):
      text = "save \(model) to " + expression(path)
    case .setPolicy(let model, let policy, let passes):
      text = "set policy of \(model) = \(policy)" + (passes.map { "(" + expression($0) + ")" } ?? "")
    case .transfer(let attack, let arguments, let source, let targets):
      text = "transfer \(attack)" + args(arguments) + " from \(source) to " + names(targets)
    case .surrogate(let model, let architecture, let oracle, let arguments):
      text = "model \(model) = surrogate \(architecture) of \(oracle)" + args(arguments)
    case .mixture(let model, let members, let arguments):
      text = "model \(model) = mixture " + names(members) + args(arguments)
    case .plot(let figure, let models, let arguments, let path):
      text = "plot \(figure)" + (models.isEmpty ? "" : " of " + names(models)) + args(arguments)
        + (path.map { " to " + expression($0) } ?? "")
    case .saveAdversarials(let model, let path):
      text = "save adversarials" + (model.map { " of \($0)" } ?? "") + " to " + expression(path)
    case .invalid:
      return nil
    }
    return indent + text
  }

  static func list(_ items: [Expr]) -> String { "[" + items.map(expression).joined(separator: ", ") + "]" }

  /// Binding strength: `+ -` 1, `* /` 2, signs 3, everything else 4.
  static func precedence(_ e: Expr) -> Int {
    switch e {
    case .binary(let op, _, _, _): return op == .add || op == .subtract ? 1 : 2
    case .unary: return 3
    case .number, .string, .identifier, .list: return 4
    }
  }

  /// An expression with the fewest parentheses that parse back to it: operators are
  /// left-associative, so a right operand of equal strength is parenthesised.
  public static func expression(_ e: Expr) -> String {
    switch e {
    case .number(let text, _): return text
    case .string(let value, _): return quoted(value)
    case .identifier(let name, _): return name
    case .list(let items, _): return list(items)
    case .unary(let op, let operand, _):
      let inner = expression(operand)
      return op.rawValue + (precedence(operand) < 3 ? "(" + inner + ")" : inner)
    case .binary(let op, let lhs, let rhs, _):
      let p = precedence(e)
      let left = precedence(lhs) < p ? "(" + expression(lhs) + ")" : expression(lhs)
      let right = precedence(rhs) <= p ? "(" + expression(rhs) + ")" : expression(rhs)
      return left + " " + op.rawValue + " " + right
    }
  }

  /// A string literal that the lexer reads back to `value`.
  public static func quoted(_ value: String) -> String {
    var out = "\""
    for c in value {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default: out.append(c)
      }
    }
    return out + "\""
  }

  /// The tree with every node explicit and no ranges, for comparing trees.
  public static func structure(_ statements: [Statement]) -> String {
    statements.map(structure).joined(separator: "\n")
  }

  static func structure(_ s: Statement) -> String {
    func args(_ arguments: [NamedArgument]) -> String {
      "{" + arguments.map { "\($0.name)=" + structure($0.value) }.joined(separator: " ") + "}"
    }
    func opt(_ e: Expr?) -> String { e.map(structure) ?? "nil" }
    func names(_ list: [Name]) -> String { "<" + list.map(\.text).joined(separator: " ") + ">" }
    switch s.kind {
    case .seed(let v): return "(seed \(structure(v)))"
    case .load(let d, let p, let a): return "(load \(d) \(opt(p)) \(args(a)))"
    case .train(let m, let a, let s, let g): return "(train \(m) \(a) \(s?.text ?? "nil") \(args(g)))"
    case .evaluate(let m): return "(evaluate \(m))"
    case .attack(let a, let g, let m): return "(attack \(a) \(args(g)) \(m))"
    case .forLoop(let v, let values, _, let body):
      return "(for \(v) [\(values.map(structure).joined(separator: " "))] \(body.map(structure).joined(separator: " ")))"
    case .report(let f, let p): return "(report \(f?.text ?? "nil") \(opt(p)))"
    case .loadModel(let m, let p, let a, let g): return "(loadmodel \(m) \(structure(p)) \(a) \(args(g)))"
    case .save(let m, let p): return "(save \(m) \(structure(p)))"
    case .setPolicy(let m, let p, let n): return "(policy \(m) \(p) \(opt(n)))"
    case .transfer(let a, let g, let s, let t): return "(transfer \(a) \(args(g)) \(s) \(names(t)))"
    case .surrogate(let m, let a, let o, let g): return "(surrogate \(m) \(a) \(o) \(args(g)))"
    case .mixture(let m, let members, let g): return "(mixture \(m) \(names(members)) \(args(g)))"
    case .plot(let f, let models, let g, let p): return "(plot \(f) \(names(models)) \(args(g)) \(opt(p)))"
    case .saveAdversarials(let m, let p): return "(saveadv \(m?.text ?? "nil") \(structure(p)))"
    case .invalid(let m): return "(invalid \(m?.text ?? "nil"))"
    }
  }

  static func structure(_ e: Expr) -> String {
    switch e {
    case .number(let t, _): return "#" + t
    case .string(let v, _): return quoted(v)
    case .identifier(let n, _): return n
    case .unary(let op, let x, _): return "(\(op.rawValue)1 \(structure(x)))"
    case .binary(let op, let a, let b, _): return "(\(op.rawValue) \(structure(a)) \(structure(b)))"
    case .list(let items, _): return "[" + items.map(structure).joined(separator: " ") + "]"
    }
  }

  /// The statements without those that did not parse, at every depth: what `script` prints.
  public static func valid(_ statements: [Statement]) -> [Statement] {
    statements.compactMap { s in
      switch s.kind {
      case .invalid: return nil
      case .forLoop(let v, let values, let range, let body):
        return Statement(.forLoop(variable: v, values: values, valuesRange: range, body: valid(body)), range: s.range)
      default: return s
      }
    }
  }
}
