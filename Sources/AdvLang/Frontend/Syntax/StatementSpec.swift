import AdvSpec

/// The declaration of a statement: everything the parser, the checker, `:help`, completion,
/// grammar.md and the fuzzers know of it. Each statement declares itself in its own file under
/// `Statements/` (pattern, doc, examples, checker rule, step type with its run step and traits)
/// and is listed once in `Statements.all`.

/// One form of a statement: its pattern and the checker rule that turns its slots into a step.
public struct StatementForm: Sendable {
  /// Names the form in the syntax tree (`attack`, `model = train`).
  public let id: String
  public let pattern: SyntaxPattern
  /// A bespoke parse rule, for forms a pattern cannot say (`for`'s body, `average(N)`);
  /// the pattern then only documents and completes it.
  let parse: (@Sendable (inout Parser) throws -> Statement)?
  /// Reports what is wrong and, when nothing is, emits the step.
  let check: @Sendable (inout CheckPass, Statement, Slots) -> Void

  init(_ id: String, _ pattern: SyntaxPattern, parse: (@Sendable (inout Parser) throws -> Statement)? = nil,
       check: @escaping @Sendable (inout CheckPass, Statement, Slots) -> Void) {
    self.id = id
    self.pattern = pattern
    self.parse = parse
    self.check = check
  }
}

/// A statement as `:help` and grammar.md present it: one keyword, one or more forms.
public struct StatementSpec: Sendable {
  /// The keyword that starts it.
  public let name: String
  /// The heading in grammar.md when it is not the keyword alone (`model … = train`).
  public let title: String?
  public let forms: [StatementForm]
  /// One line: what it does (`:help` overview).
  public let doc: String
  /// The rest of its description (markdown), rendered with the vocabulary so lists of names
  /// come from the registries.
  public let details: @Sendable (Vocabulary) -> String
  /// Lines that check when a data set is loaded and a model `net` is defined.
  public let examples: [String]
  /// The kind of component the statement names, listed by `:help STATEMENT`.
  public let names: ComponentKind?
  /// Other help topics that find it (`train` finds `model`).
  public let topics: [String]

  init(name: String, title: String? = nil, forms: [StatementForm], doc: String,
       details: @escaping @Sendable (Vocabulary) -> String = { _ in "" },
       examples: [String], names: ComponentKind? = nil, topics: [String] = []) {
    self.name = name
    self.title = title
    self.forms = forms
    self.doc = doc
    self.details = details
    self.examples = examples
    self.names = names
    self.topics = topics
  }

  /// The syntax, one line per form, as grammar.md and `:help` show it.
  public var syntax: [String] { forms.map(\.pattern.line) }

  /// The first example.
  public var example: String { examples[0] }
}

extension Statements {
  /// The statement a help topic names; `train` finds `model`, `policy` finds `set`.
  public static func named(_ topic: String) -> StatementSpec? {
    let key = topic.lowercased()
    return all.first { $0.name == key } ?? all.first { $0.topics.contains(key) }
  }

  /// The forms that start with `keyword`, in declaration order.
  static func forms(startingWith keyword: String) -> [StatementForm] {
    all.first { $0.name == keyword }?.forms ?? []
  }

  /// The form with `id`.
  public static func form(_ id: String) -> StatementForm? {
    all.lazy.flatMap(\.forms).first { $0.id == id }
  }
}
