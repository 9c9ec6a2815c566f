import AdvSpec

/// Resolving names (components, models, loop variables in name positions) and validating
/// `name=value` arguments against a component's declared parameters.

extension CheckPass {
  /// The spelling a name stands for. In a name position a loop variable holding a word or a
  /// string stands for that name (`for a in [lenet, mlp] { model net = train a }`); one
  /// holding a number is an error.
  mutating func resolve(_ name: Name, as expected: String) -> String? {
    guard let bound = lookup(name.text) else { return name.text }
    switch bound {
    case .word(let w), .string(let w):
      return w
    case .int, .real, .bool, .list:
      error("loop variable '\(name.text)' is \(bound) here, but \(expected) is needed", at: name.range)
      return nil
    }
  }

  /// The declaration `name` refers to, or nil after reporting an unknown name with the
  /// closest registered spelling (canonical names and aliases).
  mutating func component(_ kind: ComponentKind, _ name: Name) -> ComponentSpec? {
    guard let spelling = resolve(name, as: "a name") else { return nil }
    if let spec = vocabulary.component(kind, named: spelling) { return spec }
    let known = vocabulary.components(kind).map(\.name)
    let hint = suggestion(for: spelling, among: vocabulary.spellings(kind)).map(Diagnostic.didYouMean)
    var notes: [String] = []
    if hint == nil {
      notes.append(known.isEmpty ? "no \(kind.pluralNoun) are registered" : "the \(kind.pluralNoun) are " + listed(known))
    }
    withContext(of: [name]) { pass in
      pass.error("unknown \(kind.noun) '\(spelling)'", at: name.range, hint: hint, notes: notes)
    }
    return nil
  }

  /// The defined model `name` refers to, or nil (reported unless its definition already
  /// failed).
  mutating func model(_ name: Name) -> String? {
    guard let spelling = resolve(name, as: "a model name") else { return nil }
    if environment.models[spelling] != nil { return spelling }
    if brokenModels.contains(spelling) { return nil }
    let defined = environment.modelNames + brokenModels.filter { environment.models[$0] == nil }
    let hint = suggestion(for: spelling, among: defined).map(Diagnostic.didYouMean)
    var notes: [String] = []
    if defined.isEmpty {
      notes.append("no model is defined yet; define one with 'model NAME = train ARCH'")
    } else if hint == nil {
      notes.append("the models defined so far are " + listed(defined))
    }
    withContext(of: [name]) { pass in
      pass.error("unknown model '\(spelling)'", at: name.range, hint: hint, notes: notes)
    }
    return nil
  }

  /// Validates the arguments against `spec` and fills in every declared default (the one for
  /// `dataset` where the declaration has data-set defaults); nil after reporting any problem.
  /// With no `spec` (an unknown name, already reported) the values are still evaluated, so
  /// their own errors (division by zero, …) are not missed.
  mutating func parameters(_ arguments: [NamedArgument], of spec: ComponentSpec?,
                           dataset: ComponentSpec?) -> Params? {
    guard let spec else {
      for argument in arguments { _ = withContext(of: argument.value.identifiers) { $0.evaluate(argument.value) } }
      return nil
    }
    var given: [String: ParamValue] = [:]
    var firstUse: [String: SourceRange] = [:]
    var valid = true
    let keys = spec.params.map { canonicalName($0.name) }
    for argument in arguments {
      guard let index = keys.firstIndex(of: argument.key) else {
        unknownParameter(argument, of: spec)
        _ = withContext(of: argument.value.identifiers) { $0.evaluate(argument.value) }
        valid = false
        continue
      }
      let param = spec.params[index]
      if let first = firstUse[param.name] {
        error("parameter '\(param.name)' is given twice", at: argument.nameRange,
              notes: ["it is first given at \(first.start)"])
        valid = false
        continue
      }
      firstUse[param.name] = argument.nameRange
      let accepted = withContext(of: argument.value.identifiers) { $0.validate(argument.value, for: param) }
      if let accepted { given[param.name] = accepted } else { valid = false }
    }
    return valid ? Params(spec: spec, given: given, dataset: dataset?.name) : nil
  }

