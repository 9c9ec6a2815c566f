/// Declarations of named, parameterised components (architectures, attacks, data sets).
///
/// Every component declares itself once: its canonical name, aliases, a one-line doc and its
/// parameters with type, default (from the paper), allowed range and doc. The checker, error
/// messages, `:help`, REPL completion and the tables in grammar.md all read these declarations.

/// A value a parameter can take in a script.
public enum ParamValue: Sendable, Hashable, CustomStringConvertible {
  case real(Double)
  case int(Int)
  case string(String)
  case bool(Bool)
  /// A list of numbers, `[3, 1]`.
  case reals([Double])

  /// As a script writes it: `0.12549`, `100`, `sgd`, `true`, `[3, 1]` (a list re-parses to itself).
  public var description: String {
    switch self {
    case .real(let v): return formatReal(v)
    case .int(let v): return String(v)
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .reals(let vs): return "[" + vs.map(formatReal).joined(separator: ", ") + "]"
    }
  }

  public var asDouble: Double? {
    switch self {
    case .real(let v): return v
    case .int(let v): return Double(v)
    case .string, .bool, .reals: return nil
    }
  }
}

/// Formats a real for humans: `0.12549` stays short, integers print without a fraction.
public func formatReal(_ v: Double) -> String {
  if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
  var s = String(format: "%.6g", v)
  if s.contains("e") { return s }
  while s.hasSuffix("0") { s.removeLast() }
  if s.hasSuffix(".") { s.removeLast() }
  return s
}

/// The type and allowed values of a parameter.
public enum ParamKind: Sendable, Hashable {
  case real(ClosedRange<Double>)
  case int(ClosedRange<Int>)
  case choice([String])
  case bool
  /// A list of numbers, each in the range: `weights=[3, 1]`.
  case reals(ClosedRange<Double>)

  public var typeName: String {
    switch self {
    case .real: return "real"
    case .int: return "int"
    case .choice: return "choice"
    case .bool: return "bool"
    case .reals: return "reals"
    }
  }

  /// The allowed values as a human reads them: `0...1`, `1...100000`, `sgd|adam`, `each 0...1`.
  public var rangeDescription: String {
    switch self {
    case .real(let r): return "\(formatReal(r.lowerBound))...\(formatReal(r.upperBound))"
    case .int(let r): return "\(r.lowerBound)...\(r.upperBound)"
    case .choice(let options): return options.joined(separator: "|")
    case .bool: return "true|false"
    case .reals(let r): return "each \(formatReal(r.lowerBound))...\(formatReal(r.upperBound))"
    }
  }
}

/// One declared parameter.
public struct ParamSpec: Sendable, Hashable {
  public let name: String
  public let kind: ParamKind
  public let defaultValue: ParamValue
  public let doc: String

  public init(name: String, kind: ParamKind, defaultValue: ParamValue, doc: String) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.doc = doc
  }

  public static func real(_ name: String, default d: Double, range: ClosedRange<Double>, doc: String) -> ParamSpec {
    ParamSpec(name: name, kind: .real(range), defaultValue: .real(d), doc: doc)
  }
  public static func int(_ name: String, default d: Int, range: ClosedRange<Int>, doc: String) -> ParamSpec {
    ParamSpec(name: name, kind: .int(range), defaultValue: .int(d), doc: doc)
  }
  public static func choice(_ name: String, default d: String, options: [String], doc: String) -> ParamSpec {
    ParamSpec(name: name, kind: .choice(options), defaultValue: .string(d), doc: doc)
  }
  public static func bool(_ name: String, default d: Bool, doc: String) -> ParamSpec {
    ParamSpec(name: name, kind: .bool, defaultValue: .bool(d), doc: doc)
  }
  public static func reals(_ name: String, default d: [Double], range: ClosedRange<Double>, doc: String) -> ParamSpec {
    ParamSpec(name: name, kind: .reals(range), defaultValue: .reals(d), doc: doc)
  }

  /// Checks a value against this declaration, converting an int to a real where a real is
  /// expected. Returns the accepted value or a lower-case message saying what was expected.
  /// A list is only accepted by a list parameter, and a list parameter only takes a list.
  public func validate(_ value: ParamValue) -> Result<ParamValue, ParamError> {
    switch (kind, value) {
    case (.reals(let r), .reals(let vs)):
      if let bad = vs.first(where: { !$0.isFinite || !r.contains($0) }) {
        return .failure(.elementOutOfRange(param: name, element: bad, range: rangeDescription))
      }
      return .success(value)
    case (.reals, _):
      return .failure(.wrongType(param: name, expected: "a list of numbers such as [3, 1]", found: value))
    case (_, .reals):
      return .failure(.notOneValue(param: name))
    case (.real(let r), _):
      guard let v = value.asDouble else { return .failure(.wrongType(param: name, expected: "a number", found: value)) }
      guard v.isFinite, r.contains(v) else { return .failure(.outOfRange(param: name, value: value, range: rangeDescription)) }
      return .success(.real(v))
    case (.int(let r), .int(let v)):
      guard r.contains(v) else { return .failure(.outOfRange(param: name, value: value, range: rangeDescription)) }
      return .success(.int(v))
    case (.int(let r), .real(let v)):
      guard v == v.rounded(), let i = Int(exactly: v) else {
        return .failure(.wrongType(param: name, expected: "a whole number", found: value))
      }
      guard r.contains(i) else { return .failure(.outOfRange(param: name, value: value, range: rangeDescription)) }
      return .success(.int(i))
    case (.int, _):
      return .failure(.wrongType(param: name, expected: "a whole number", found: value))
    case (.choice(let options), .string(let s)):
      let key = canonicalName(s)
      guard let hit = options.first(where: { canonicalName($0) == key }) else {
        return .failure(.notAChoice(param: name, found: s, options: options))
      }
      return .success(.string(hit))
    case (.choice(let options), _):
      return .failure(.notAChoice(param: name, found: value.description, options: options))
    case (.bool, .bool):
      return .success(value)
    case (.bool, _):
      return .failure(.wrongType(param: name, expected: "true or false", found: value))
    }
  }

  public var rangeDescription: String { kind.rangeDescription }
}

