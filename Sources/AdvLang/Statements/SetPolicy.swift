import AdvSpec

/// `set policy of MODEL = single | average(N)`: a bespoke parse rule for `average(N)`.
extension Statements {
  static let set = StatementSpec(
    name: "set", title: "`set policy`",
    forms: [StatementForm("set policy", SyntaxPattern(
      .word("set"), .word("policy"), .word("of"), .slot(.model()), .word("="),
      .opaque(text: InferencePolicy.syntax, ebnf: "( \"single\" | \"average\" \"(\" expr \")\" )", words: ["single", "average"])),
      parse: { parser in try parser.parseSet() }, check: { _, _, _ in })],
    doc: "how a stochastic model answers: one forward pass, or the mean logits of N passes",
    details: { v in
      "Stochastic models (" + codeList(v.architectures.filter { $0.param("policy") != nil }.map(\.name))
        + ") answer with `average(10)` unless trained with `policy=single` (paper, App. F); every query "
        + "of an attack and every launch of the evaluation protocol goes through the policy. N is a "
        + "whole number in \(InferencePolicy.passesRange.lowerBound)...\(InferencePolicy.passesRange.upperBound). "
        + "A deterministic model ignores it (with a warning)."
    },
    examples: ["set policy of net = average(5)"], topics: ["policy"])
}

extension Parser {
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

extension CheckPass {
  mutating func checkPolicy(_ modelName: Name, _ policyName: Name, _ passes: Expr?, _ statement: Statement) {
    let model = model(modelName)
    let policy = policySetting(policyName, passes)
    if let model, let policy { emit(SetPolicyStep(model: model, policy: policy), for: statement) }
  }
}

public struct SetPolicyStep: Step, Equatable {
  public let model: String
  public let policy: InferencePolicy


  public var traits: StepTraits { StepTraits(.state, effect: .policy(of: model)) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.setPolicy(of: model, to: policy)
  }
}
