import AdvTensor
import Foundation

/// Checker rules, one per statement: each reports what is wrong and, when nothing is, emits
/// its plan step. Names and parameters are resolved in `Checker+Names.swift`.

extension CheckPass {
  mutating func check(_ statements: [Statement]) {
    for statement in statements {
      if stepLimitReached { return }
      check(statement)
    }
  }

  mutating func check(_ statement: Statement) {
    switch statement {
    case .seed(let value, _):
      if let seed = checkSeed(value) { emit(.seed(seed), for: statement) }

    case .load(let datasetName, let pathExpr, let arguments, _):
      loadAttempted = true
      let dataset = component(.dataset, datasetName)
      let path = pathExpr.flatMap { string($0, expected: "a path in double quotes after 'from'") }
      let params = parameters(arguments, of: dataset, dataset: dataset)
      if let dataset {
        environment.dataset = dataset
        if let params, pathExpr == nil || path != nil {
          emit(.load(dataset: dataset, path: path, params: params), for: statement)
        }
      }

    case .train(let modelName, let architectureName, let sourceName, let arguments, let range):
      if environment.dataset == nil && !loadAttempted {
        let example = vocabulary.datasets.first?.name ?? "DATASET"
        error("no data set loaded; add 'load \(example)' before this line", at: range)
      }
      let architecture = component(.architecture, architectureName)
      let params = parameters(arguments, of: architecture, dataset: environment.dataset)
      let source = sourceName.flatMap { model($0) }
      guard let name = resolve(modelName, as: "a model name") else { return }
      guard let architecture, let params, (sourceName == nil) == (source == nil) else {
        if !brokenModels.contains(name) { brokenModels.append(name) }
        return
      }
      brokenModels.removeAll { $0 == name }
      environment.define(model: name, architecture: architecture, dataset: environment.dataset)
      emit(.train(model: name, architecture: architecture, params: params, source: source), for: statement)

    case .evaluate(let modelName, _):
      if let name = model(modelName) { emit(.evaluate(model: name), for: statement) }

    case .attack(let attackName, let arguments, let modelName, _):
      let attack = component(.attack, attackName)
      let model = model(modelName)
      let params = parameters(arguments, of: attack, dataset: model.flatMap { environment.trainedOn[$0] })
      if let attack, let params, let model { emit(.attack(attack: attack, params: params, model: model), for: statement) }

    case .forLoop(let variable, let values, let valuesRange, let body, let range):
      checkLoop(variable, values, valuesRange, body, range)

    case .report(let formatName, let pathExpr, _):
      let format = formatName.flatMap { reportFormat($0) }
      let path = pathExpr.flatMap { string($0, expected: "a file name in double quotes after 'to'") }
      guard (formatName == nil || format != nil) && (pathExpr == nil || path != nil) else { return }
      emit(.report(format: format ?? path.flatMap(ReportFormat.implied(byPath:)) ?? .text, path: path), for: statement)

    case .invalid(let definesModel, _):
      if let definesModel, !brokenModels.contains(definesModel.text) { brokenModels.append(definesModel.text) }

    case .loadModel(let modelName, let pathExpr, let architectureName, let arguments, _):
      let path = string(pathExpr, expected: "a file name in double quotes after 'load'")
      let architecture = component(.architecture, architectureName)
      let params = parameters(arguments, of: architecture, dataset: environment.dataset)
      guard let name = resolve(modelName, as: "a model name") else { return }
      guard let path, let architecture, let params else {
        if !brokenModels.contains(name) { brokenModels.append(name) }
        return
      }
      brokenModels.removeAll { $0 == name }
      environment.define(model: name, architecture: architecture, dataset: environment.dataset)
      emit(.loadModel(model: name, path: path, architecture: architecture, params: params), for: statement)

    case .save(let modelName, let pathExpr, _):
      let model = model(modelName)
      let path = string(pathExpr, expected: "a file name in double quotes after 'to'")
      if let model, let path { emit(.save(model: model, path: path), for: statement) }

    case .setPolicy(let modelName, let policyName, let passes, _):
      let model = model(modelName)
      let policy = policySetting(policyName, passes)
      if let model, let policy { emit(.setPolicy(model: model, policy: policy), for: statement) }
    }
  }

  /// `single` or `average(N)` with N in 1...1000.
  mutating func policySetting(_ name: Name, _ passes: Expr?) -> PolicySetting? {
    switch name.text.lowercased() {
    case "single":
      if let passes { error("'single' takes no number of passes", at: passes.range, hint: "write 'single' or 'average(N)'") }
      return passes == nil ? .single : nil
    case "average":
      guard let passes else {
        error("'average' needs its number of passes", at: name.range, hint: "write 'average(10)'")
        return nil
      }
      guard let v = evaluate(passes) else { return nil }
      guard case .int(let n) = v, (1...1000).contains(n) else {
        error("the number of passes must be a whole number in 1...1000, found '\(v)'", at: passes.range)
        return nil
      }
      return .average(n)
    default:
      error("unknown policy '\(name.text)'", at: name.range,
            hint: suggestion(for: name.text, among: ["single", "average"]).map(Diagnostic.didYouMean),
            notes: ["the policies are 'single' and 'average(N)'"])
      return nil
    }
  }

