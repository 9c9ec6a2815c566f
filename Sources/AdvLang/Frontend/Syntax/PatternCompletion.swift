import AdvSpec

/// Completion read off the statement patterns: the tokens typed so far are matched against
/// each form that starts with their keyword, and what the pattern takes next is offered.

extension Completer {
  /// Words valid after the tokens of a statement so far.
  static func candidates(after tokens: [Token], _ context: CompletionContext) -> [String] {
    guard let first = tokens.first else { return Statements.all.map(\.name) }
    let models = context.models + definedModels(in: context.pending)
    return Statements.forms(startingWith: first.text).flatMap { form in
      var cursor = PatternCursor(tokens: tokens, pattern: form.pattern, vocabulary: context.vocabulary, models: models)
      return cursor.next()
    }
  }
}

/// Walks a pattern over complete tokens; `next()` is what may follow them.
struct PatternCursor {
  let tokens: [Token]
  let pattern: SyntaxPattern
  let vocabulary: Vocabulary
  let models: [String]
  var i = 0
  /// The text each slot took (`attack` → `bim`), for the arguments' declaration.
  var taken: [String: String] = [:]
  var given: Set<String> = []

  init(tokens: [Token], pattern: SyntaxPattern, vocabulary: Vocabulary, models: [String]) {
    self.tokens = tokens
    self.pattern = pattern
    self.vocabulary = vocabulary
    self.models = models
  }

  /// What the outcome of walking some parts is.
  enum Walk { case matched, offers([String]), failed }

  mutating func next() -> [String] {
    switch walk(pattern.parts) {
    case .offers(let words): return words
    case .matched, .failed: return []
    }
  }

  var atEnd: Bool { i >= tokens.count }
  var token: Token { tokens[i] }

  /// The parts in sequence; when the tokens run out, what the next part (and, past optional
  /// parts, the ones after it) would take.
  mutating func walk(_ parts: [SyntaxPart]) -> Walk {
    for (k, part) in parts.enumerated() {
      if atEnd {
        var offered = opening(part)
        if case .optional = part, case .offers(let more) = walk(Array(parts[(k + 1)...])) { offered += more }
        return .offers(offered)
      }
      switch consume(part) {
      case .matched: continue
      case let other: return other
      }
    }
    return .matched
  }

  /// Consumes one part from the tokens (which do not run out before it starts).
  mutating func consume(_ part: SyntaxPart) -> Walk {
    switch part {
    case .word(let w):
      guard w == "=" ? token.kind == .equals : token.isKeyword(w) else { return .failed }
      i += 1
      return .matched
    case .slot(let slot):
      return consume(slot)
    case .arguments(let source):
      while !atEnd {
        let outcome = argument(source)
        if case .matched = outcome { continue }
        return outcome
      }
      return .offers(parameterNames(source))
    case .optional(let inner):
      guard starts(inner) else { return .matched }
      return walk(inner)
    case .anyOrder(let groups):
      var used: Set<Int> = []
      let source = groups.first(where: \.isArguments).flatMap { g -> ArgumentSource? in
        if case .arguments(let s) = g.parts[0] { return s } else { return nil }
      }
      while !atEnd {
        if let source, isArgument {
          let outcome = argument(source)
          if case .matched = outcome { continue }
          return outcome
        }
        guard let g = groups.indices.first(where: { !used.contains($0) && groups[$0].leadingWord.map { token.isKeyword($0) } == true })
        else { return .failed }
        used.insert(g)
        let outcome = walk(groups[g].parts)
        if case .matched = outcome { continue }
        return outcome
      }
      let words = groups.indices.filter { !used.contains($0) }.compactMap { groups[$0].leadingWord }
      return .offers((source.map(parameterNames) ?? []) + words)
    case .opaque:
      return skipValue() ? .matched : .offers([])
    }
  }

  mutating func consume(_ slot: Slot) -> Walk {
    switch slot.kind {
    case .newModel, .model, .component, .choice:
      guard token.kind == .identifier else { return .failed }
      taken[slot.key] = token.text
      i += 1
    case .models:
      guard token.kind == .identifier else { return .failed }
      i += 1
      while !atEnd && token.kind == .comma {
        i += 1
        if atEnd { return .offers(models) }
        i += 1
      }
    case .path, .value:
      if !skipValue() { return .offers([]) }
    }
    return .matched
  }

  /// What a part takes first.
  func opening(_ part: SyntaxPart) -> [String] {
    switch part {
    case .word(let w): return [w]
    case .slot(let slot):
      switch slot.kind {
      case .model, .models: return models
      case .component(let kind): return vocabulary.spellings(kind)
      case .choice(let options): return options
      case .newModel, .path, .value: return []
      }
    case .arguments(let source): return parameterNames(source)
    case .optional(let inner): return inner.first.map(opening) ?? []
    case .anyOrder(let groups):
      return groups.filter(\.isArguments).flatMap { opening($0.parts[0]) } + groups.compactMap(\.leadingWord)
    case .opaque(_, _, let words): return words
    }
  }

  func starts(_ parts: [SyntaxPart]) -> Bool {
    switch parts.first {
    case .word(let w)?: return w == "=" ? token.kind == .equals : token.isKeyword(w)
    case .slot?: return token.kind != .identifier || !pattern.words.contains(token.text)
    default: return false
    }
  }

  var isArgument: Bool { token.kind == .identifier && i + 1 < tokens.count && tokens[i + 1].kind == .equals }

  /// One `name=value`; when the tokens end after `=`, the parameter's choices.
  mutating func argument(_ source: ArgumentSource) -> Walk {
    guard isArgument else { return .failed }
    let name = canonicalName(token.text)
    given.insert(name)
    i += 2
    if atEnd {
      guard let param = declaration(source)?.params.first(where: { canonicalName($0.name) == name }) else { return .offers([]) }
      switch param.kind {
      case .choice(let options): return .offers(options)
      case .bool: return .offers(["true", "false"])
      case .real, .int, .reals: return .offers([])
      }
    }
    return skipValue() ? .matched : .offers([])
  }

  /// The declaration the arguments are checked against.
  func declaration(_ source: ArgumentSource) -> ComponentSpec? {
    let settings = source.settings.flatMap { vocabulary.component(.procedure, named: $0) }
    guard let key = source.slot else { return settings }
    guard let slot = pattern.slots.first(where: { $0.key == key }), case .component(let kind) = slot.kind,
          let text = taken[key], let spec = vocabulary.component(kind, named: text) else { return nil }
    return settings.map { ComponentSpec.merging(spec)($0) } ?? spec
  }

  func parameterNames(_ source: ArgumentSource) -> [String] {
    (declaration(source)?.params ?? []).filter { !given.contains(canonicalName($0.name)) }.map { $0.name + "=" }
  }

  /// Skips one value (`8/255`, `-1`, `[3, 1]`, `"file"`, `sgd`); false when the tokens end
  /// inside it.
  mutating func skipValue() -> Bool {
    while true {
      while !atEnd && (token.kind == .minus || token.kind == .plus) { i += 1 }
      if atEnd { return false }
      switch token.kind {
      case .leftBracket, .leftParen:
        var depth = 0
        repeat {
          if token.kind == .leftBracket || token.kind == .leftParen { depth += 1 }
          if token.kind == .rightBracket || token.kind == .rightParen { depth -= 1 }
          i += 1
        } while depth > 0 && !atEnd
        if depth > 0 { return false }
      case .number, .string, .identifier:
        i += 1
      default:
        return true
      }
      guard !atEnd, [.plus, .minus, .star, .slash].contains(token.kind) else { return true }
      i += 1
    }
  }
}
