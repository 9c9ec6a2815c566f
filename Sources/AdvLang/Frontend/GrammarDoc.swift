import AdvTensor

/// The generated part of grammar.md: one markdown table per architecture, attack and data set,
/// rendered from the declarations and kept between two marker lines. `adv grammar` rewrites
/// the block; a test compares it with a fresh rendering, so grammar.md cannot go stale.
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
  for kind in [ComponentKind.architecture, .attack, .dataset] {
    let title = kind.pluralNoun.prefix(1).uppercased() + kind.pluralNoun.dropFirst()
    var section = "### \(title)\n"
    let specs = vocabulary.components(kind)
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

/// `existing` with the text between the marker lines replaced by a fresh rendering. Without
/// the markers the block is appended; with only the begin marker, everything after it is
/// replaced. Applying it twice changes nothing the second time.
public func updateGrammar(_ existing: String, vocabulary: Vocabulary) -> String {
  let block = grammarTablesBegin + "\n\n" + renderParameterTables(vocabulary: vocabulary) + "\n" + grammarTablesEnd
  guard let begin = existing.firstRange(of: grammarTablesBegin) else {
    let separator = existing.isEmpty || existing.hasSuffix("\n\n") ? "" : existing.hasSuffix("\n") ? "\n" : "\n\n"
    return existing + separator + block + "\n"
  }
  let before = existing[..<begin.lowerBound]
  guard let end = existing[begin.upperBound...].firstRange(of: grammarTablesEnd) else {
    return before + block + "\n"
  }
  return before + block + existing[end.upperBound...]
}

/// The generated tables currently in a grammar.md text (between the markers, without them
/// and the blank lines around), or nil when the markers are missing.
public func generatedTables(in grammar: String) -> String? {
  guard let begin = grammar.firstRange(of: grammarTablesBegin),
        let end = grammar[begin.upperBound...].firstRange(of: grammarTablesEnd)
  else { return nil }
  var inner = grammar[begin.upperBound..<end.lowerBound]
  while inner.first == "\n" { inner.removeFirst() }
  while inner.hasSuffix("\n\n") { inner.removeLast() }
  return String(inner)
}
