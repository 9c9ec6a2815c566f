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