  /// `seed N`: a whole number in 0...UInt64.max. A plain literal is read exactly, so seeds
  /// above `Int.max` work.
  mutating func checkSeed(_ value: Expr) -> UInt64? {
    let limit = "seed must be a whole number from 0 to \(UInt64.max)"
    if case .number(let text, let range) = value {
      let digits = text.replacingOccurrences(of: "_", with: "")
      if digits.allSatisfy(\.isNumber) {
        guard let seed = UInt64(digits) else {
          error("\(limit), found '\(text)'", at: range)
          return nil
        }
        return seed
      }
    }
    guard let v = evaluate(value) else { return nil }
    switch v {
    case .int(let i) where i >= 0:
      return UInt64(i)
    case .real(let d) where d == d.rounded() && d >= 0 && d < 18_446_744_073_709_551_616.0:
      return UInt64(d)
    case .word(let w):
      report(evaluator.unknownVariable(w, at: value.range))
    default:
      error("\(limit), found '\(v)'", at: value.range)
    }
    return nil
  }

  /// Unrolls `for VAR in [LIST] { BODY }`: the body is checked once per value with VAR bound.
  mutating func checkLoop(_ variable: Name, _ values: [Expr], _ valuesRange: SourceRange,
                          _ body: [Statement], _ range: SourceRange) {
    if values.isEmpty {
      error("empty list; 'for' needs at least one value", at: valuesRange)
    }
    let evaluated = values.compactMap { evaluate($0) }
    loops.append(range)
    defer { loops.removeLast() }
    for value in evaluated {
      if stepLimitReached { return }
      scopes.append((variable.text, value))
      check(body)
      scopes.removeLast()
    }
  }

  /// The value of `e` when it is a string; otherwise reports "expected …, found …".
  mutating func string(_ e: Expr, expected: String) -> String? {
    withContext(of: e.identifiers) { pass in
      guard let v = pass.evaluate(e) else { return nil }
      guard case .string(let s) = v else {
        pass.error("expected \(expected), found '\(v)'", at: e.range)
        return nil
      }
      return s
    }
  }

  mutating func reportFormat(_ name: Name) -> ReportFormat? {
    guard let spelling = resolve(name, as: "a report format") else { return nil }
    let aliases: [String: ReportFormat] = ["md": .markdown, "txt": .text]
    if let f = ReportFormat.allCases.first(where: { canonicalName($0.rawValue) == canonicalName(spelling) })
      ?? aliases[spelling.lowercased()] {
      return f
    }
    let formats = ReportFormat.allCases.map(\.rawValue)
    withContext(of: [name]) { pass in
      pass.error("unknown report format '\(spelling)'", at: name.range,
                 hint: suggestion(for: spelling, among: formats).map(Diagnostic.didYouMean),
                 notes: ["the formats are " + listed(formats, conjunction: "or")])
    }
    return nil
  }

  // MARK: Statement text

  /// The statement as written, single-spaced, with loop variables replaced by their values.
  func text(of statement: Statement) -> String {
    switch statement {
    case .seed(let e, _):
      return "seed \(text(of: e))"
    case .load(let dataset, let path, let arguments, _):
      var parts: [(Int, String)] = arguments.map { ($0.range.start.offset, text(of: $0)) }
      if let path { parts.append((path.range.start.offset, "from \(text(of: path))")) }
      return (["load", text(of: dataset)] + parts.sorted { $0.0 < $1.0 }.map(\.1)).joined(separator: " ")
    case .train(let model, let architecture, let source, let arguments, _):
      return (["model", text(of: model), "=", "train", text(of: architecture)] + (source.map { ["from", text(of: $0)] } ?? [])
              + arguments.map(text(of:)))
        .joined(separator: " ")
    case .evaluate(let model, _):
      return "evaluate \(text(of: model))"
    case .attack(let attack, let arguments, let model, _):
      let before = arguments.filter { $0.range.start < model.range.start }.map(text(of:))
      let after = arguments.filter { !($0.range.start < model.range.start) }.map(text(of:))
      return (["attack", text(of: attack)] + before + ["on", text(of: model)] + after).joined(separator: " ")
    case .report(let format, let path, _):
      return (["report"] + [format.map(text(of:)), path.map { "to \(text(of: $0))" }].compactMap { $0 })
        .joined(separator: " ")
    case .loadModel(let model, let path, let architecture, let arguments, _):
      return (["model", text(of: model), "=", "load", text(of: path), "as", text(of: architecture)] + arguments.map(text(of:)))
        .joined(separator: " ")
    case .save(let model, let path, _):
      return "save \(text(of: model)) to \(text(of: path))"
    case .forLoop, .invalid, .setPolicy:
      return file.text(in: statement.range).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
  }

  func text(of argument: NamedArgument) -> String { "\(argument.name)=\(text(of: argument.value))" }

  func text(of name: Name) -> String {
    switch lookup(name.text) {
    case .word(let w)?, .string(let w)?: return w
    default: return name.text
    }
  }

  /// The source spelling (white space collapsed), or the value when a loop variable is in it.
  /// Strings are re-quoted from their value, so white space inside them is kept.
  func text(of e: Expr) -> String {
    if case .string(let s, _) = e { return ScriptValue.string(s).description }
    if e.identifiers.contains(where: { lookup($0.text) != nil }), case .success(let v) = evaluator.evaluate(e) {
      return v.description
    }
    return file.text(in: e.range).split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }
}