/// Why a parameter value was refused.
public enum ParamError: Error, Sendable, Hashable, CustomStringConvertible {
  case wrongType(param: String, expected: String, found: ParamValue)
  case outOfRange(param: String, value: ParamValue, range: String)
  case notAChoice(param: String, found: String, options: [String])
  /// A number in a list parameter outside the declared range.
  case elementOutOfRange(param: String, element: Double, range: String)
  /// A list given to a parameter that takes one value.
  case notOneValue(param: String)

  public var description: String {
    switch self {
    case .wrongType(let p, let expected, let found):
      return "parameter '\(p)' expects \(expected), found '\(found)'"
    case .outOfRange(let p, let v, let range):
      return "'\(p)=\(v)' is out of range; allowed: \(range)"
    case .notAChoice(let p, let found, let options):
      return "'\(p)' cannot be '\(found)'; allowed: \(options.joined(separator: ", "))"
    case .elementOutOfRange(let p, let element, let range):
      return "'\(formatReal(element))' in '\(p)' is out of range; allowed: \(range)"
    case .notOneValue(let p):
      return "parameter '\(p)' takes one value, not a list"
    }
  }
}

/// Which kind of thing a component is.
public enum ComponentKind: String, Sendable, Hashable {
  case architecture, attack, dataset
  /// The settings of a statement that is not one component (`transfer`, `surrogate`, `mixture`).
  case procedure
  /// A figure `plot` draws (`bars`, `tsne`, `decision`, …), with its settings.
  case figure
}

/// The declaration of an architecture, attack or data set.
public struct ComponentSpec: Sendable, Hashable {
  public let kind: ComponentKind
  public let name: String
  public let aliases: [String]
  public let doc: String
  public let params: [ParamSpec]
  /// Defaults that differ by data set (the paper's training tables), keyed by data-set name.
  public let datasetDefaults: [String: [String: ParamValue]]
  /// For a data set: the files its reader opens in the `from` directory, and whether it has
  /// an embedded default (the checker reads both before anything runs).
  public let files: DataFiles?

  public init(kind: ComponentKind, name: String, aliases: [String] = [], doc: String, params: [ParamSpec],
              datasetDefaults: [String: [String: ParamValue]] = [:], files: DataFiles? = nil) {
    for (dataset, values) in datasetDefaults {
      for key in values.keys where !params.contains(where: { $0.name == key }) {
        preconditionFailure("\(name): the \(dataset) default of '\(key)' names no declared parameter")
      }
    }
    self.kind = kind
    self.name = name
    self.aliases = aliases
    self.doc = doc
    self.params = params
    self.datasetDefaults = datasetDefaults
    self.files = files
  }

  /// The default of parameter `name` when training on `dataset`.
  public func defaultValue(_ name: String, dataset: String?) -> ParamValue? {
    dataset.flatMap { datasetDefaults[$0]?[name] } ?? param(name)?.defaultValue
  }

  public func param(_ name: String) -> ParamSpec? { params.first { $0.name == name } }

  /// This component with `settings`' parameters added, a parameter both declare taking the
  /// settings' declaration (`transfer bim …`: BIM's parameters and the transfer settings, whose
  /// `samples` counts valid adversarials).
  public static func merging(_ component: ComponentSpec) -> (ComponentSpec) -> ComponentSpec {
    { settings in
      let own = component.params.filter { p in !settings.params.contains { $0.name == p.name } }
      return ComponentSpec(kind: component.kind, name: component.name, aliases: component.aliases, doc: component.doc,
                           params: own + settings.params, datasetDefaults: component.datasetDefaults,
                           files: component.files)
    }
  }

  /// True when `spelling` names this component (case, `-` and `_` ignored).
  public func matches(_ spelling: String) -> Bool {
    let key = canonicalName(spelling)
    return canonicalName(name) == key || aliases.contains { canonicalName($0) == key }
  }
}

/// The spelling-insensitive key of a name: `BSN-L`, `bsn_l` and `bsnl` all give `bsnl`.
public func canonicalName(_ s: String) -> String {
  String(s.lowercased().filter { $0 != "-" && $0 != "_" })
}

/// Resolved parameters of one component use: declared defaults overridden by given values.
public struct Params: Sendable, Hashable {
  public private(set) var values: [String: ParamValue]

  public init(_ values: [String: ParamValue] = [:]) { self.values = values }

  /// Defaults of `spec` (for `dataset`, where they differ by data set) overridden by `given`
  /// (which the checker has already validated).
  public init(spec: ComponentSpec, given: [String: ParamValue], dataset: String? = nil) {
    var v: [String: ParamValue] = [:]
    for p in spec.params { v[p.name] = given[p.name] ?? spec.defaultValue(p.name, dataset: dataset) }
    self.values = v
  }

  public subscript(name: String) -> ParamValue? {
    get { values[name] }
    set { values[name] = newValue }
  }

  /// Stable `key=value` listing, sorted by key, for hashing and display.
  public var canonicalDescription: String {
    values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
  }
}
