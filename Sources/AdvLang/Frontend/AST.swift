import AdvSpec

/// The syntax tree of a script: statements and the expressions in them, each with its range,
/// so the checker can point at the exact name or value it refuses.

/// A name as written, with where it stands: `bim`, `net`, `bsn-l`.
public struct Name: Sendable, Hashable, CustomStringConvertible {
  public let text: String
  public let range: SourceRange

  public init(_ text: String, range: SourceRange) {
    self.text = text
    self.range = range
  }

  public var description: String { text }
}

public enum UnaryOperator: String, Sendable, Hashable {
  case negate = "-"
  case plus = "+"
}

public enum BinaryOperator: String, Sendable, Hashable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
}

/// A value as written. Evaluation (arithmetic, loop variables) is the checker's job.
public indirect enum Expr: Sendable, Hashable {
  /// A number literal, kept as spelled (`32`, `1e-3`, `1_000`) so the checker can read
  /// integers exactly and print the user's spelling back.
  case number(String, range: SourceRange)
  case string(String, range: SourceRange)
  /// A loop variable, `true`/`false`, or a bare word (a choice value such as `sgd`, or a name).
  case identifier(String, range: SourceRange)
  case unary(UnaryOperator, Expr, range: SourceRange)
  case binary(BinaryOperator, Expr, Expr, range: SourceRange)
  /// `[a, b, c]`; only valid after `for … in`.
  case list([Expr], range: SourceRange)

  public var range: SourceRange {
    switch self {
    case .number(_, let r), .string(_, let r), .identifier(_, let r), .unary(_, _, let r),
         .binary(_, _, _, let r), .list(_, let r):
      return r
    }
  }

  /// The identifiers used anywhere inside, in source order.
  public var identifiers: [Name] {
    switch self {
    case .number, .string: return []
    case .identifier(let s, let r): return [Name(s, range: r)]
    case .unary(_, let e, _): return e.identifiers
    case .binary(_, let a, let b, _): return a.identifiers + b.identifiers
    case .list(let items, _): return items.flatMap(\.identifiers)
    }
  }
}

/// `name=value` after a component name. (Not `Argument`: the `adv` executable imports this
/// module together with ArgumentParser, whose `@Argument` would become ambiguous.)
public struct NamedArgument: Sendable, Hashable {
  public let name: String
  /// `canonicalName(name)`, computed once: a loop checks an argument once per pass.
  public let key: String
  public let nameRange: SourceRange
  public let value: Expr
  /// From the name to the end of the value.
  public let range: SourceRange

  public init(name: String, nameRange: SourceRange, value: Expr) {
    self.name = name
    self.key = canonicalName(name)
    self.nameRange = nameRange
    self.value = value
    self.range = nameRange.union(value.range)
  }
}

/// One statement: what it says (`kind`) and where it stands (`range`, the whole statement,
/// keyword included).
public struct Statement: Sendable, Hashable {
  public let kind: Kind
  public let range: SourceRange

  public init(_ kind: Kind, range: SourceRange) {
    self.kind = kind
    self.range = range
  }

  public indirect enum Kind: Sendable, Hashable {
    /// A statement its pattern parsed: the form's id (`attack`, `model = train`) and what its
    /// slots held (`Frontend/Syntax/Pattern.swift`).
    case form(String, Slots)
    /// `for VAR in [LIST] { ... }`
    case forLoop(variable: Name, values: [Expr], valuesRange: SourceRange, body: [Statement])
    /// `set policy of NAME = single | average(N)`; `passes` is N.
    case setPolicy(model: Name, policy: Name, passes: Expr?)
    /// A statement that did not parse (its error is already reported). When it began
    /// `model NAME =`, `definesModel` holds the name so later uses of it are not reported again.
    case invalid(definesModel: Name?)
  }
}
