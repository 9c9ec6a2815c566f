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

  /// One statement: its form's rule (`Statements/`), or a loop, or a policy.
  mutating func check(_ statement: Statement) {
    switch statement.kind {
    case .form(let id, let slots):
      guard let form = Statements.form(id) else { preconditionFailure("the parser makes only declared forms") }
      form.check(&self, statement, slots)
    case .forLoop(let variable, let values, let valuesRange, let body):
      checkLoop(variable, values, valuesRange, body, statement.range)
    case .setPolicy(let modelName, let policyName, let passes):
      checkPolicy(modelName, policyName, passes, statement)
    case .invalid(let definesModel):
      if let definesModel, !brokenModels.contains(definesModel.text) { brokenModels.append(definesModel.text) }
    }
  }

  /// The bookkeeping of a statement that defines the model `name` (`model NAME = …`): a
  /// failed definition (`defined` false) marks the name broken, so its later uses are not
  /// reported again; a good one files the model under `architecture` and `dataset`.
  mutating func defineModel(_ name: String, as architecture: ComponentSpec?, on dataset: ComponentSpec?, if defined: Bool) -> Bool {
    guard defined, let architecture else {
      if !brokenModels.contains(name) { brokenModels.append(name) }
      return false
    }
    brokenModels.removeAll { $0 == name }
    environment.define(model: name, architecture: architecture, dataset: dataset)
    changes.models.append(name)
    return true
  }

  /// The string a slot holds (a path), reported when it is not one.
  mutating func path(_ slots: Slots, _ key: String = "path", after word: String) -> String? {
    slots.value(key).flatMap { string($0, expected: "a file name in double quotes after '\(word)'") }
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
