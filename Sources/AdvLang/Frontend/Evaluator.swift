import AdvSpec
import Foundation

/// Values of expressions, and their evaluation with loop variables bound.

/// What an expression evaluates to.
public enum ScriptValue: Sendable, Hashable, CustomStringConvertible {
  case int(Int)
  case real(Double)
  case string(String)
  /// A bare word that is not a bound variable: a choice value (`sgd`) or a name (`bim`).
  case word(String)
  case bool(Bool)
  /// A list, `[3, 1]`: a loop's values, or the value of a list parameter (`weights=[3, 1]`).
  case list([ScriptValue])

  /// As a parameter value; a word becomes a string (the declaration decides if that fits). A
  /// list has one when all its items are numbers (`ParamValue.reals`); nil otherwise.
  public var paramValue: ParamValue? {
    switch self {
    case .int(let i): return .int(i)
    case .real(let d): return .real(d)
    case .string(let s), .word(let s): return .string(s)
    case .bool(let b): return .bool(b)
    case .list(let items):
      let numbers = items.compactMap(\.number)
      return numbers.count == items.count ? .reals(numbers) : nil
    }
  }

  /// The value of a number; nil for anything else.
  public var number: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .real(let d): return d
    default: return nil
    }
  }

  /// As it would be written in a script: `3`, `0.0313725`, `"a.json"`, `sgd`, `true`, `[3, 1]`;
  /// cut after 200 characters with `…` (messages quote values, and a loop may check a long list
  /// many times).
  public var description: String { written(exact: false, limit: 200) }

  /// As it would be written in a script; with `exact`, reals in the shortest form that reads back
  /// to the same value (`0.03137254901960784`) instead of six significant digits. Past `limit`
  /// characters the text stops, ending in `…`.
  public func written(exact: Bool, limit: Int = .max) -> String {
    var out = ""
    write(into: &out, exact: exact, limit: limit)
    guard out.utf8.count > limit else { return out }
    return String(out.prefix(limit)) + "…"
  }

  /// Appends the written form, stopping once `out` is past `limit`.
  func write(into out: inout String, exact: Bool, limit: Int) {
    guard out.utf8.count <= limit else { return }
    switch self {
    case .int(let i): out += String(i)
    case .real(let d): out += exact ? "\(d)" : formatReal(d)
    case .string(let s):
      let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
      out += "\"\(escaped)\""
    case .word(let w): out += w
    case .bool(let b): out += b ? "true" : "false"
    case .list(let items):
      out += "["
      for (k, item) in items.enumerated() {
        if out.utf8.count > limit { return }
        if k > 0 { out += ", " }
        item.write(into: &out, exact: exact, limit: limit)
      }
      out += "]"
    }
  }
}

/// Evaluates expressions. Pure: it reads bindings and returns a value or the first error.
///
/// Arithmetic: `+ - *` of two integers stay integers (becoming reals on overflow); `/` always
/// gives a real (`32/255`); a real result that is not finite is an error. An identifier is its
/// loop variable's value, else `true`/`false`, else a `.word`; a word used as a number is an
/// unknown variable.
struct Evaluator {
  /// Loop variable lookup, innermost binding first.
  let lookup: (String) -> ScriptValue?
  /// Names of the visible loop variables, for suggestions.
  let variableNames: () -> [String]
  var variables: [String] { variableNames() }

