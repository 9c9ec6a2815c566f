import AdvSpec

/// The one parse rule every statement with a pattern shares. Forms that start alike
/// (`model NAME = train …`, `model NAME = load …`) are parsed together up to the word where
/// they part; errors name what the pattern expected there.

extension Parser {
  /// Dispatches on the statement keyword: a bespoke rule (`for`, `set policy`), or the
  /// pattern of the forms that start with it.
  mutating func parseStatement() throws -> Statement {
    let keyword = current
    guard keyword.kind == .identifier else {
      throw error("expected a statement, found \(keyword)", at: keyword, notes: [Parser.statementList])
    }
    let forms = Statements.forms(startingWith: keyword.text)
    guard let first = forms.first else { throw unknownStatement(keyword) }
    if let bespoke = first.parse { return try bespoke(&self) }
    return try parse(forms, from: keyword)
  }

  static var statementList: String {
    "the statements are " + listed(Statements.all.map(\.name))
  }

  func unknownStatement(_ keyword: Token) -> ParseError {
    if keyword.text == "train" {
      return error("'train' must name the model it makes", at: keyword, hint: "write 'model NAME = train ARCH'")
    }
    if peek(1).kind == .equals {
      return error("unknown statement '\(keyword.text)'", at: keyword,
                   hint: "write 'model \(keyword.text) = train ARCH' to define a model")
    }
    if let close = suggestion(for: keyword.text, among: Statements.all.map(\.name)) {
      return error("unknown statement '\(keyword.text)'", at: keyword, hint: Diagnostic.didYouMean(close))
    }
    return error("unknown statement '\(keyword.text)'", at: keyword, notes: [Parser.statementList])
  }

  /// `forms` (all starting with the current keyword) parsed part by part; where their parts
  /// differ, the word at hand picks the form.
  mutating func parse(_ forms: [StatementForm], from keyword: Token) throws -> Statement {
    var candidates = forms
    var slots = Slots()
    var i = 0
    while true {
      let parts = candidates.map { i < $0.pattern.parts.count ? $0.pattern.parts[i] : nil }
      if parts.dropFirst().contains(where: { $0 != parts[0] }) {
        if let k = parts.firstIndex(where: { if case .word(let w)? = $0 { return matches(w) } else { return false } }) {
          candidates = [candidates[k]]
        } else if let k = parts.firstIndex(where: { if case .slot? = $0 { return true } else { return false } }) {
          candidates = [candidates[k]]
        } else {
          let words = parts.compactMap { part -> String? in if case .word(let w)? = part { return w } else { return nil } }
          throw error("expected \(listed(words, conjunction: "or")) after '\(spelled(from: keyword))', found \(current)", at: current)
        }
        continue
      }
      guard let part = parts[0] else { break }
      try parse(part, of: candidates[0], from: keyword, into: &slots)
      i += 1
    }
    let form = candidates[0]
    if !current.endsStatement {
      // A statement ending in optional parts says which could follow.
      let missing = form.pattern.parts.reversed().prefix { if case .optional = $0 { return true } else { return false } }
      let untaken = missing.reversed().compactMap { part -> String? in
        guard case .optional(let inner) = part, !taken(inner, slots) else { return nil }
        return alternative(inner)
      }
      if !untaken.isEmpty { throw error("expected \(untaken.joined(separator: " or ")), found \(current)", at: current) }
    }
    return Statement(.form(form.id, slots), range: rangeFrom(keyword))
  }

  /// One part of `form`.
  mutating func parse(_ part: SyntaxPart, of form: StatementForm, from keyword: Token, into slots: inout Slots) throws {
    switch part {
    case .word(let w):
      guard matches(w) else {
        throw error("expected '\(w)\(following(w, in: form))' after '\(spelled(from: keyword))', found \(current)", at: current)
      }
      advance()
    case .slot(let slot):
      try parse(slot, reserved: Set(form.pattern.words), into: &slots)
    case .arguments:
      while !current.endsStatement {
        guard atArgument else { throw error("expected 'name=value', found \(current)", at: current) }
        slots.arguments.append(try parseArgument())
      }
    case .optional(let inner):
      guard starts(inner, reserved: Set(form.pattern.words)) else { return }
      for p in inner { try parse(p, of: form, from: keyword, into: &slots) }
    case .anyOrder(let groups):
      try parse(groups, of: form, from: keyword, into: &slots)
    case .opaque:
      preconditionFailure("a pattern with an opaque part has a bespoke parse rule")
    }
  }

