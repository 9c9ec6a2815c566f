import AdvTensor

/// Tab completion as a pure function: the text before the cursor and what the session knows
/// in, the candidates out. Every word comes from a declaration (statements, the vocabulary's
/// components and their parameters, the `:commands`) or from the session (model names), never
/// from a list kept here. The readline glue in `REPL.swift` only passes text in and words out.

/// What Tab may offer at one spot.
public enum Completion: Sendable, Equatable {
  /// These words (each completes the partial word before the cursor).
  case words([String])
  /// File names: the cursor is inside a string, or after `:save` / `:load`.
  case files
}

/// What completion needs from the session.
public struct CompletionContext: Sendable {
  public var vocabulary: Vocabulary
  /// Models the session defines, in order of definition.
  public var models: [String]
  /// Earlier lines of an unfinished block (typed at `...>`): models it defines count too.
  public var pending: String

  public init(vocabulary: Vocabulary, models: [String], pending: String = "") {
    self.vocabulary = vocabulary
    self.models = models
    self.pending = pending
  }
}

public enum Completer {
  /// Characters that end the word Tab completes; readline is given the same set. `-` is not
  /// one: it belongs to names such as `bsn-2`. `/` is not one: paths are completed whole.
  public static let wordBreakCharacters = " \t\n\"=;{}[](),+*#"

  /// The candidates for the partial word that ends `before` (the line up to the cursor).
  public static func complete(_ before: String, in context: CompletionContext) -> Completion {
    let scan = InputScan(before)
    if scan.inString { return .files }
    if scan.inComment { return .words([]) }
    let partial = String(before.reversed().prefix { !wordBreakCharacters.contains($0) }.reversed())
    let head = String(before.dropLast(partial.count))
    let trimmed = head.drop(while: \.isWhitespace)
    if context.pending.isEmpty, trimmed.hasPrefix(":") || (trimmed.isEmpty && partial.hasPrefix(":")) {
      return command(String(trimmed), partial, context)
    }
    let statement = String(head[statementStart(in: head)...])
    // Inside `[ … ]` or `( … )` a value is being written; names of components are not expected.
    if InputScan(statement).brackets > 0 { return .words([]) }
    let words = Lexer.tokenize(SourceFile(name: "", text: statement)).tokens
      .filter { $0.kind != .newline && $0.kind != .end }
    return .words(filter(candidates(after: words, context), by: partial))
  }

  /// Where the statement being typed starts: after the last `;`, `{` or `}` outside strings
  /// and comments.
  static func statementStart(in text: String) -> String.Index {
    var start = text.startIndex
    var inString = false, escaped = false, inComment = false
    for i in text.indices {
      let c = text[i]
      if c.isNewline {
        (inString, escaped, inComment) = (false, false, false)
        start = text.index(after: i)
      } else if inComment {
        continue
      } else if inString {
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
      } else if c == "\"" {
        inString = true
      } else if c == "#" {
        inComment = true
      } else if ";{}".contains(c) {
        start = text.index(after: i)
      }
    }
    return start
  }

  /// `:he` → `:help`; `:help b` → topics; `:save ` → files.
  static func command(_ head: String, _ partial: String, _ context: CompletionContext) -> Completion {
    let parts = head.split(whereSeparator: \.isWhitespace).map(String.init)
    guard let name = parts.first else {
      return .words(filter(REPLCommand.all.map(\.name), by: partial))
    }
    guard parts.count == 1, let command = REPLCommand.named(name) else { return .words([]) }
    switch command.name {
    case ":help": return .words(filter(helpTopics(vocabulary: context.vocabulary), by: partial))
    case ":save", ":load": return .files
    default: return .words([])
    }
  }