  func evaluate(_ e: Expr) -> Result<ScriptValue, Diagnostic> {
    switch e {
    case .number(let text, let range):
      return Evaluator.number(text, range: range)
    case .string(let s, _):
      return .success(.string(s))
    case .identifier(let name, _):
      if let bound = lookup(name) { return .success(bound) }
      if name == "true" { return .success(.bool(true)) }
      if name == "false" { return .success(.bool(false)) }
      return .success(.word(name))
    case .unary(let op, let operand, _):
      return evaluate(operand).flatMap { numeric($0, at: operand.range, for: op.rawValue) }.flatMap { v in
        switch (op, v) {
        case (.plus, _): return .success(v)
        case (.negate, .int(let i)):
          let (r, overflow) = Int(0).subtractingReportingOverflow(i)
          return .success(overflow ? .real(-Double(i)) : .int(r))
        case (.negate, .real(let d)): return .success(.real(-d))
        default: preconditionFailure("numeric returns int or real")
        }
      }
    case .binary(let op, let lhs, let rhs, let range):
      return evaluate(lhs).flatMap { numeric($0, at: lhs.range, for: op.rawValue) }.flatMap { a in
        evaluate(rhs).flatMap { numeric($0, at: rhs.range, for: op.rawValue) }.flatMap { b in
          arithmetic(op, a, b, divisor: rhs.range, whole: range)
        }
      }
    case .list(let items, _):
      var values: [ScriptValue] = []
      for item in items {
        switch evaluate(item) {
        case .success(let v): values.append(v)
        case .failure(let d): return .failure(d)
        }
      }
      return .success(.list(values))
    }
  }

  /// A number literal: an integer when it has no fraction or exponent and fits, else a real.
  static func number(_ text: String, range: SourceRange) -> Result<ScriptValue, Diagnostic> {
    let digits = text.contains("_") ? text.filter { $0 != "_" } : text
    if digits.allSatisfy(\.isNumber), let i = Int(digits) { return .success(.int(i)) }
    guard let d = Double(digits), d.isFinite else {
      return .failure(.error("number '\(text)' is too large", at: range))
    }
    return .success(.real(d))
  }

  /// The value if it is a number; otherwise why it cannot take part in arithmetic.
  func numeric(_ v: ScriptValue, at range: SourceRange, for op: String) -> Result<ScriptValue, Diagnostic> {
    switch v {
    case .int, .real: return .success(v)
    case .word(let w): return .failure(unknownVariable(w, at: range))
    case .string, .bool, .list: return .failure(.error("'\(op)' needs numbers, found '\(v)'", at: range))
    }
  }

  func arithmetic(_ op: BinaryOperator, _ a: ScriptValue, _ b: ScriptValue, divisor: SourceRange,
                  whole: SourceRange) -> Result<ScriptValue, Diagnostic> {
    if case .int(let x) = a, case .int(let y) = b, op != .divide {
      let (r, overflow): (Int, Bool)
      switch op {
      case .add: (r, overflow) = x.addingReportingOverflow(y)
      case .subtract: (r, overflow) = x.subtractingReportingOverflow(y)
      case .multiply: (r, overflow) = x.multipliedReportingOverflow(by: y)
      case .divide: preconditionFailure("handled below")
      }
      if !overflow { return .success(.int(r)) }
    }
    let x = Evaluator.double(a), y = Evaluator.double(b)
    let r: Double
    switch op {
    case .add: r = x + y
    case .subtract: r = x - y
    case .multiply: r = x * y
    case .divide:
      guard y != 0 else { return .failure(.error("division by zero", at: divisor)) }
      r = x / y
    }
    guard r.isFinite else { return .failure(.error("the result is too large to be a number", at: whole)) }
    return .success(.real(r))
  }

  static func double(_ v: ScriptValue) -> Double {
    switch v {
    case .int(let i): return Double(i)
    case .real(let d): return d
    default: preconditionFailure("arithmetic is applied to numbers only")
    }
  }

  /// "unknown variable 'x'", with a did-you-mean among the loop variables, or the hint that
  /// `e-1` is one name and subtraction needs spaces.
  func unknownVariable(_ name: String, at range: SourceRange) -> Diagnostic {
    if name.contains("-") {
      let spaced = name.split(separator: "-").joined(separator: " - ")
      return .error("unknown variable '\(name)'", at: range, hint: "write '\(spaced)' to subtract",
                    notes: ["'-' between letters or digits joins them into one name, like 'bsn-l'"])
    }
    let variables = self.variables
    if let close = suggestion(for: name, among: variables) {
      return .error("unknown variable '\(name)'", at: range, hint: Diagnostic.didYouMean(close))
    }
    let note = variables.isEmpty
      ? "only loop variables can stand for numbers; none is defined here"
      : "the loop variables here are " + listed(variables)
    return .error("unknown variable '\(name)'", at: range, notes: [note])
  }
}
