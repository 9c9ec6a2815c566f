import Foundation

/// A parameter value as a result record stores it: JSON shows numbers as numbers, strings as
/// strings and flags as `true`/`false`, so `jq '.results[].params.eps'` gives `0.12549…`, not
/// `"0.1255"`.
///
/// Integers are numbers too (`steps=100` is `.number(100)` and encodes as `100`); the script's
/// types live in the checker, a report only needs the value. A list (`weights=[3, 1]`) is a JSON
/// array of its values.
public enum ReportValue: Codable, Sendable, Equatable, CustomStringConvertible {
  case number(Double)
  case string(String)
  case bool(Bool)
  case list([ReportValue])

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    // Bool first: a decoder that would read `true` as 1 must not turn flags into numbers.
    if let b = try? container.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? container.decode(Double.self) {
      self = .number(d)
    } else if let items = try? container.decode([ReportValue].self) {
      self = .list(items)
    } else {
      self = .string(try container.decode(String.self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .number(let d): try container.encode(d)
    case .string(let s): try container.encode(s)
    case .bool(let b): try container.encode(b)
    case .list(let items): try container.encode(items)
    }
  }

  /// The short form tables print: whole numbers without a decimal point (`100`), numbers of
  /// magnitude at least 1 with up to four decimals (`10.5`, `1.2346`), smaller ones with four
  /// significant digits (`0.1255` for 32/255, `0.03137` for 8/255, `1e-05`). Trailing zeros are
  /// dropped. Non-finite values print as `nan`, `inf`, `-inf`. A list prints as a script writes
  /// it, its items short: `[3, 1]`.
  public var description: String {
    switch self {
    case .number(let d): return ReportValue.short(d)
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
    }
  }

  static func short(_ d: Double) -> String {
    guard d.isFinite else { return d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf") }
    if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
    var s = abs(d) >= 1 ? String(format: "%.4f", d) : String(format: "%.4g", d)
    if s.contains(".") && !s.contains("e") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    return s
  }

  /// The value at full precision, as data tools read it: whole numbers without a decimal point
  /// (`100`), others in the shortest form that reads back to the same double
  /// (`0.12549019607843137`), `nan`, `inf`, `-inf`; strings as they are, flags `true`/`false`,
  /// lists as a script writes them (`[3, 0.25]`).
  public var exactText: String {
    switch self {
    case .number(let d):
      guard d.isFinite else { return d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf") }
      return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .list(let items): return "[" + items.map(\.exactText).joined(separator: ", ") + "]"
    }
  }

  /// A lossless form for telling values apart (full precision), used where two settings must
  /// not merge just because their short forms agree.
  var exact: String {
    switch self {
    case .number(let d): return "n:\(d)"
    case .string(let s): return "s:\(s)"
    case .bool(let b): return "b:\(b)"
    case .list(let items): return "l:[" + items.map(\.exact).joined(separator: ",") + "]"
    }
  }
}

extension ReportValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
  ExpressibleByBooleanLiteral
{
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// `key=value` pairs sorted by key and separated by spaces, values in their short form; an L∞
/// budget `eps` that is a whole number of 255ths is written as researchers write it. With
/// `keys`, only those.
///
///     formatParams(["steps": 100, "eps": .number(32.0 / 255)])   // "eps=32/255 steps=100"
func formatParams(_ params: [String: ReportValue], only keys: Set<String>? = nil) -> String {
  params.filter { keys?.contains($0.key) ?? true }
    .sorted { $0.key < $1.key }
    .map { "\($0.key)=\($0.key == "eps" ? in255ths($0.value) ?? "\($0.value)" : "\($0.value)")" }
    .joined(separator: " ")
}

/// `k/255` when `value` is k/255 for a whole k ≥ 1 (to 1e-6 of a pixel level); nil otherwise.
func in255ths(_ value: ReportValue) -> String? {
  guard case .number(let v) = value else { return nil }
  let k = (v * 255).rounded()
  guard k >= 1, abs(v * 255 - k) < 1e-6 else { return nil }
  return "\(Int(k))/255"
}
