import AdvSpec

/// Parser rules for statements, one method per statement keyword (see `Statements.swift`
/// for the registry and grammar.md for the grammar).

extension Parser {
  /// Dispatches on the statement keyword.
  mutating func parseStatement() throws -> Statement {
    let keyword = current
    guard keyword.kind == .identifier else {
      throw error("expected a statement, found \(keyword)", at: keyword, notes: [Parser.statementList])
    }
    switch keyword.text {
    case "seed": return try parseSeed()
    case "load": return try parseLoad()
    case "model": return try parseModel()
    case "evaluate": return try parseEvaluate()
    case "attack": return try parseAttack()
    case "for": return try parseFor()
    case "report": return try parseReport()
    case "save": return try parseSave()
    case "set": return try parseSet()
    case "transfer": return try parseTransfer()
    case "plot": return try parsePlot()
    default: throw unknownStatement(keyword)
    }
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

  mutating func parseSeed() throws -> Statement {
    let keyword = advance()
    let value = try parseExpression("a number after 'seed'")
    return Statement(.seed(value), range: rangeFrom(keyword))
  }

  mutating func parseLoad() throws -> Statement {
    let keyword = advance()
    let dataset = try parseName("a data set name after 'load'", reserved: ["from"])
    var path: Expr? = nil
    var arguments: [NamedArgument] = []
    while !current.endsStatement {
      if atArgument {
        arguments.append(try parseArgument())
      } else if current.isKeyword("from") {
        let from = advance()
        if path != nil { throw error("'from' is given twice", at: from) }
        path = try parseExpression("a path in double quotes after 'from'")
      } else {
        throw error("expected 'from \"PATH\"' or 'name=value', found \(current)", at: current)
      }
    }
    return Statement(.load(dataset: dataset, path: path, arguments: arguments), range: rangeFrom(keyword))
  }

  mutating func parseModel() throws -> Statement {
    let keyword = advance()
    let name = try parseName("a model name after 'model'")
    pendingModel = name
    try expect(.equals, "'=' after 'model \(name.text)'", hint: "write 'model \(name.text) = train ARCH'")
    if current.isKeyword("load") { return try parseLoadModel(keyword, name) }
    if current.isKeyword("surrogate") { return try parseSurrogate(keyword, name) }
    if current.isKeyword("mixture") { return try parseMixture(keyword, name) }
    guard current.isKeyword("train") else {
      throw error("expected 'train', 'load', 'surrogate' or 'mixture' after 'model \(name.text) =', found \(current)", at: current)
    }
    advance()
    let architecture = try parseName("an architecture name after 'train'")
    var arguments: [NamedArgument] = []
    var source: Name?
    while !current.endsStatement {
      if current.isKeyword("from") {
        let from = advance()
        guard source == nil else {
          throw error("'from' given twice", at: from, hint: "training starts from one model; keep one 'from NAME'")
        }
        source = try parseName("a model name after 'from' (the trained model whose weights start the training)")
        continue
      }
      guard atArgument else {
        throw error("expected 'name=value' or 'from MODEL', found \(current)", at: current)
      }
      arguments.append(try parseArgument())
    }
    return Statement(.train(model: name, architecture: architecture, source: source, arguments: arguments), range: rangeFrom(keyword))
  }

  mutating func parseEvaluate() throws -> Statement {
    let keyword = advance()
    let name = try parseName("a model name after 'evaluate'")
    return Statement(.evaluate(model: name), range: rangeFrom(keyword))
  }

  mutating func parseAttack() throws -> Statement {
    let keyword = advance()
    let attack = try parseName("an attack name after 'attack'", reserved: ["on"])
    var arguments: [NamedArgument] = []
    var model: Name? = nil
    while !current.endsStatement {
      if atArgument {
        arguments.append(try parseArgument())
      } else if current.isKeyword("on") {
        let on = advance()
        if model != nil { throw error("'on' is given twice", at: on) }
        model = try parseName("a model name after 'on'")
      } else {
        let expected = model == nil ? "'name=value' or 'on MODEL'" : "'name=value'"
        throw error("expected \(expected), found \(current)", at: current)
      }
    }
    guard let model else {
      throw error("expected 'on MODEL' in 'attack \(attack.text)', found \(current)", at: current,
                  hint: "add 'on' and the name of the model to attack")
    }
    return Statement(.attack(attack: attack, arguments: arguments, model: model), range: rangeFrom(keyword))
  }

  mutating func parseFor() throws -> Statement {
    let keyword = advance()
    let variable = try parseName("a loop variable after 'for'", reserved: ["in"])
    guard current.isKeyword("in") else {
      throw error("expected 'in' after 'for \(variable.text)', found \(current)", at: current)
    }
    advance()
    guard current.kind == .leftBracket else {
      throw error("expected a list such as '[1, 2, 3]' after 'in', found \(current)", at: current)
    }
    let list = try parseList()
    guard case .list(let values, let valuesRange) = list else { preconditionFailure("parseList returns a list") }
    if current.kind == .leftBrace && blockNesting >= Parser.maximumNesting { throw tooDeep(at: current, in: .loop) }
    let open = try expect(.leftBrace, "'{' to start the loop body")
    blockNesting += 1
    defer { blockNesting -= 1 }
    let body = parseBlock(openedBy: open)
    return Statement(.forLoop(variable: variable, values: values, valuesRange: valuesRange, body: body), range: rangeFrom(keyword))
  }

  mutating func parseReport() throws -> Statement {
    let keyword = advance()
    var format: Name? = nil
    var path: Expr? = nil
    if current.kind == .identifier, !current.isKeyword("to") {
      format = try parseName("a report format")
    }
    if current.isKeyword("to") {
      advance()
      path = try parseExpression("a file name in double quotes after 'to'")
    }
    if !current.endsStatement {
      let formats = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")
      let expected = format == nil && path == nil ? "a format (\(formats)) or 'to \"FILE\"'" : "'to \"FILE\"'"
      throw error("expected \(expected), found \(current)", at: current)
    }
    return Statement(.report(format: format, path: path), range: rangeFrom(keyword))
  }
}

extension Parser {
  /// `model NAME = load "FILE" as ARCH [key=value ...]` (after `model NAME =`).
  mutating func parseLoadModel(_ keyword: Token, _ name: Name) throws -> Statement {
    advance()  // 'load'
    let path = try parseExpression("a file name in double quotes after 'load'")
    guard current.isKeyword("as") else {
      throw error("expected 'as ARCH' after the file name, found \(current)", at: current,
                  hint: "write 'model \(name.text) = load \"FILE\" as ARCH'")
    }
    advance()
    let architecture = try parseName("an architecture name after 'as'")
    var arguments: [NamedArgument] = []
    while !current.endsStatement {
      guard atArgument else { throw error("expected 'name=value', found \(current)", at: current) }
      arguments.append(try parseArgument())
    }
    return Statement(.loadModel(model: name, path: path, architecture: architecture, arguments: arguments), range: rangeFrom(keyword))
  }