  mutating func unknownParameter(_ argument: NamedArgument, of spec: ComponentSpec) {
    let names = spec.params.map(\.name)
    let owner = "\(spec.kind.noun) '\(spec.name)'"
    let note = names.isEmpty ? "'\(spec.name)' takes no parameters" : "'\(spec.name)' takes " + listed(names)
    error("unknown parameter '\(argument.name)' for \(owner)", at: argument.nameRange,
          hint: suggestion(for: argument.name, among: names).map(Diagnostic.didYouMean), notes: [note])
  }

  /// Evaluates a value and checks it with `ParamSpec.validate`: type, range or choice. The
  /// error points at the value (at the item, in a list written in place); its message is
  /// `ParamError`'s, naming the allowed values.
  mutating func validate(_ value: Expr, for param: ParamSpec) -> ParamValue? {
    guard let v = evaluate(value) else { return nil }
    if case .word(let w) = v {
      switch param.kind {
      case .real, .int, .reals:
        report(evaluator.unknownVariable(w, at: value.range))
        return nil
      case .choice, .bool:
        break
      }
    }
    if case .list(let items) = v {
      guard case .reals = param.kind else {
        let example = items.isEmpty ? "for v in [1, 2] { … \(param.name)=v … }" : "for v in \(v) { … \(param.name)=v … }"
        error(ParamError.notOneValue(param: param.name).description, at: value.range,
              hint: "to try each value, loop over them: '\(example)'")
        return nil
      }
      return listItems(items, in: value, for: param)
    }
    guard let given = v.paramValue else { preconditionFailure("only a list may have no parameter value") }
    switch param.validate(given) {
    case .success(let accepted):
      return accepted
    case .failure(let failure):
      var message = failure.description
      var hint: String? = nil
      switch (failure, param.kind) {
      case (.wrongType, .real), (.wrongType, .int):
        message += "; allowed: \(param.rangeDescription)"
      case (.wrongType(_, _, let found), .reals):
        hint = found.asDouble != nil ? "write a list: '\(param.name)=[\(found), …]'" : nil
      case (.notAChoice(_, let found, let options), _):
        hint = suggestion(for: found, among: options).map(Diagnostic.didYouMean)
      default:
        break
      }
      error(message, at: value.range, hint: hint)
      return nil
    }
  }

  /// The numbers of a list given to a list parameter (`weights=[3, 1]`), each checked against the
  /// declared range; an error points at its item when the list is written in place, else at the
  /// value (a loop variable, whose value the context note shows).
  mutating func listItems(_ items: [ScriptValue], in value: Expr, for param: ParamSpec) -> ParamValue? {
    var written: [Expr]? = nil
    if case .list(let inPlace, _) = value, inPlace.count == items.count { written = inPlace }
    let ranges = written?.map(\.range) ?? Array(repeating: value.range, count: items.count)
    var numbers: [Double] = []
    var valid = true
    for (item, range) in zip(items, ranges) {
      switch item {
      case .int, .real:
        let number = item.number!
        if case .failure(let failure) = param.validate(.reals([number])) {
          error(failure.description, at: range)
          valid = false
        }
        numbers.append(number)
      case .word(let w):
        report(evaluator.unknownVariable(w, at: range))
        valid = false
      case .string, .bool, .list:
        error("parameter '\(param.name)' takes a list of numbers, found '\(item)' in it", at: range)
        valid = false
      }
      // A list from a loop variable has one range for all its items: report its first wrong one.
      if !valid && written == nil { return nil }
    }
    guard valid else { return nil }
    switch param.validate(.reals(numbers)) {
    case .success(let accepted): return accepted
    case .failure(let failure):
      error(failure.description, at: value.range)
      return nil
    }
  }
}
