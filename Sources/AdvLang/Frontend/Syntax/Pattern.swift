import AdvSpec

/// A statement's syntax, declared once as a pattern of a few parts. The generic parse rule
/// (`Parser+Pattern.swift`), REPL completion (`PatternCompletion.swift`), the syntax lines of
/// `:help` and grammar.md, grammar.md's EBNF and keyword list (`GrammarDoc+EBNF.swift`) and the
/// fuzzers' printer and generator all read it, the way swift-argument-parser derives parsing,
/// help and completion from one `ArgumentDefinition`.

/// What a slot holds.
public enum SlotKind: Sendable, Hashable {
  /// The name of the model the statement defines (`model NAME = …`).
  case newModel
  /// A model defined earlier.
  case model
  /// One or more models defined earlier, separated by commas.
  case models
  /// A registered component: data set, architecture, attack or figure.
  case component(ComponentKind)
  /// One word of a closed set (`report markdown`).
  case choice([String])
  /// A file name in double quotes, with the extensions it may have (empty: any).
  case path([String])
  /// A value: a number or an expression (`seed 6*7`).
  case value
}

/// A named hole in a pattern: what it holds, the placeholder the docs show and how an error
/// names it ("expected *a model name* after 'on'").
public struct Slot: Sendable, Hashable {
  /// The key the statement's checker rule reads it under.
  public let key: String
  public let kind: SlotKind
  /// `NAME`, `ARCH`, `"FILE"`.
  public let placeholder: String
  /// `a model name`, `the oracle model`.
  public let expected: String

  public init(_ key: String, _ kind: SlotKind, _ placeholder: String, expected: String) {
    self.key = key
    self.kind = kind
    self.placeholder = placeholder
    self.expected = expected
  }

  public static func newModel(_ key: String = "model") -> Slot {
    Slot(key, .newModel, "NAME", expected: "a model name")
  }
  public static func model(_ key: String = "model", _ placeholder: String = "MODEL", expected: String = "a model name") -> Slot {
    Slot(key, .model, placeholder, expected: expected)
  }
  public static func models(_ key: String, _ placeholder: String = "MODEL", expected: String = "a model name") -> Slot {
    Slot(key, .models, placeholder, expected: expected)
  }
  public static func component(_ kind: ComponentKind, _ key: String, _ placeholder: String) -> Slot {
    Slot(key, .component(kind), placeholder, expected: kind.article + " " + kind.noun + " name")
  }
  public static func path(_ extensions: [String] = [], key: String = "path", placeholder: String = "\"FILE\"",
                          expected: String = "a file name in double quotes") -> Slot {
    Slot(key, .path(extensions), placeholder, expected: expected)
  }
}

/// Where the `key=value` arguments of a statement are checked: the component in a slot, a
/// statement's own settings (`transfer`, `surrogate`), or both merged.
public struct ArgumentSource: Sendable, Hashable {
  /// The slot naming the component (`attack` in `attack bim …`).
  public let slot: String?
  /// The statement settings (`ComponentKind.procedure`) merged in.
  public let settings: String?

  public init(slot: String? = nil, settings: String? = nil) {
    self.slot = slot
    self.settings = settings
  }
}

/// One part of a pattern.
public indirect enum SyntaxPart: Sendable, Hashable {
  /// A literal word (`on`, `from`, `train`) or symbol (`=`).
  case word(String)
  case slot(Slot)
  /// `key=value ...`, any number of them.
  case arguments(ArgumentSource)
  /// The parts, all or none. An optional group starts with a word (or is one slot).
  case optional([SyntaxPart])
  /// Groups that may come in any order, each at most once (the arguments any number of times):
  /// `attack bim eps=8/255 on net samples=10`. `required` groups must appear; their `hint` says
  /// how to add them.
  case anyOrder([Group])
  /// A part written by a bespoke rule (`for`'s body, `average(N)`): shown as `text`, as `ebnf`
  /// in the grammar, and completed with `words`.
  case opaque(text: String, ebnf: String, words: [String])

  /// A group inside `anyOrder`.
  public struct Group: Sendable, Hashable {
    public let parts: [SyntaxPart]
    public let required: Bool
    public let hint: String?

    public static func optional(_ parts: SyntaxPart...) -> Group { Group(parts: parts, required: false, hint: nil) }
    public static func required(_ parts: SyntaxPart..., hint: String) -> Group { Group(parts: parts, required: true, hint: hint) }
    public static func arguments(_ source: ArgumentSource) -> Group { Group(parts: [.arguments(source)], required: false, hint: nil) }

    /// The word that starts the group, if any.
    public var leadingWord: String? {
      if case .word(let w)? = parts.first { return w }
      return nil
    }
    public var isArguments: Bool {
      if case .arguments? = parts.first { return true }
      return false
    }
  }
}

