/// Typed parameter keys: a declared parameter read back as its Swift type (see Declarations.swift).

/// A Swift type a parameter value converts to: `Double`, `Int`, `Bool`, `String`, `[Double]`, or
/// a `String`-backed enum of choices.
public protocol ParamRepresentable: Sendable {
  init?(paramValue: ParamValue)
  var paramValue: ParamValue { get }
}

extension Double: ParamRepresentable {
  public init?(paramValue: ParamValue) {
    guard let v = paramValue.asDouble else { return nil }
    self = v
  }
  public var paramValue: ParamValue { .real(self) }
}

extension Int: ParamRepresentable {
  public init?(paramValue: ParamValue) {
    switch paramValue {
    case .int(let v): self = v
    case .real(let v) where v == v.rounded(): self = Int(v)
    default: return nil
    }
  }
  public var paramValue: ParamValue { .int(self) }
}

extension Bool: ParamRepresentable {
  public init?(paramValue: ParamValue) {
    guard case .bool(let b) = paramValue else { return nil }
    self = b
  }
  public var paramValue: ParamValue { .bool(self) }
}

extension String: ParamRepresentable {
  public init?(paramValue: ParamValue) {
    guard case .string(let s) = paramValue else { return nil }
    self = s
  }
  public var paramValue: ParamValue { .string(self) }
}

extension Array: ParamRepresentable where Element == Double {
  public init?(paramValue: ParamValue) {
    guard case .reals(let vs) = paramValue else { return nil }
    self = vs
  }
  public var paramValue: ParamValue { .reals(self) }
}

/// A choice parameter's values as a Swift enum: its raw values are the spellings a script uses.
public protocol ParamChoice: ParamRepresentable, RawRepresentable, CaseIterable where RawValue == String {}

extension ParamChoice {
  public init?(paramValue: ParamValue) {
    guard case .string(let s) = paramValue else { return nil }
    self.init(rawValue: s)
  }
  public var paramValue: ParamValue { .string(rawValue) }
}

/// A parameter declared once, typed: the declaration (`spec`, which goes into a component's
/// parameter list) and the key its value is read back with, `params[BIM.eps]`.
///
///     static let eps = ParamKey.real("eps", default: 32.0 / 255, range: 0...1, doc: "L∞ budget")
///     ComponentSpec(…, params: [eps.spec, …])
///     let e = params[BIM.eps]     // Double
public struct ParamKey<Value: ParamRepresentable>: Sendable, Hashable {
  public let spec: ParamSpec
  public var name: String { spec.name }

  public init(spec: ParamSpec) { self.spec = spec }

  /// The same parameter with another doc.
  public func documented(_ doc: String) -> Self {
    Self(spec: ParamSpec(name: spec.name, kind: spec.kind, defaultValue: spec.defaultValue, doc: doc))
  }

  /// The same parameter with another default: shared keys (training settings) carry each
  /// component's own paper default.
  public func withDefault(_ value: Value) -> Self {
    Self(spec: ParamSpec(name: spec.name, kind: spec.kind, defaultValue: value.paramValue, doc: spec.doc))
  }
}

extension ParamKey where Value == Double {
  public static func real(_ name: String, default d: Double, range: ClosedRange<Double>, doc: String) -> Self {
    Self(spec: .real(name, default: d, range: range, doc: doc))
  }
}

extension ParamKey where Value == Int {
  public static func int(_ name: String, default d: Int, range: ClosedRange<Int>, doc: String) -> Self {
    Self(spec: .int(name, default: d, range: range, doc: doc))
  }
}

extension ParamKey where Value == Bool {
  public static func bool(_ name: String, default d: Bool, doc: String) -> Self {
    Self(spec: .bool(name, default: d, doc: doc))
  }
}

extension ParamKey where Value == [Double] {
  /// A list of numbers, each in `range`.
  public static func reals(_ name: String, default d: [Double], range: ClosedRange<Double>, doc: String) -> Self {
    Self(spec: .reals(name, default: d, range: range, doc: doc))
  }
}

extension ParamKey where Value == String {
  public static func choice(_ name: String, default d: String, options: [String], doc: String) -> Self {
    Self(spec: .choice(name, default: d, options: options, doc: doc))
  }
}

extension ParamKey where Value: ParamChoice {
  /// A choice whose options are the enum's cases, in declaration order.
  public static func choice(_ name: String, default d: Value, doc: String) -> Self {
    Self(spec: .choice(name, default: d.rawValue, options: Value.allCases.map(\.rawValue), doc: doc))
  }
}

extension Params {
  /// The value of a typed key: the given value, or the declaration's default when the
  /// parameter was not resolved into these params (a component built without the checker).
  public subscript<V>(key: ParamKey<V>) -> V {
    if let given = values[key.name] {
      guard let v = V(paramValue: given) else { preconditionFailure("parameter '\(key.name)' holds '\(given)', not a \(V.self)") }
      return v
    }
    guard let d = V(paramValue: key.spec.defaultValue) else {
      preconditionFailure("parameter '\(key.name)' declares a default of the wrong type")
    }
    return d
  }

  /// Sets a typed key's value.
  public mutating func set<V: ParamChoice>(_ key: ParamKey<V>, _ value: V) { self[key.name] = .string(value.rawValue) }
  public mutating func set(_ key: ParamKey<Double>, _ value: Double) { self[key.name] = .real(value) }
  public mutating func set(_ key: ParamKey<Int>, _ value: Int) { self[key.name] = .int(value) }
  public mutating func set(_ key: ParamKey<Bool>, _ value: Bool) { self[key.name] = .bool(value) }
  public mutating func set(_ key: ParamKey<String>, _ value: String) { self[key.name] = .string(value) }
  public mutating func set(_ key: ParamKey<[Double]>, _ value: [Double]) { self[key.name] = .reals(value) }
}
