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

  /// One statement, or nil for `.invalid`. A statement of a pattern is printed by walking its
  /// form's pattern (`SyntaxPattern`) with what its slots held: parts in declared order, groups
  /// and optional parts only when their slots are filled.
  public static func statement(_ s: Statement, indent: String = "") -> String? {
    switch s.kind {
    case .form(let id, let slots):
      guard let form = Statements.form(id) else { return nil }
      return indent + parts(form.pattern.parts, slots).joined(separator: " ")
    case .forLoop(let variable, let values, _, let body):
      return indent + "for \(variable) in " + list(values) + " {\n" + script(body, indent: indent + "  ") + indent + "}"
    case .setPolicy(let model, let policy, let passes):
      return indent + "set policy of \(model) = \(policy)" + (passes.map { "(" + expression($0) + ")" } ?? "")
    case .invalid:
      return nil
    }
  }

  static func parts(_ parts: [SyntaxPart], _ slots: Slots) -> [String] {
    parts.flatMap { part -> [String] in
      switch part {
      case .word(let w): return [w]
      case .slot(let slot):
        if let names = slots.names[slot.key] { return [names.map(\.text).joined(separator: ", ")] }
        return slots.values[slot.key].map { [expression($0)] } ?? []
      case .arguments: return slots.arguments.map { "\($0.name)=" + expression($0.value) }
      case .optional(let inner): return filled(inner, slots) ? self.parts(inner, slots) : []
      case .anyOrder(let groups):
        return groups.flatMap { g in g.isArguments || filled(g.parts, slots) ? self.parts(g.parts, slots) : [] }
      case .opaque: return []
      }
    }
  }

  static func filled(_ parts: [SyntaxPart], _ slots: Slots) -> Bool {
    SyntaxPattern(parts: parts).slots.contains { slots.names[$0.key] != nil || slots.values[$0.key] != nil }
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
    case .form(let id, let slots):
      let filled = slots.names.keys.sorted().map { "\($0):" + names(slots.names[$0]!) }
        + slots.values.keys.sorted().map { "\($0):" + structure(slots.values[$0]!) }
      return "(\(id) \(filled.joined(separator: " ")) \(args(slots.arguments)))"
    case .forLoop(let v, let values, _, let body):
      return "(for \(v) [\(values.map(structure).joined(separator: " "))] \(body.map(structure).joined(separator: " ")))"
    case .setPolicy(let m, let p, let n): return "(policy \(m) \(p) \(opt(n)))"
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