/// A statement's whole pattern, the keyword first.
public struct SyntaxPattern: Sendable, Hashable {
  public let parts: [SyntaxPart]

  public init(_ parts: SyntaxPart...) { self.parts = parts }
  public init(parts: [SyntaxPart]) { self.parts = parts }

  /// The keyword that starts the statement.
  public var keyword: String {
    guard case .word(let w)? = parts.first else { preconditionFailure("a pattern starts with its keyword") }
    return w
  }

  /// The syntax line `:help` and grammar.md show: `attack ATTACK [key=value ...] on MODEL`.
  public var line: String { Self.line(parts) }

  static func line(_ parts: [SyntaxPart]) -> String {
    parts.map { part -> String in
      switch part {
      case .word(let w): return w
      case .slot(let s): return s.kind == .models ? "\(s.placeholder)[, \(s.placeholder) ...]" : s.placeholder
      case .arguments: return "[key=value ...]"
      case .optional(let inner): return "[" + line(inner) + "]"
      case .anyOrder(let groups):
        return groups.map { g in g.required || g.isArguments ? line(g.parts) : "[" + line(g.parts) + "]" }.joined(separator: " ")
      case .opaque(let text, _, _): return text
      }
    }.joined(separator: " ")
  }

  /// Every literal word of the pattern, the keyword included.
  public var words: [String] { Self.words(parts) }

  static func words(_ parts: [SyntaxPart]) -> [String] {
    parts.flatMap { part -> [String] in
      switch part {
      case .word(let w): return w.first?.isLetter == true ? [w] : []
      case .optional(let inner): return words(inner)
      case .anyOrder(let groups): return groups.flatMap { words($0.parts) }
      case .opaque(_, _, let words): return words
      case .slot, .arguments: return []
      }
    }
  }

  /// Every slot, in order.
  public var slots: [Slot] { Self.slots(parts) }

  static func slots(_ parts: [SyntaxPart]) -> [Slot] {
    parts.flatMap { part -> [Slot] in
      switch part {
      case .slot(let s): return [s]
      case .optional(let inner): return slots(inner)
      case .anyOrder(let groups): return groups.flatMap { slots($0.parts) }
      case .word, .arguments, .opaque: return []
      }
    }
  }

  /// The arguments' source, if the pattern takes `key=value` arguments.
  public var argumentSource: ArgumentSource? { Self.argumentSource(parts) }

  static func argumentSource(_ parts: [SyntaxPart]) -> ArgumentSource? {
    for part in parts {
      switch part {
      case .arguments(let source): return source
      case .optional(let inner): if let s = argumentSource(inner) { return s }
      case .anyOrder(let groups): if let s = argumentSource(groups.flatMap(\.parts)) { return s }
      case .word, .slot, .opaque: continue
      }
    }
    return nil
  }
}

/// What a statement's slots held, by slot key, and its `key=value` arguments in source order.
public struct Slots: Sendable, Hashable {
  public var names: [String: [Name]] = [:]
  public var values: [String: Expr] = [:]
  public var arguments: [NamedArgument] = []

  public init() {}

  /// The name in a one-name slot (or the first of a list).
  public func name(_ key: String) -> Name? { names[key]?.first }
  public func list(_ key: String) -> [Name] { names[key] ?? [] }
  public func value(_ key: String) -> Expr? { values[key] }
}

extension ComponentKind {
  /// `a` or `an`, for "expected an attack name".
  var article: String { noun.first.map { "aeiou".contains($0) } == true ? "an" : "a" }
}