  /// `save NAME to "FILE"`
  mutating func parseSave() throws -> Statement {
    let keyword = advance()
    // `save adversarials of MODEL to …`; plain `save adversarials to …` is left to the checker,
    // which knows whether a model is called `adversarials`.
    if current.isKeyword("adversarials") && peek(1).isKeyword("of") {
      advance()
      advance()
      let model = try parseName("a model name after 'save adversarials of'", reserved: ["to"])
      guard current.isKeyword("to") else {
        throw error("expected 'to \"FILE.safetensors\"' after 'save adversarials of \(model.text)', found \(current)", at: current)
      }
      advance()
      let path = try parseExpression("a file name in double quotes after 'to'")
      return Statement(.saveAdversarials(model: model, path: path), range: rangeFrom(keyword))
    }
    let name = try parseName("a model name after 'save'", reserved: ["to"])
    guard current.isKeyword("to") else {
      throw error("expected 'to \"FILE\"' after 'save \(name.text)', found \(current)", at: current)
    }
    advance()
    let path = try parseExpression("a file name in double quotes after 'to'")
    return Statement(.save(model: name, path: path), range: rangeFrom(keyword))
  }

  /// `set policy of NAME = single | average(N)`
  mutating func parseSet() throws -> Statement {
    let keyword = advance()
    guard current.isKeyword("policy") else {
      throw error("expected 'policy' after 'set', found \(current)", at: current,
                  hint: "write 'set policy of NAME = average(10)'")
    }
    advance()
    guard current.isKeyword("of") else { throw error("expected 'of NAME' after 'set policy', found \(current)", at: current) }
    advance()
    let name = try parseName("a model name after 'set policy of'")
    try expect(.equals, "'=' after 'set policy of \(name.text)'", hint: "write 'set policy of \(name.text) = average(10)'")
    let policy = try parseName("'single' or 'average(N)'")
    var passes: Expr? = nil
    if current.kind == .leftParen {
      advance()
      passes = try parseExpression("the number of passes in 'average(N)'")
      try expect(.rightParen, "')' after the number of passes")
    }
    return Statement(.setPolicy(model: name, policy: policy, passes: passes), range: rangeFrom(keyword))
  }
}

extension Parser {
  /// `transfer ATTACK [key=value ...] from SOURCE to TARGET[, TARGET ...] [key=value ...]`
  mutating func parseTransfer() throws -> Statement {
    let keyword = advance()
    let attack = try parseName("an attack name after 'transfer'", reserved: ["from", "to"])
    var arguments: [NamedArgument] = []
    var source: Name? = nil
    var targets: [Name] = []
    while !current.endsStatement {
      if atArgument {
        arguments.append(try parseArgument())
      } else if current.isKeyword("from") {
        let from = advance()
        if source != nil { throw error("'from' is given twice", at: from) }
        source = try parseName("the source model after 'from'", reserved: ["to"])
      } else if current.isKeyword("to") {
        let to = advance()
        if !targets.isEmpty { throw error("'to' is given twice", at: to, hint: "list every target after one 'to': 'to a, b'") }
        targets = try parseNameList("a target model after 'to'")
      } else {
        throw error("expected 'name=value', 'from SOURCE' or 'to TARGET', found \(current)", at: current)
      }
    }
    guard let source else {
      throw error("expected 'from SOURCE' in 'transfer \(attack.text)', found \(current)", at: current,
                  hint: "add 'from' and the model the adversarials are crafted on")
    }
    guard !targets.isEmpty else {
      throw error("expected 'to TARGET' in 'transfer \(attack.text)', found \(current)", at: current,
                  hint: "add 'to' and the models the adversarials are launched against")
    }
    return Statement(.transfer(attack: attack, arguments: arguments, source: source, targets: targets), range: rangeFrom(keyword))
  }

