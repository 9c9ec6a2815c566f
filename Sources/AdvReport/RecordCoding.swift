/// The two departures of result records from synthesized `Codable`, as property wrappers:
///
/// - `@NullEncoded` writes a nil optional as `null` instead of leaving the key out, so every
///   record has the same keys (a CSV or data-frame reader sees one set of columns).
/// - `@DefaultEmpty` reads a missing (or `null`) key as the empty value, for keys added after
///   files were written (`defaults`, `policy`, `inputs`, …).
///
/// Synthesized `encode(to:)` passes the wrapper to `encode(_:forKey:)`, which writes whatever the
/// wrapper's single value is, `null` included. Synthesized `init(from:)` calls
/// `decode(_:forKey:)`, which throws on a missing key; the `KeyedDecodingContainer` overloads
/// below are picked instead for the wrapper types and read the key with `decodeIfPresent`.

/// An optional that encodes nil as `null`; a missing key or `null` decodes as nil.
@propertyWrapper
public struct NullEncoded<Wrapped: Codable>: Codable {
  public var wrappedValue: Wrapped?

  public init(wrappedValue: Wrapped?) { self.wrappedValue = wrappedValue }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    wrappedValue = c.decodeNil() ? nil : try c.decode(Wrapped.self)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
  }
}

extension NullEncoded: Sendable where Wrapped: Sendable {}
extension NullEncoded: Equatable where Wrapped: Equatable {}

/// A type whose `init()` is the value of a key older files lack: an empty array, map or string.
public protocol EmptyDefault { init() }
extension Array: EmptyDefault {}
extension Dictionary: EmptyDefault {}
extension String: EmptyDefault {}

/// A value that decodes a missing key or `null` as empty; it always encodes as itself.
@propertyWrapper
public struct DefaultEmpty<Value: Codable & EmptyDefault>: Codable {
  public var wrappedValue: Value

  public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    wrappedValue = c.decodeNil() ? Value() : try c.decode(Value.self)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(wrappedValue)
  }
}

extension DefaultEmpty: Sendable where Value: Sendable {}
extension DefaultEmpty: Equatable where Value: Equatable {}

extension KeyedDecodingContainer {
  public func decode<Wrapped>(_: NullEncoded<Wrapped>.Type, forKey key: Key) throws -> NullEncoded<Wrapped> {
    NullEncoded(wrappedValue: try decodeIfPresent(Wrapped.self, forKey: key))
  }

  public func decode<Value>(_: DefaultEmpty<Value>.Type, forKey key: Key) throws -> DefaultEmpty<Value> {
    DefaultEmpty(wrappedValue: try decodeIfPresent(Value.self, forKey: key) ?? Value())
  }
}
