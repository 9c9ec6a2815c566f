import AdvSpec

/// The generated parts of grammar.md: the statement sections, and one markdown table per
/// architecture, attack and data set, rendered from the declarations and kept between marker
/// lines. `adv grammar` rewrites the blocks; a test compares them with a fresh rendering, so
/// grammar.md cannot go stale.
///
/// The rendering is deterministic: registry order, parameter declaration order, no dates.

/// The line before the generated tables in grammar.md.
public let grammarTablesBegin = "<!-- BEGIN GENERATED PARAMETER TABLES -->"
/// The line after the generated tables in grammar.md.
public let grammarTablesEnd = "<!-- END GENERATED PARAMETER TABLES -->"

/// Markdown: a `###` section per kind (architectures, attacks, data sets), in it a `####`
/// heading per component with its doc and aliases, then a table
/// `name | type | default | range | meaning` of its parameters. Ends with a line break.
public func renderParameterTables(vocabulary: Vocabulary) -> String {
  var sections: [String] = []
  for kind in [ComponentKind.architecture, .attack, .dataset, .procedure, .figure] {
    let specs = vocabulary.components(kind)
    // Statement settings and figures exist only where a vocabulary declares them (older test
    // vocabularies do not).
    if (kind == .procedure || kind == .figure) && specs.isEmpty { continue }
    let title = kind == .procedure ? "Statement settings"
      : kind == .figure ? "Figures (`plot`)" : kind.pluralNoun.prefix(1).uppercased() + kind.pluralNoun.dropFirst()
    var section = "### \(title)\n"
    if specs.isEmpty { section += "\nNone registered.\n" }
    for spec in specs { section += "\n" + markdownTable(for: spec) }
    sections.append(section)
  }
  return sections.joined(separator: "\n")
}

/// One component: heading, doc, aliases, parameter table.
func markdownTable(for spec: ComponentSpec) -> String {
  let doc = markdownCell(spec.doc)
  var out = "#### `\(spec.name)`\n\n\(doc)\(doc.hasSuffix(".") ? "" : ".")"
  if !spec.aliases.isEmpty {
    out += " Also spelled " + spec.aliases.map { "`\($0)`" }.joined(separator: ", ") + "."
  }
  out += "\n\n"
  if spec.params.isEmpty { return out + "No parameters.\n" }
  out += "| name | type | default | range | meaning |\n|---|---|---|---|---|\n"
  for p in spec.params {
    let cells = ["`\(p.name)`", p.kind.typeName, markdownCell(spec.defaultDescription(of: p)),
                 markdownCell(p.rangeDescription), markdownCell(p.doc)]
    out += "| " + cells.joined(separator: " | ") + " |\n"
  }
  return out
}

/// Text made safe for a table cell: `|` escaped, line breaks flattened.
func markdownCell(_ text: String) -> String {
  String(text.flatMap { c -> [Character] in
    if c == "|" { return ["\\", "|"] }
    return c.isNewline ? [" "] : [c]
  })
}

/// The line before the generated statement sections in grammar.md.
public let grammarStatementsBegin = "<!-- BEGIN GENERATED STATEMENTS -->"
/// The line after the generated statement sections in grammar.md.
public let grammarStatementsEnd = "<!-- END GENERATED STATEMENTS -->"

/// Markdown: a `###` section per statement (`Statements.all` order): the syntax in a code
/// block, the one-line doc and the details, then the examples in a code block.
public func renderStatementSections(vocabulary: Vocabulary) -> String {
  Statements.all.map { statement in
    let doc = statement.doc.prefix(1).uppercased() + statement.doc.dropFirst()
    let details = statement.details(vocabulary)
    var out = "### \(statement.title ?? "`\(statement.name)`")\n\n"
    out += "```\n" + statement.syntax.joined(separator: "\n") + "\n```\n\n"
    let prose = doc + (doc.hasSuffix(".") ? "" : ".") + (details.isEmpty ? "" : " " + details)
    out += prose.components(separatedBy: "\n\n").map { wrapped($0, width: 100) }.joined(separator: "\n\n") + "\n\n"
    out += "```\n" + statement.examples.joined(separator: "\n") + "\n```\n"
    return out
  }.joined(separator: "\n")
}

/// A paragraph broken into lines of at most `width` characters at spaces (a longer word stays
/// whole on its own line).
func wrapped(_ paragraph: String, width: Int) -> String {
  // A markdown table keeps its lines.
  if paragraph.hasPrefix("|") { return paragraph }
  var lines: [String] = []
  var line = ""
  for word in paragraph.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
    if !line.isEmpty && line.count + 1 + word.count > width {
      lines.append(line)
      line = ""
    }
    line += (line.isEmpty ? "" : " ") + word
  }
  if !line.isEmpty { lines.append(line) }
  return lines.joined(separator: "\n")
}

/// A generated part of grammar.md: its marker lines and its rendering.
struct GeneratedBlock {
  let begin: String
  let end: String
  let render: (Vocabulary) -> String

  static let all = [
    GeneratedBlock(begin: grammarStatementsBegin, end: grammarStatementsEnd, render: renderStatementSections),
    GeneratedBlock(begin: grammarTablesBegin, end: grammarTablesEnd, render: renderParameterTables),
    GeneratedBlock(begin: grammarKeywordsBegin, end: grammarKeywordsEnd, render: renderKeywords),
    GeneratedBlock(begin: grammarEBNFBegin, end: grammarEBNFEnd, render: renderEBNF),
  ]

  /// `existing` with the text between the marker lines replaced by a fresh rendering. Without
  /// the markers the block is appended; with only the begin marker, everything after it is
  /// replaced.
  func update(_ existing: String, vocabulary: Vocabulary) -> String {
    let block = begin + "\n\n" + render(vocabulary) + "\n" + end
    guard let b = existing.firstRange(of: begin) else {
      let separator = existing.isEmpty || existing.hasSuffix("\n\n") ? "" : existing.hasSuffix("\n") ? "\n" : "\n\n"
      return existing + separator + block + "\n"
    }
    let before = existing[..<b.lowerBound]
    guard let e = existing[b.upperBound...].firstRange(of: end) else { return before + block + "\n" }
    return before + block + existing[e.upperBound...]
  }

  /// The generated text currently between the markers (without the blank lines around), or nil.
  func current(in grammar: String) -> String? {
    guard let b = grammar.firstRange(of: begin), let e = grammar[b.upperBound...].firstRange(of: end) else { return nil }
    var inner = grammar[b.upperBound..<e.lowerBound]
    while inner.first == "\n" { inner.removeFirst() }
    while inner.hasSuffix("\n\n") { inner.removeLast() }
    return String(inner)
  }
}

/// `existing` with every generated block (statement sections, parameter tables) rendered
/// afresh between its marker lines. Applying it twice changes nothing the second time.
public func updateGrammar(_ existing: String, vocabulary: Vocabulary) -> String {
  GeneratedBlock.all.reduce(existing) { $1.update($0, vocabulary: vocabulary) }
}

/// The generated tables currently in a grammar.md text (between the markers, without them
/// and the blank lines around), or nil when the markers are missing.
public func generatedTables(in grammar: String) -> String? {
  GeneratedBlock.all[1].current(in: grammar)
}

/// The generated statement sections currently in a grammar.md text, or nil.
public func generatedStatements(in grammar: String) -> String? {
  GeneratedBlock.all[0].current(in: grammar)
}