  /// `model NAME = surrogate ARCH of ORACLE [key=value ...]` (after `model NAME =`).
  mutating func parseSurrogate(_ keyword: Token, _ name: Name) throws -> Statement {
    advance()  // the word 'surrogate', already matched
    let architecture = try parseName("an architecture name after 'surrogate'", reserved: ["of"])
    guard current.isKeyword("of") else {
      throw error("expected 'of ORACLE' after 'surrogate \(architecture.text)', found \(current)", at: current,
                  hint: "write 'model \(name.text) = surrogate \(architecture.text) of MODEL'")
    }
    advance()
    let oracle = try parseName("the oracle model after 'of'")
    var arguments: [NamedArgument] = []
    while !current.endsStatement {
      guard atArgument else { throw error("expected 'name=value', found \(current)", at: current) }
      arguments.append(try parseArgument())
    }
    return Statement(.surrogate(model: name, architecture: architecture, oracle: oracle, arguments: arguments),
                     range: rangeFrom(keyword))
  }

  /// `model NAME = mixture MODEL, MODEL[, MODEL ...] [key=value ...]` (after `model NAME =`).
  mutating func parseMixture(_ keyword: Token, _ name: Name) throws -> Statement {
    advance()  // the word 'mixture', already matched
    let members = try parseNameList("a member model after 'mixture'")
    var arguments: [NamedArgument] = []
    while !current.endsStatement {
      guard atArgument else { throw error("expected ', MODEL' or 'name=value', found \(current)", at: current) }
      arguments.append(try parseArgument())
    }
    return Statement(.mixture(model: name, members: members, arguments: arguments), range: rangeFrom(keyword))
  }

  /// `plot FIGURE [of MODEL, ...] [key=value ...] [to "FILE"]`, the parts after FIGURE in any order.
  mutating func parsePlot() throws -> Statement {
    let keyword = advance()
    let figure = try parseName("a figure after 'plot'", reserved: ["of", "to"])
    var models: [Name] = []
    var arguments: [NamedArgument] = []
    var path: Expr? = nil
    while !current.endsStatement {
      if atArgument {
        arguments.append(try parseArgument())
      } else if current.isKeyword("of") {
        let of = advance()
        if !models.isEmpty { throw error("'of' is given twice", at: of, hint: "list every model after one 'of': 'of a, b'") }
        models = try parseNameList("a model name after 'of'")
      } else if current.isKeyword("to") {
        let to = advance()
        if path != nil { throw error("'to' is given twice", at: to) }
        path = try parseExpression("a file name in double quotes after 'to'")
      } else {
        throw error("expected 'of MODEL', 'name=value' or 'to \"FILE\"', found \(current)", at: current)
      }
    }
    return Statement(.plot(figure: figure, models: models, arguments: arguments, path: path), range: rangeFrom(keyword))
  }

  /// `NAME {, NAME}`; a name followed by `=` ends the list (it starts an argument).
  mutating func parseNameList(_ expected: String) throws -> [Name] {
    var names = [try parseName(expected)]
    while current.kind == .comma {
      advance()
      names.append(try parseName("a model name after ','"))
    }
    return names
  }
}