  /// Groups in any order, each once (arguments any number of times), until the statement ends.
  mutating func parse(_ groups: [SyntaxPart.Group], of form: StatementForm, from keyword: Token,
                      into slots: inout Slots) throws {
    var used: Set<Int> = []
    let takesArguments = groups.contains(where: \.isArguments)
    while !current.endsStatement {
      if takesArguments && atArgument {
        slots.arguments.append(try parseArgument())
        continue
      }
      guard let g = groups.firstIndex(where: { $0.leadingWord.map(matches) ?? false }) else {
        let open = groups.indices.filter { !used.contains($0) || groups[$0].isArguments }
        let expected = open.map { groups[$0].isArguments ? "'name=value'" : "'\(SyntaxPattern.line(groups[$0].parts))'" }
        throw error("expected \(listed(expected, conjunction: "or", quote: { $0 })), found \(current)", at: current)
      }
      let word = current
      if used.contains(g) {
        let listHint = groups[g].parts.contains { if case .slot(let s) = $0 { return s.kind == .models } else { return false } }
          ? "list every model after one '\(word.text)': '\(word.text) a, b'"
          : "keep one '\(SyntaxPattern.line(groups[g].parts))'"
        throw error("'\(word.text)' is given twice", at: word, hint: listHint)
      }
      used.insert(g)
      for p in groups[g].parts { try parse(p, of: form, from: keyword, into: &slots) }
    }
    for (g, group) in groups.enumerated() where group.required && !used.contains(g) {
      let subject = form.pattern.slots.first.flatMap { slots.name($0.key)?.text }.map { " \($0)" } ?? ""
      throw error("expected '\(SyntaxPattern.line(group.parts))' in '\(form.pattern.keyword)\(subject)', found \(current)",
                  at: current, hint: group.hint)
    }
  }

  mutating func parse(_ slot: Slot, reserved: Set<String>, into slots: inout Slots) throws {
    let expected = "\(slot.expected) after '\(previous.text)'"
    switch slot.kind {
    case .newModel:
      let name = try parseName(expected)
      pendingModel = name
      slots.names[slot.key] = [name]
    case .model, .component, .choice:
      slots.names[slot.key] = [try parseName(expected, reserved: reserved)]
    case .models:
      var names = [try parseName(expected, reserved: reserved)]
      while current.kind == .comma {
        advance()
        names.append(try parseName("\(slot.expected) after ','", reserved: reserved))
      }
      slots.names[slot.key] = names
    case .path, .value:
      slots.values[slot.key] = try parseExpression(expected)
    }
  }

  /// An identifier naming something (`reserved` words, such as `on` after `attack`, mean the
  /// name is missing).
  mutating func parseName(_ expected: String, reserved: Set<String> = []) throws -> Name {
    let t = current
    guard t.kind == .identifier, !reserved.contains(t.text) else {
      throw error("expected \(expected), found \(t)", at: t)
    }
    advance()
    return Name(t.text, range: t.range)
  }

  /// True when the next tokens are `identifier =`.
  var atArgument: Bool { current.kind == .identifier && peek(1).kind == .equals }

  /// `name=value`
  mutating func parseArgument() throws -> NamedArgument {
    let name = advance()
    advance()  // '='
    let value = try parseExpression("a value after '\(name.text)='")
    return NamedArgument(name: name.text, nameRange: name.range, value: value)
  }

  /// The range from `first` to the last consumed token.
  func rangeFrom(_ first: Token) -> SourceRange { first.range.union(previous.range) }

  /// Whether the current token is the literal `word` (`=` is a symbol, the rest identifiers).
  func matches(_ word: String) -> Bool {
    word == "=" ? current.kind == .equals : current.isKeyword(word)
  }

  /// Whether an optional group begins at the current token.
  func starts(_ parts: [SyntaxPart], reserved: Set<String>) -> Bool {
    switch parts.first {
    case .word(let w)?: return matches(w)
    case .slot(let s)?:
      switch s.kind {
      case .path, .value: return current.kind == .string || current.kind == .number
      default: return current.kind == .identifier && !reserved.contains(current.text) && peek(1).kind != .equals
      }
    default: return false
    }
  }

  /// Whether an optional group's slots were filled.
  func taken(_ parts: [SyntaxPart], _ slots: Slots) -> Bool {
    SyntaxPattern.slots(parts).contains { slots.names[$0.key] != nil || slots.values[$0.key] != nil }
  }

  /// How an error names an optional group: `'to "FILE"'`, or a lone slot's description.
  func alternative(_ parts: [SyntaxPart]) -> String {
    if parts.count == 1, case .slot(let s) = parts[0] { return s.expected }
    return "'\(SyntaxPattern.line(parts))'"
  }

  /// The placeholder after a literal word in `form` (`to "FILE"`), for "expected 'to "FILE"'".
  func following(_ word: String, in form: StatementForm) -> String {
    let parts = form.pattern.parts
    guard let i = parts.firstIndex(of: .word(word)), i + 1 < parts.count, case .slot(let s) = parts[i + 1] else { return "" }
    return " " + s.placeholder
  }

  /// The statement so far, as written (`model net =`, `save net`).
  func spelled(from first: Token) -> String {
    guard let start = tokens.firstIndex(where: { $0.range == first.range }) else { return first.text }
    return tokens[start..<max(start + 1, min(index, tokens.count))].filter { $0.kind != .newline }.map(\.text).joined(separator: " ")
  }
}
