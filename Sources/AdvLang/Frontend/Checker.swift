import AdvSpec

/// The one entry point of the front end: text in, a checked plan or every diagnostic out.
///
/// `check` lexes, parses and checks a file: names (data sets, architectures, attacks, models,
/// loop variables, parameters), types and ranges of every value, and order of use (a model
/// before it is used, a data set before training). It evaluates expressions and unrolls `for`
/// loops, so the plan it returns needs no further interpretation. Every independent error is
/// reported; nothing is planned if there is one.
///
/// The checker remembers what succeeded checks defined (models, the loaded data set), so a
/// REPL can check one input at a time: `model net = train lenet` in one input makes
/// `evaluate net` valid in the next. A failed check leaves the environment unchanged.
public struct Checker: Sendable {
  /// What earlier statements defined.
  public struct Environment: Sendable, Hashable {
    /// Each defined model's architecture. Redefining a name replaces the model (later wins,
    /// which a sweep such as `for a in [lenet, mlp] { model net = train a … }` relies on).
    public private(set) var models: [String: ComponentSpec] = [:]
    /// The data set each model is trained on (absent when none was loaded, which the checker
    /// reports), so its attacks take that data set's parameter defaults.
    public private(set) var trainedOn: [String: ComponentSpec] = [:]
    /// Model names in order of first definition, for suggestions and notes.
    public private(set) var modelNames: [String] = []
    /// The most recently loaded data set.
    public var dataset: ComponentSpec? = nil
    /// Models attacked so far (white-box `attack` targets), in order of their latest attack:
    /// what `plot adversarials` and `save adversarials` can draw on.
    public private(set) var attacked: [String] = []
    /// Default figure files handed out so far, so a second `plot` of a kind gets its own.
    public private(set) var figureFiles: Set<String> = []

    public mutating func noteAttack(on model: String) {
      attacked.removeAll { $0 == model }
      attacked.append(model)
    }

    /// `stem.ext`, or `stem-2.ext`, `stem-3.ext`, … when taken.
    public mutating func newFigureFile(_ stem: String, _ ext: String) -> String {
      var k = 1
      return newFigureFile(stem, ext, from: &k)
    }

    /// `newFigureFile`, trying candidates from the `k`-th on (1: `stem.ext`, n: `stem-n.ext`;
    /// those before it known taken) and leaving `k` past the one given out, so a loop's plots are
    /// named in constant time each.
    public mutating func newFigureFile(_ stem: String, _ ext: String, from k: inout Int) -> String {
      func candidate(_ k: Int) -> String { k == 1 ? "\(stem).\(ext)" : "\(stem)-\(k).\(ext)" }
      while figureFiles.contains(candidate(k)) { k += 1 }
      let name = candidate(k)
      figureFiles.insert(name)
      k += 1
      return name
    }

    public mutating func noteFigureFile(_ path: String) { figureFiles.insert(path) }

    public init() {}

    public mutating func define(model name: String, architecture: ComponentSpec, dataset: ComponentSpec?) {
      if models[name] == nil { modelNames.append(name) }
      models[name] = architecture
      trainedOn[name] = dataset
    }
  }

  /// A loop nest unrolling to more steps than this is refused (it is almost surely a mistake,
  /// and the plan is held in memory).
  public static let maximumSteps = 100_000

  /// Loops checking more statements than this are refused too: nested loops whose bodies plan
  /// nothing (empty, or with errors) would otherwise be checked 2^depth times. Twice the step
  /// limit, so a nest whose statements plan steps is stopped by `maximumSteps` first.
  public static let maximumLoopStatements = 2 * maximumSteps

  public let vocabulary: Vocabulary
  public private(set) var environment: Environment
  /// The output directory, the `--allow-write` paths and a view of the file system: with them
  /// the checker also checks every path a script reads and writes (`Checker+Files.swift`);
  /// without them, only what the script says (a data set that needs `from` has it).
  public let files: FileRules?
  /// The warnings of the latest check (a failed check also lists them among its diagnostics).
  public private(set) var warnings: [Diagnostic] = []
  /// The step limit this checker applies: `maximumSteps`, unless lowered (the fuzzers check
  /// with a tenth of it, so an input's time measures the checker rather than the budget).
  /// Statements checked inside loops are limited to twice it.
  public var stepLimit = Checker.maximumSteps

  public init(vocabulary: Vocabulary, environment: Environment = Environment(), files: FileRules? = nil) {
    self.vocabulary = vocabulary
    self.environment = environment
    self.files = files
  }

