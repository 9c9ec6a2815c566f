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
    /// `seed N`
    case seed(Expr)
    /// `load DATASET [from "PATH"] [key=value ...]`
    case load(dataset: Name, path: Expr?, arguments: [NamedArgument])
    /// `model NAME = train ARCH [from MODEL] [key=value ...]`; `source` is MODEL, whose matching
    /// weights start the training.
    case train(model: Name, architecture: Name, source: Name?, arguments: [NamedArgument])
    /// `evaluate NAME`
    case evaluate(model: Name)
    /// `attack ATTACK [key=value ...] on NAME [key=value ...]`; `arguments` holds both lists in
    /// source order.
    case attack(attack: Name, arguments: [NamedArgument], model: Name)
    /// `for VAR in [LIST] { ... }`
    case forLoop(variable: Name, values: [Expr], valuesRange: SourceRange, body: [Statement])
    /// `report [FORMAT] [to "FILE"]`
    case report(format: Name?, path: Expr?)
    /// `model NAME = load "FILE" as ARCH [key=value ...]`
    case loadModel(model: Name, path: Expr, architecture: Name, arguments: [NamedArgument])
    /// `save NAME to "FILE"`
    case save(model: Name, path: Expr)
    /// `set policy of NAME = single | average(N)`; `passes` is N.
    case setPolicy(model: Name, policy: Name, passes: Expr?)
    /// `transfer ATTACK [key=value ...] from SOURCE to TARGET[, TARGET ...] [key=value ...]`;
    /// `arguments` holds every `key=value` in source order.
    case transfer(attack: Name, arguments: [NamedArgument], source: Name, targets: [Name])
    /// `model NAME = surrogate ARCH of ORACLE [key=value ...]`
    case surrogate(model: Name, architecture: Name, oracle: Name, arguments: [NamedArgument])
    /// `model NAME = mixture MODEL, MODEL[, MODEL ...] [key=value ...]`
    case mixture(model: Name, members: [Name], arguments: [NamedArgument])
    /// `plot FIGURE [of MODEL, ...] [key=value ...] [to "FILE"]`
    case plot(figure: Name, models: [Name], arguments: [NamedArgument], path: Expr?)
    /// `save adversarials [of MODEL] to "FILE"`; without `of`, those of the latest attack.
    case saveAdversarials(model: Name?, path: Expr)
    /// A statement that did not parse (its error is already reported). When it began
    /// `model NAME =`, `definesModel` holds the name so later uses of it are not reported again.
    case invalid(definesModel: Name?)
  }
}
