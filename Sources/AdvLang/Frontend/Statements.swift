import AdvTensor

/// The statement registry — each statement's keyword, syntax, one-line doc and example,
/// declared once — and the `:help` texts rendered from it and from the vocabulary.

/// The declaration of one statement.
public struct StatementSpec: Sendable, Hashable {
  /// The keyword that starts it.
  public let name: String
  /// The syntax line, as grammar.md and `:help` show it.
  public let syntax: String
  public let doc: String
  /// A line that checks when a data set is loaded and a model `net` is defined.
  public let example: String
  /// The kind of component the statement names, listed by `:help STATEMENT`.
  public let names: ComponentKind?

  public init(name: String, syntax: String, doc: String, example: String, names: ComponentKind? = nil) {
    self.name = name
    self.syntax = syntax
    self.doc = doc
    self.example = example
    self.names = names
  }
}

/// Every statement of the language, in the order help lists them.
public enum Statements {
  public static let all: [StatementSpec] = [
    StatementSpec(name: "seed", syntax: "seed N",
                  doc: "fix the seed of every random choice after it (subsets, initialisation, batches, noise)",
                  example: "seed 7"),
    StatementSpec(name: "load", syntax: "load DATASET [from \"PATH\"] [key=value ...]",
                  doc: "load a data set: the embedded copy, or the files in PATH",
                  example: "load mnist from \"data/mnist\" train=1000", names: .dataset),
    StatementSpec(name: "model", syntax: "model NAME = train ARCH [from MODEL] [key=value ...] | model NAME = load \"FILE\" as ARCH [key=value ...]",
                  doc: "train a model of architecture ARCH on the loaded data set (starting from MODEL's weights with 'from'; or load one saved with 'save') and call it NAME",
                  example: "model net = train lenet epochs=3 lr=0.001", names: .architecture),
    StatementSpec(name: "evaluate", syntax: "evaluate NAME",
                  doc: "measure a model's clean accuracy on the test split",
                  example: "evaluate net"),
    StatementSpec(name: "attack", syntax: "attack ATTACK [key=value ...] on NAME [key=value ...]",
                  doc: "attack a model; records attack success rate and mean L2 distance per pixel",
                  example: "attack bim eps=32/255 on net samples=100", names: .attack),
    StatementSpec(name: "for", syntax: "for VAR in [VALUE, ...] { STATEMENTS }",
                  doc: "run the statements once per value, VAR standing for the value",
                  example: "for eps in [8/255, 16/255] { attack bim eps=eps on net }"),
    StatementSpec(name: "save", syntax: "save NAME to \"FILE.safetensors\"",
                  doc: "write a model's weights (PyTorch state_dict names) and settings to a safetensors file",
                  example: "save net to \"net.safetensors\""),
    StatementSpec(name: "set", syntax: "set policy of NAME = single | average(N)",
                  doc: "how a stochastic model answers: one forward pass, or the mean logits of N passes",
                  example: "set policy of net = average(5)"),
    StatementSpec(name: "report", syntax: "report [text|markdown|csv|json] [to \"FILE\"]",
                  doc: "print the results so far, or write them to FILE (format from its extension if not given)",
                  example: "report markdown to \"results.md\""),
  ]

  /// The statement a help topic names; `train` finds `model`.
  public static func named(_ topic: String) -> StatementSpec? {
    let key = topic == "train" ? "model" : topic.lowercased()
    return all.first { $0.name == key }
  }
}

/// The overview `:help` prints: statements, registered names, how to ask for more.
public func helpText(vocabulary: Vocabulary) -> String {
  var out = "statements:\n"
  for statement in Statements.all { out += "  \(statement.syntax)\n      \(statement.doc)\n" }
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
  if let statement = Statements.named(topic) { return statementHelp(statement, vocabulary: vocabulary) }
  let matches = vocabulary.allComponents.filter { $0.matches(topic) }
  guard !matches.isEmpty else { return nil }
  return matches.map(componentHelp).joined(separator: "\n")
}

/// The same as `helpText(topic:vocabulary:)`, for callers that think of the topic as a
/// statement.
public func helpText(statement: String, vocabulary: Vocabulary) -> String? {
  helpText(topic: statement, vocabulary: vocabulary)
}

func statementHelp(_ statement: StatementSpec, vocabulary: Vocabulary) -> String {
  var out = "\(statement.syntax)\n  \(statement.doc)\nexample:\n  \(statement.example)\n"
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