  /// Words valid after the tokens of a statement so far.
  static func candidates(after tokens: [Token], _ context: CompletionContext) -> [String] {
    let vocabulary = context.vocabulary
    let models = context.models + definedModels(in: context.pending)
    let words = tokens.map(\.text)
    guard let keyword = words.first else { return Statements.all.map(\.name) }
    let n = words.count
    switch keyword {
    case "load":
      if n == 1 { return vocabulary.spellings(.dataset) }
      return arguments(tokens, from: 2, of: vocabulary.component(.dataset, named: words[1]),
                       keywords: ["from": []])
    case "model":
      guard n >= 3, words[2] == "=" else { return [] }
      if n == 3 { return ["train", "load", "surrogate", "mixture"] }
      if words[3] == "surrogate" {
        if n == 4 { return vocabulary.spellings(.architecture) }
        if n == 5 { return ["of"] }
        if n == 6 { return models }
        let settings = vocabulary.component(.procedure, named: "surrogate")
        let spec = vocabulary.component(.architecture, named: words[4]).flatMap { arch in settings.map(ComponentSpec.merging(arch)) }
        return arguments(tokens, from: 7, of: spec, keywords: [:])
      }
      if words[3] == "mixture" {
        // Members until the first setting: a ',' inside `weights=[3, ` is not a member's.
        if n == 4 || (words.last == "," && !words.dropFirst(4).contains("=")) { return models }
        return arguments(tokens, from: 4, of: vocabulary.component(.procedure, named: "mixture"), keywords: [:])
      }
      if words[3] == "train" {
        if n == 4 { return vocabulary.spellings(.architecture) }
        return arguments(tokens, from: 5, of: vocabulary.component(.architecture, named: words[4]),
                         keywords: ["from": models])
      }
      guard words[3] == "load", n >= 5 else { return [] }
      if n == 5 { return tokens[4].kind == .string ? ["as"] : [] }
      guard words[5] == "as" else { return [] }
      if n == 6 { return vocabulary.spellings(.architecture) }
      return arguments(tokens, from: 7, of: vocabulary.component(.architecture, named: words[6]), keywords: [:])
    case "evaluate":
      return n == 1 ? models : []
    case "attack":
      if n == 1 { return vocabulary.spellings(.attack) }
      if words.last == "on" && n > 2 { return models }
      let spec = vocabulary.component(.attack, named: words[1])
      // `on MODEL` is written once; after it only parameters follow.
      let keywords = words.dropFirst(2).contains("on") ? [:] : ["on": models]
      return arguments(tokens, from: 2, of: spec, keywords: keywords)
    case "transfer":
      if n == 1 { return vocabulary.spellings(.attack) }
      if ["from", "to", ","].contains(words.last ?? "") && n > 2 { return models }
      let settings = vocabulary.component(.procedure, named: "transfer")
      let spec = vocabulary.component(.attack, named: words[1]).flatMap { attack in settings.map(ComponentSpec.merging(attack)) }
      let keywords = ["from", "to"].filter { !words.dropFirst(2).contains($0) }.reduce(into: [String: [String]]()) { $0[$1] = models }
      return arguments(tokens, from: 2, of: spec, keywords: keywords)
    case "save":
      if n == 1 { return models + ["adversarials"] }
      if words[1] == "adversarials" {
        if n == 2 { return ["of", "to"] }
        if n == 3 && words[2] == "of" { return models }
        return n == 4 && words[2] == "of" ? ["to"] : []
      }
      return n == 2 ? ["to"] : []
    case "plot":
      if n == 1 { return vocabulary.spellings(.figure) }
      // Models after `of` and after a ',' in that list (not inside `around=[0, 1`).
      if words.last == "of" || (words.last == "," && !words.dropFirst(2).contains("=")) { return models }
      let keywords = ["of": models, "to": [String]()].filter { !words.dropFirst(2).contains($0.key) }
      return arguments(tokens, from: 2, of: vocabulary.component(.figure, named: words[1]), keywords: keywords)
    case "set":
      let expected: [[String]] = [["policy"], ["of"], models, ["="], ["single", "average"]]
      return n <= expected.count ? expected[n - 1] : []
    case "report":
      if n == 1 { return ReportFormat.allCases.map(\.rawValue) + ["to"] }
      return n == 2 && words[1] != "to" ? ["to"] : []
    case "for":
      return n == 2 ? ["in"] : []
    default:
      return []
    }
  }

  /// After a component: its `name=` parameters not given yet and the keywords not used yet;
  /// after `KEYWORD`, the words that keyword takes; after `name=`, the parameter's choices.
  static func arguments(_ tokens: [Token], from start: Int, of spec: ComponentSpec?,
                        keywords: [String: [String]]) -> [String] {
    let rest = Array(tokens.dropFirst(start))
    var given: Set<String> = []
    for (i, token) in rest.enumerated() where token.kind == .equals && i > 0 {
      given.insert(canonicalName(rest[i - 1].text))
    }
    guard let last = rest.last else {
      return parameterNames(spec, except: given) + keywords.keys.sorted()
    }
    if last.kind == .equals {
      guard rest.count >= 2, let param = spec?.params.first(where: { canonicalName($0.name) == canonicalName(rest[rest.count - 2].text) })
      else { return [] }
      switch param.kind {
      case .choice(let options): return options
      case .bool: return ["true", "false"]
      case .real, .int, .reals: return []
      }
    }
    // Inside an open list (`weights=[3, 1`) only its values follow.
    let open = rest.filter { $0.kind == .leftBracket }.count - rest.filter { $0.kind == .rightBracket }.count
    if open > 0 { return [] }
    if last.kind == .identifier, let taken = keywords[last.text] { return taken }
    // Only after a complete value (or the component's name) does a new argument start.
    let endsValue: Set<Token.Kind> = [.identifier, .number, .string, .rightParen, .rightBracket]
    guard endsValue.contains(last.kind) else { return [] }
    let used = Set(rest.map(\.text))
    return parameterNames(spec, except: given) + keywords.keys.sorted().filter { !used.contains($0) }
  }

  static func parameterNames(_ spec: ComponentSpec?, except given: Set<String>) -> [String] {
    (spec?.params ?? []).filter { !given.contains(canonicalName($0.name)) }.map { $0.name + "=" }
  }

  /// Models an unfinished block defines (`model NAME = …` lines), so the lines after them
  /// complete them too.
  static func definedModels(in text: String) -> [String] {
    guard !text.isEmpty else { return [] }
    let tokens = Lexer.tokenize(SourceFile(name: "", text: text)).tokens
    var names: [String] = []
    for i in tokens.indices.dropLast(2) where tokens[i].isKeyword("model") && tokens[i + 2].kind == .equals {
      if tokens[i + 1].kind == .identifier { names.append(tokens[i + 1].text) }
    }
    return names
  }

  /// The words that start with `partial` (case ignored), each once, in order.
  static func filter(_ words: [String], by partial: String) -> [String] {
    var seen: Set<String> = []
    let key = partial.lowercased()
    return words.filter { $0.lowercased().hasPrefix(key) && seen.insert($0).inserted }
  }
}