  /// Lexes, parses and checks `file`. On success returns the plan and keeps what the file
  /// defined; on failure returns every diagnostic (lexer, parser, checker) in source order.
  public mutating func check(_ file: SourceFile) -> Result<[PlannedStep], CheckFailure> {
    let parsed = Parser.parse(file)
    var pass = CheckPass(file: file, tokens: parsed.tokens, vocabulary: vocabulary, environment: environment, files: files)
    pass.syntaxErrors = parsed.diagnostics.filter { $0.severity == .error }.map(\.range)
    pass.stepLimit = stepLimit
    pass.check(parsed.statements)
    let diagnostics = (parsed.diagnostics + pass.diagnostics).sortedUnique()
    warnings = diagnostics.filter { $0.severity == .warning }
    if diagnostics.contains(where: { $0.severity == .error }) {
      return .failure(CheckFailure(diagnostics: diagnostics))
    }
    environment = pass.environment
    return .success(pass.steps)
  }

  /// `check` for a string, named `name` in diagnostics.
  public mutating func check(_ text: String, name: String = "<input>") -> Result<[PlannedStep], CheckFailure> {
    check(SourceFile(name: name, text: text))
  }
}

/// The state of one check: the environment as it evolves statement by statement, the loop
/// variables in scope, the steps so far and the diagnostics so far.
struct CheckPass {
  let file: SourceFile
  /// The file's tokens, for the text of each step.
  let tokens: [Token]
  let vocabulary: Vocabulary
  var environment: Checker.Environment
  var diagnostics: [Diagnostic] = []
  var steps: [PlannedStep] = []
  /// Loop variables, outermost first.
  /// Loop variables, innermost last: the value, and the item as the script wrote it (`8/255`,
  /// with outer loop variables replaced), which step texts show instead of `0.0313725`.
  var scopes: [(name: String, value: ScriptValue, text: String, exactText: String)] = []
  /// The index in `scopes` of each variable's innermost binding, so a lookup does not walk
  /// a deep nest of loops.
  var innermost: [String: Int] = [:]
  /// Models whose definition failed, in order: uses of them are not reported again, and
  /// suggestions still offer them.
  var brokenModels: [String] = []
  /// A `load` was written, even if it failed: `train` is not reported as unloaded.
  var loadAttempted = false
  /// Ranges of the enclosing `for` statements, outermost first.
  var loops: [SourceRange] = []
  var stepLimitReached = false
  var stepLimit = Checker.maximumSteps
  /// Statements checked inside loops so far; at most twice the step limit.
  var loopStatements = 0
  /// What changed since the last step was emitted (`emit` records it without comparing whole
  /// environments, which would be quadratic in a loop defining many models or figures).
  var changes = Checker.Environment.Changes()
  /// Per figure-file stem, the number to try next (`newFigureFile(_:_:from:)`).
  var figureNumbers: [String: Int] = [:]
  /// Diagnostics reported so far: a loop body's error is found once per value but kept once.
  var reported: Set<Diagnostic> = []
  /// The environment when the last step was emitted: what changed since is what the next step
  /// defines.
  var defined: Checker.Environment
  /// Notes added to every error while checking one argument or name inside a loop body,
  /// saying which loop values were in play ("when 'e' = 2").
  /// Kept as the values, written out only when an error is reported (a loop checks most
  /// arguments many times without one).
  var context: [(name: String, value: ScriptValue)] = []
  /// The rules of reading and writing files, when the check may look at the file system.
  let files: FileRules?
  /// Each file the script writes (absolute), and the first statement that writes it: two
  /// statements writing one file get a warning, and a checkpoint `save` writes may be loaded.
  var writes: [String: SourceRange] = [:]
  /// Where the lexer and parser found errors: a path there (an unterminated string) is not
  /// looked up, so only the syntax error is reported.
  var syntaxErrors: [SourceRange] = []

  init(file: SourceFile, tokens: [Token], vocabulary: Vocabulary, environment: Checker.Environment, files: FileRules? = nil) {
    self.file = file
    self.tokens = tokens
    self.vocabulary = vocabulary
    self.environment = environment
    self.defined = environment
    self.files = files
  }

  // MARK: Reporting

  mutating func report(_ d: Diagnostic) {
    let noted = context.isEmpty ? d
      : Diagnostic(severity: d.severity, message: d.message, range: d.range, hint: d.hint,
                   notes: d.notes + context.map { "when '\($0.name)' = \($0.value)" })
    if reported.insert(noted).inserted { diagnostics.append(noted) }
  }

