import AdvSpec
import Foundation

/// The `:help` texts, rendered from the statement declarations (`Statements/`) and the
/// vocabulary.

/// `a`, `b` and `c` as markdown code.
func codeList(_ names: [String]) -> String {
  listed(names) { "`\($0)`" }
}

/// The overview `:help` prints: statements, registered names, how to ask for more.
public func helpText(vocabulary: Vocabulary) -> String {
  var out = "statements:\n"
  for statement in Statements.all {
    out += statement.syntax.map { "  \($0)\n" }.joined() + "      \(statement.doc)\n"
  }
  out += "\n"
  for kind in [ComponentKind.architecture, .attack, .dataset] {
    let names = vocabulary.components(kind).map(\.name)
    out += "\(kind.pluralNoun): \(names.isEmpty ? "none" : names.joined(separator: ", "))\n"
  }
  out += """

    values: numbers with + - * / and parentheses (32/255), "strings", words (sgd), true, false
    comments start with '#'; ';' or a new line ends a statement
    ':help STATEMENT' explains a statement, ':help NAME' shows a component's parameters

    """
  return out
}

/// Help on one topic: a statement keyword (with the components it names) or the name of an
/// architecture, attack or data set (with its parameter table). Nil for an unknown topic.
public func helpText(topic: String, vocabulary: Vocabulary) -> String? {
  if let statement = Statements.named(topic) {
    // A statement with settings of its own (`transfer`) shows their table too.
    let settings = vocabulary.component(.procedure, named: statement.name).map { "\n" + componentHelp($0) } ?? ""
    return statementHelp(statement, vocabulary: vocabulary) + settings
  }
  let matches = vocabulary.allComponents.filter { $0.matches(topic) }
  guard !matches.isEmpty else { return nil }
  return matches.map(componentHelp).joined(separator: "\n")
}

func statementHelp(_ statement: StatementSpec, vocabulary: Vocabulary) -> String {
  var out = statement.syntax.joined(separator: "\n") + "\n  \(statement.doc)\n"
  let details = statement.details(vocabulary)
  if !details.isEmpty {
    out += details.components(separatedBy: "\n\n").map { paragraph in
      wrapped(paragraph, width: 96).split(separator: "\n").map { "  \($0)\n" }.joined()
    }.joined(separator: "\n")
  }
  out += (statement.examples.count == 1 ? "example:\n" : "examples:\n") + statement.examples.map { "  \($0)\n" }.joined()
  if let kind = statement.names {
    let specs = vocabulary.components(kind)
    out += "\n\(kind.pluralNoun):\n"
    if specs.isEmpty { out += "  none registered\n" }
    let width = specs.map(\.name.count).max() ?? 0
    let indent = String(repeating: " ", count: width + 4)
    for spec in specs {
      out += "  \(spec.name)\(String(repeating: " ", count: width - spec.name.count))  \(spec.doc)\n"
      let defaults = spec.params.map { "\($0.name)=\($0.defaultValue)" }.joined(separator: " ")
      if !defaults.isEmpty { out += "\(indent)\(defaults)\n" }
    }
    if let first = specs.first { out += "':help \(first.name)' shows the parameters of '\(first.name)'\n" }
  }
  return out
}

/// A component's name, aliases, doc, usage and parameter table.
func componentHelp(_ spec: ComponentSpec) -> String {
  let aliases = spec.aliases.isEmpty ? "" : " (also: \(spec.aliases.joined(separator: ", ")))"
  var out = "\(spec.kind.noun) \(spec.name)\(aliases)\n  \(spec.doc)\nusage:\n  \(usage(of: spec))\n"
  if spec.params.isEmpty {
    out += "no parameters\n"
  } else {
    out += "parameters:\n"
    let rows = [["name", "type", "default", "range", "meaning"]]
      + spec.params.map { [$0.name, $0.kind.typeName, spec.defaultDescription(of: $0), $0.rangeDescription, $0.doc] }
    out += textTable(rows, indent: "  ")
  }
  return out
}

/// How a statement uses a component: `attack bim [key=value ...] on NAME`.
func usage(of spec: ComponentSpec) -> String {
  switch spec.kind {
  case .architecture: return "model NAME = train \(spec.name) [key=value ...]"
  case .attack: return "attack \(spec.name) [key=value ...] on NAME"
  case .dataset: return "load \(spec.name) [from \"PATH\"] [key=value ...]"
  case .procedure:
    return Statements.all.flatMap(\.syntax).first { $0.contains(spec.name) } ?? spec.name
  case .figure:
    let figure = Figures.declarations(attacks: []).first { $0.name == spec.name }
    return figure?.usage ?? "plot \(spec.name) [key=value ...]"
  }
}

/// Rows as left-aligned columns two spaces apart, without trailing spaces.
func textTable(_ rows: [[String]], indent: String = "") -> String {
  let columns = rows.map(\.count).max() ?? 0
  let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
  return rows.map { row in
    let cells = row.enumerated().map { c, cell in
      c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count)
    }
    let line = indent + cells.joined(separator: "  ")
    return String(line.reversed().drop(while: { $0 == " " }).reversed())
  }.map { $0 + "\n" }.joined()
}
