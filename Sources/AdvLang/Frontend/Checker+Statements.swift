import AdvSpec
import Foundation

/// Checker rules, one per statement: each reports what is wrong and, when nothing is, emits
/// its plan step. Names and parameters are resolved in `Checker+Names.swift`.

extension CheckPass {
  mutating func check(_ statements: [Statement]) {
    for statement in statements {
      if stepLimitReached { return }
      if let outermost = loops.first {
        // Inside loops every statement checked counts, planned or not: nests whose bodies plan
        // nothing (empty, or with errors) would otherwise be checked 2^depth times.
        loopStatements += 1
        if loopStatements > 2 * stepLimit {
          stepLimitReached = true
          error("the loops unroll to more than \(2 * stepLimit) statements", at: outermost,
                notes: ["split the sweep into several scripts"])
          return
        }
      }
      check(statement)
    }
  }

  mutating func check(_ statement: Statement) {
    switch statement.kind {
    case .seed(let value):
      if let seed = checkSeed(value) { emit(.seed(seed), for: statement) }

    case .load(let datasetName, let pathExpr, let arguments):
      loadAttempted = true
      let dataset = component(.dataset, datasetName)
      let path = pathExpr.flatMap { string($0, expected: "a path in double quotes after 'from'") }
      let params = parameters(arguments, of: dataset, dataset: dataset)
      if let dataset {
        environment.dataset = dataset
        if pathExpr == nil || path != nil, checkDataSource(dataset, datasetName, path, pathExpr), let params {
          emit(.load(dataset: dataset, path: path, params: params), for: statement)
        }
      }

    case .train(let modelName, let architectureName, let sourceName, let arguments):
      if environment.dataset == nil && !loadAttempted {
        let example = vocabulary.datasets.first?.name ?? "DATASET"
        error("no data set loaded; add 'load \(example)' before this line", at: statement.range)
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
      changes.models.append(name)
      emit(.train(model: name, architecture: architecture, params: params, source: source), for: statement)

    case .evaluate(let modelName):
      if let name = model(modelName) { emit(.evaluate(model: name), for: statement) }

    case .attack(let attackName, let arguments, let modelName):
      let attack = component(.attack, attackName)
      let model = model(modelName)
      let params = parameters(arguments, of: attack, dataset: model.flatMap { environment.trainedOn[$0] })
      if let attack, let params, let model {
        environment.noteAttack(on: model)
        changes.attacked = true
        emit(.attack(attack: attack, params: params, model: model), for: statement)
      }

    case .forLoop(let variable, let values, let valuesRange, let body):
      checkLoop(variable, values, valuesRange, body, statement.range)

    case .report(let formatName, let pathExpr):
      let format = formatName.flatMap { reportFormat($0) }
      let path = pathExpr.flatMap { string($0, expected: "a file name in double quotes after 'to'") }
      guard (formatName == nil || format != nil) && (pathExpr == nil || path != nil) else { return }
      let resolved = format ?? path.flatMap(ReportFormat.implied(byPath:)) ?? .text
      if let file = path ?? resolved.defaultFile, !checkOutput(file, by: "report", pathExpr, in: statement.range) { return }
      emit(.report(format: resolved, path: path), for: statement)

    case .invalid(let definesModel):
      if let definesModel, !brokenModels.contains(definesModel.text) { brokenModels.append(definesModel.text) }

    case .loadModel(let modelName, let pathExpr, let architectureName, let arguments):
      let path = string(pathExpr, expected: "a file name in double quotes after 'load'")
      let architecture = component(.architecture, architectureName)
      let params = parameters(arguments, of: architecture, dataset: environment.dataset)
      guard let name = resolve(modelName, as: "a model name") else { return }
      guard let path, checkCheckpoint(path, pathExpr), let architecture, let params else {
        if !brokenModels.contains(name) { brokenModels.append(name) }
        return
      }
      brokenModels.removeAll { $0 == name }
      environment.define(model: name, architecture: architecture, dataset: environment.dataset)
      changes.models.append(name)
      emit(.loadModel(model: name, path: path, architecture: architecture, params: params), for: statement)

    case .save(let modelName, let pathExpr) where modelName.text == "adversarials" && environment.models["adversarials"] == nil:
      check(Statement(.saveAdversarials(model: nil, path: pathExpr), range: statement.range))

    case .save(let modelName, let pathExpr):
      let model = model(modelName)
      let path = string(pathExpr, expected: "a file name in double quotes after 'to'")
      if let model, let path, checkOutput(path, by: "save", pathExpr, in: statement.range) {
        emit(.save(model: model, path: path), for: statement)
      }

    case .transfer(let attackName, let arguments, let sourceName, let targetNames):
      let attack = component(.attack, attackName)
      let source = model(sourceName)
      let targets = targetNames.map { model($0) }
      let settings = procedure("transfer", at: statement.range)
      let merged = attack.flatMap { settings.map(ComponentSpec.merging($0)) }
      let params = parameters(arguments, of: merged, dataset: source.flatMap { environment.trainedOn[$0] })
      guard let attack, let params, let source, targets.allSatisfy({ $0 != nil }) else { return }
      let resolved = targets.compactMap { $0 }
      guard sameData([source] + resolved, names: [sourceName] + targetNames) else { return }
      emit(.transfer(attack: attack, params: params, source: source, targets: resolved), for: statement)

    case .surrogate(let modelName, let architectureName, let oracleName, let arguments):
      let architecture = component(.architecture, architectureName)
      let oracle = model(oracleName)
      let settings = procedure("surrogate", at: statement.range)
      let merged = architecture.flatMap { settings.map(ComponentSpec.merging($0)) }
      let dataset = oracle.flatMap { environment.trainedOn[$0] }
      let params = parameters(arguments, of: merged, dataset: dataset)
      guard let name = resolve(modelName, as: "a model name") else { return }
      guard let architecture, let oracle, let params else {
        if !brokenModels.contains(name) { brokenModels.append(name) }
        return
      }
      brokenModels.removeAll { $0 == name }
      environment.define(model: name, architecture: architecture, dataset: dataset)
      changes.models.append(name)
      emit(.surrogate(model: name, architecture: architecture, params: params, oracle: oracle), for: statement)

    case .mixture(let modelName, let memberNames, let arguments):
      let members = memberNames.map { model($0) }
      let settings = procedure("mixture", at: statement.range)
      let params = parameters(arguments, of: settings, dataset: nil)
      guard let name = resolve(modelName, as: "a model name") else { return }
      var valid = members.allSatisfy { $0 != nil } && params != nil
      let resolved = members.compactMap { $0 }
      if valid && Set(resolved).count < 2 {
        let list = memberNames.dropFirst().reduce(memberNames[0].range) { $0.union($1.range) }
        error("a mixture needs at least two different models", at: list,
              hint: resolved.count == 1 ? "add another model: 'mixture \(resolved[0]), OTHER'" : "list each member once")
        valid = false
      }
      if valid && !sameData(resolved, names: memberNames) { valid = false }
      if let params, !mixtureWeights(params, arguments, members: memberNames) { valid = false }
      guard valid, let params, let settings else {
        if !brokenModels.contains(name) { brokenModels.append(name) }
        return
      }
      brokenModels.removeAll { $0 == name }
      environment.define(model: name, architecture: settings, dataset: resolved.first.flatMap { environment.trainedOn[$0] })
      changes.models.append(name)
      emit(.mixture(model: name, members: resolved, settings: settings, params: params), for: statement)

    case .plot(let figureName, let modelNames, let arguments, let pathExpr):
      checkPlot(figureName, modelNames, arguments, pathExpr, statement)

    case .saveAdversarials(let modelName, let pathExpr):
      var attacked: String? = nil
      if let modelName { attacked = model(modelName) }
      let path = string(pathExpr, expected: "a file name in double quotes after 'to'")
      guard modelName == nil || attacked != nil, let path else { return }
      if !path.lowercased().hasSuffix(".safetensors") {
        error("adversarials are written as safetensors", at: pathExpr.range,
              hint: "name the file 'NAME.safetensors'")
        return
      }
      if let attacked, !environment.attacked.contains(attacked) {
        error("'\(attacked)' has not been attacked before this statement", at: modelName?.range ?? statement.range,
              hint: "add 'attack ATTACK on \(attacked)' before it")
        return
      }
      if attacked == nil && environment.attacked.isEmpty {
        error("no attack has run before this statement: there are no adversarials to save", at: statement.range,
              hint: "add 'attack ATTACK on MODEL' before it")
        return
      }
      guard checkOutput(path, by: "save adversarials", pathExpr, in: statement.range) else { return }
      emit(.saveAdversarials(model: attacked, path: path), for: statement)

    case .setPolicy(let modelName, let policyName, let passes):
      let model = model(modelName)
      let policy = policySetting(policyName, passes)
      if let model, let policy { emit(.setPolicy(model: model, policy: policy), for: statement) }
    }
  }

  /// True unless a mixture's `weights` are given and wrong (reported at the list): one weight
  /// per member, not all zero. Their range (finite, non-negative) is the declaration's, already
  /// checked; an empty list is the declared default, uniform.
  mutating func mixtureWeights(_ params: Params, _ arguments: [NamedArgument], members: [Name]) -> Bool {
    guard case .reals(let weights)? = params["weights"], !weights.isEmpty,
          let argument = arguments.first(where: { $0.key == "weights" }) else { return true }
    let names = members.map(\.text)
    return withContext(of: argument.value.identifiers) { pass in
      if weights.count != members.count {
        pass.error("'weights' gives \(weights.count) weight\(weights.count == 1 ? "" : "s") for \(members.count) members",
                   at: argument.value.range, hint: "give one weight per member, in order: \(listed(names))")
        return false
      }
      if !weights.contains(where: { $0 > 0 }) {
        pass.error("the weights of a mixture cannot all be zero", at: argument.value.range,
                   hint: "give at least one of \(listed(names, conjunction: "or")) a positive weight")
        return false
      }
      return true
    }
  }

  /// The settings a statement declares (`transfer`, `surrogate`, `mixture`); nil, reported, when
  /// the vocabulary has none (a vocabulary built without the engine's black-box half).
  mutating func procedure(_ name: String, at range: SourceRange) -> ComponentSpec? {
    if let spec = vocabulary.component(.procedure, named: name) { return spec }
    error("'\(name)' is not available: this vocabulary declares no settings for it", at: range)
    return nil
  }

  /// True when the models were all trained on the same data set (their images have one shape
  /// and one label set); otherwise reports the first that differs.
  mutating func sameData(_ models: [String], names: [Name]) -> Bool {
    guard let first = models.first else { return true }
    let data = environment.trainedOn[first]
    for (model, name) in zip(models, names).dropFirst() where environment.trainedOn[model] != data {
      error("'\(model)' is trained on \(environment.trainedOn[model]?.name ?? "no data set"), '\(first)' on \(data?.name ?? "no data set")",
            at: name.range, notes: ["the models of one statement must see the same images"])
      return false
    }
    return true
  }

  /// `single` or `average(N)` with N in `InferencePolicy.passesRange`.
  mutating func policySetting(_ name: Name, _ passes: Expr?) -> InferencePolicy? {
    switch InferencePolicy.Kind(rawValue: name.text.lowercased()) {
    case .single:
      if let passes { error("'single' takes no number of passes", at: passes.range, hint: "write 'single' or 'average(N)'") }
      return passes == nil ? .single : nil
    case .average:
      guard let passes else {
        error("'average' needs its number of passes", at: name.range, hint: "write 'average(10)'")
        return nil
      }
      guard let v = evaluate(passes) else { return nil }
      let range = InferencePolicy.passesRange
      guard case .int(let n) = v, range.contains(n) else {
        error("the number of passes must be a whole number in \(range.lowerBound)...\(range.upperBound), found '\(v)'", at: passes.range)
        return nil
      }
      return .average(n)
    case nil:
      error("unknown policy '\(name.text)'", at: name.range,
            hint: suggestion(for: name.text, among: InferencePolicy.Kind.allCases.map(\.rawValue)).map(Diagnostic.didYouMean),
            notes: ["the policies are 'single' and 'average(N)'"])
      return nil
    }
  }

  /// `seed N`: a whole number in 0...UInt64.max. A plain literal is read exactly, so seeds
  /// above `Int.max` work.
  mutating func checkSeed(_ value: Expr) -> UInt64? {
    let limit = "seed must be a whole number from 0 to \(UInt64.max)"
    if case .number(let text, let range) = value {
      let digits = text.contains("_") ? text.filter { $0 != "_" } : text
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
    let evaluated = values.compactMap { item in evaluate(item).map { (item, $0) } }
    loops.append(range)
    defer { loops.removeLast() }
    for (item, value) in evaluated {
      if stepLimitReached { return }
      let shadowed = bind(variable.text, value, text: text(of: item.range, expression: true),
                          exactText: text(of: item.range, exact: true, expression: true))
      check(body)
      unbind(restoring: shadowed)
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
    if let f = ReportFormat(spelling: spelling) { return f }
    let formats = ReportFormat.allCases.map(\.rawValue)
    withContext(of: [name]) { pass in
      pass.error("unknown report format '\(spelling)'", at: name.range,
                 hint: suggestion(for: spelling, among: formats).map(Diagnostic.didYouMean),
                 notes: ["the formats are " + listed(formats, conjunction: "or")])
    }
    return nil
  }
}