  mutating func error(_ message: String, at range: SourceRange, hint: String? = nil, notes: [String] = []) {
    report(.error(message, at: range, hint: hint, notes: notes))
  }

  mutating func warning(_ message: String, at range: SourceRange, hint: String? = nil, notes: [String] = []) {
    report(Diagnostic(severity: .warning, message: message, range: range, hint: hint, notes: notes))
  }

  /// Runs `body` with notes naming the loop values that `names` refer to.
  mutating func withContext<T>(of names: [Name], _ body: (inout CheckPass) -> T) -> T {
    let saved = context
    for name in names {
      if let v = lookup(name.text), !context.contains(where: { $0.name == name.text }) {
        context.append((name.text, v))
      }
    }
    defer { context = saved }
    return body(&self)
  }

  // MARK: Loop variables

  func lookup(_ name: String) -> ScriptValue? {
    innermost[name].map { scopes[$0].value }
  }

  var evaluator: Evaluator {
    let scopes = self.scopes, innermost = self.innermost
    // The names only matter for an error's suggestion, so they are gathered only then.
    return Evaluator(lookup: { name in innermost[name].map { scopes[$0].value } }, variableNames: {
      var names: [String] = []
      for s in scopes.reversed() where !names.contains(s.name) { names.append(s.name) }
      return names
    })
  }

  /// The value of `e`, or nil after reporting why there is none.
  mutating func evaluate(_ e: Expr) -> ScriptValue? {
    switch evaluator.evaluate(e) {
    case .success(let v): return v
    case .failure(let d):
      report(d)
      return nil
    }
  }

  /// Binds a loop variable for the body's check; `unbind` undoes it.
  mutating func bind(_ name: String, _ value: ScriptValue, text: String, exactText: String) -> Int? {
    let shadowed = innermost[name]
    innermost[name] = scopes.count
    scopes.append((name, value, text, exactText))
    return shadowed
  }

  mutating func unbind(restoring shadowed: Int?) {
    let name = scopes.removeLast().name
    innermost[name] = shadowed
  }

  // MARK: Steps

  /// The statement in `range` as written, white space between tokens collapsed to one space
  /// (none where there was none, so `eps=8/255` stays), comments dropped, and every loop
  /// variable replaced by its list item as the script wrote it: inside `for e in [8, 16]`,
  /// `attack bim eps=e/255 on net` reads `attack bim eps=8/255 on net`, and inside
  /// `for eps in [8/255]` `eps=eps` reads `eps=8/255`. Its keyword and parameter names are never
  /// replaced; with `expression` (a list item) its first token may be a variable. `exact` only
  /// matters for items that are themselves loop variables (they are written as written).
  func text(of range: SourceRange, exact: Bool = false, expression: Bool = false) -> String {
    var low = 0, high = tokens.count
    while low < high {
      let mid = (low + high) / 2
      if tokens[mid].range.start.offset < range.start.offset { low = mid + 1 } else { high = mid }
    }
    var out = ""
    var previous: Token? = nil
    var i = low
    while i < tokens.count, tokens[i].range.start.offset < range.end.offset {
      let token = tokens[i]
      i += 1
      if token.kind == .newline || token.kind == .end { continue }
      var spelling = token.text
      let next = i < tokens.count ? tokens[i] : nil
      let isParameterName = next?.kind == .equals && !(previous?.isKeyword("model") == true || previous?.isKeyword("of") == true)
      if token.kind == .identifier, previous != nil || expression, !isParameterName, let bound = innermost[token.text].map({ scopes[$0] }) {
        spelling = exact ? bound.exactText : bound.text
      }
      if let previous, previous.range.end.offset < token.range.start.offset { out += " " }
      out += spelling
      previous = token
    }
    return out
  }

  mutating func emit(_ step: any Step, for statement: Statement) {
    guard !stepLimitReached else { return }
    steps.append(PlannedStep(step: step, range: statement.range, text: text(of: statement.range),
                             scriptText: text(of: statement.range, exact: true),
                             defines: environment.definitions(since: defined, changes: changes)))
    defined = environment
    changes = Checker.Environment.Changes()
    if steps.count > stepLimit {
      stepLimitReached = true
      error("the loops unroll to more than \(stepLimit) steps", at: loops.first ?? statement.range,
            notes: ["split the sweep into several scripts"])
    }
  }
}
