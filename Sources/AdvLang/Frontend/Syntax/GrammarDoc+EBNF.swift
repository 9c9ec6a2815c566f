import AdvSpec

/// grammar.md's keyword list and EBNF, rendered from the statement patterns, so the grammar
/// cannot lag behind the parser (`GeneratedBlock` keeps them between marker lines).

public let grammarKeywordsBegin = "<!-- BEGIN GENERATED KEYWORDS -->"
public let grammarKeywordsEnd = "<!-- END GENERATED KEYWORDS -->"
public let grammarEBNFBegin = "<!-- BEGIN GENERATED EBNF -->"
public let grammarEBNFEnd = "<!-- END GENERATED EBNF -->"

/// Every literal word of every statement pattern, in first-use order, then `true` and `false`.
public func languageKeywords() -> [String] {
  var seen: Set<String> = []
  return (Statements.all.flatMap { $0.forms.flatMap(\.pattern.words) } + ["true", "false"]).filter { seen.insert($0).inserted }
}

/// The "Keywords" paragraph of the lexical structure.
public func renderKeywords(vocabulary: Vocabulary) -> String {
  let words = languageKeywords().map { "`\($0)`" }.joined(separator: ", ")
  return wrapped("- **Keywords** are lower case: \(words). They are reserved only where they have a meaning: a "
    + "statement starts with its keyword, and a keyword a statement expects next (`on` after `attack bim`, "
    + "`to` after `save net`) cannot be a name there.", width: 100)
    .split(separator: "\n").enumerated().map { $0.offset == 0 ? String($0.element) : "  " + $0.element }.joined(separator: "\n") + "\n"
}

/// The grammar in EBNF: one rule per statement form, then the fixed rules of arguments,
/// expressions and tokens.
public func renderEBNF(vocabulary: Vocabulary) -> String {
  let forms = Statements.all.flatMap(\.forms)
  let names = forms.map { ruleName($0.id) }
  let width = max(10, names.map(\.count).max() ?? 0)
  func rule(_ name: String, _ body: String) -> String { name.padding(toLength: width, withPad: " ", startingAt: 0) + " = " + body + " ;" }
  var lines = [rule("script", "{ separator | statement }"), rule("separator", "NEWLINE | \";\""), ""]
  lines.append(rule("statement", names.joined(separator: " | ")))
  for (form, name) in zip(forms, names) {
    var line = rule(name, ebnf(form.pattern.parts))
    let once = requiredGroups(form.pattern.parts)
    if !once.isEmpty { line += "   (* " + once.joined(separator: " and ") + " exactly once *)" }
    lines.append(line)
  }
  lines += ["", rule("argument", "IDENT \"=\" expr"), rule("expr", "term { ( \"+\" | \"-\" ) term }"),
            rule("term", "unary { ( \"*\" | \"/\" ) unary }"), rule("unary", "( \"-\" | \"+\" ) unary | primary"),
            rule("primary", "NUMBER | STRING | IDENT | \"(\" expr \")\" | list"),
            rule("list", "\"[\" [ expr { \",\" expr } [ \",\" ] ] \"]\""), "",
            rule("NAME", "IDENT"),
            rule("IDENT", "( letter | \"_\" ) { letter | digit | \"_\" | \"-\" ( letter | digit ) }"),
            rule("NUMBER", "digits [ \".\" digits ] [ ( \"e\" | \"E\" ) [ \"+\" | \"-\" ] digits ]"),
            rule("digits", "digit { digit | \"_\" }"),
            rule("STRING", "'\"' { char | \"\\\" ( '\"' | \"\\\" | \"n\" | \"t\" ) } '\"'") + "   (* char: not '\"', \"\\\" or a line break *)",
            rule("COMMENT", "\"#\" { any character but a line break }")]
  return "```ebnf\n" + lines.joined(separator: "\n") + "\n```\n"
}

/// `model = train` → `modeltrain`, `save adversarials` → `saveadversarials`.
func ruleName(_ id: String) -> String { id.filter { $0.isLetter } }

func ebnf(_ parts: [SyntaxPart]) -> String {
  parts.map { part -> String in
    switch part {
    case .word(let w): return "\"\(w)\""
    case .slot(let slot):
      switch slot.kind {
      case .newModel, .model, .component: return "NAME"
      case .models: return "NAME { \",\" NAME }"
      case .choice(let options): return "( " + options.map { "\"\($0)\"" }.joined(separator: " | ") + " )"
      case .path, .value: return "expr"
      }
    case .arguments: return "{ argument }"
    case .optional(let inner): return "[ " + ebnf(inner) + " ]"
    case .anyOrder(let groups):
      return "{ " + groups.map { $0.isArguments ? "argument" : ebnf($0.parts) }.joined(separator: " | ") + " }"
    case .opaque(_, let text, _): return text
    }
  }.joined(separator: " ")
}

func requiredGroups(_ parts: [SyntaxPart]) -> [String] {
  parts.flatMap { part -> [String] in
    guard case .anyOrder(let groups) = part else { return [] }
    return groups.filter(\.required).map { ebnf($0.parts) }
  }
}

/// The generated EBNF currently in a grammar.md text, or nil.
public func generatedEBNF(in grammar: String) -> String? {
  GeneratedBlock.all[3].current(in: grammar)
}

/// The generated keyword paragraph currently in a grammar.md text, or nil.
public func generatedKeywords(in grammar: String) -> String? {
  GeneratedBlock.all[2].current(in: grammar)
}

/// Whether every generated block of a grammar.md text is as the declarations render it.
public func grammarIsCurrent(_ grammar: String, vocabulary: Vocabulary) -> Bool {
  updateGrammar(grammar, vocabulary: vocabulary) == grammar
}
