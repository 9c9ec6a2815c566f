import AdvAttacks
import AdvReport
import AdvSpec
import Foundation

/// `attack ATTACK [key=value ...] on MODEL`: a white-box or decision-based attack on a model,
/// recorded with its attack success rate and mean L2 distance per pixel.
extension Statements {
  static let attack = StatementSpec(
    name: "attack",
    forms: [StatementForm("attack", SyntaxPattern(
      .word("attack"), .slot(.component(.attack, "attack", "ATTACK")),
      .anyOrder([.arguments(ArgumentSource(slot: "attack")),
                 .required(.word("on"), .slot(.model()), hint: "add 'on' and the name of the model to attack")]))) { pass, statement, slots in
      guard let attackName = slots.name("attack"), let modelName = slots.name("model") else { return }
      let attack = pass.component(.attack, attackName)
      let model = pass.model(modelName)
      let params = pass.parameters(slots.arguments, of: attack, dataset: model.flatMap { pass.environment.trainedOn[$0] })
      guard let attack, let params, let model else { return }
      pass.environment.noteAttack(on: model)
      pass.changes.attacked = true
      pass.emit(AttackStep(attack: attack, params: params, model: model), for: statement)
    }],
    doc: "attack a model; records attack success rate and mean L2 distance per pixel",
    details: { v in
      "Parameters may stand before or after `on MODEL`; both lists are checked together against the "
        + "attack's declaration, and a parameter given twice is an error. The attacks: "
        + codeList(v.attacks.map(\.name)) + "; on stochastic targets some follow Foolbox 3 rather than Foolbox 1.8 (grammar.md, "
        + "\"Which reference an attack reproduces\")."
    },
    examples: ["attack bim eps=32/255 on net samples=100"], names: .attack)
}

public struct AttackStep: Step, Equatable {
  public let attack: ComponentSpec
  public let params: Params
  public let model: String


  public var traits: StepTraits { StepTraits(.result, needs: [model], attacks: model) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    try session.attack(attack, params, model, statement: planned.text)
  }
}

extension Session {
  /// Runs the attack through the evaluation driver, records the result and keeps its images
  /// for figures, `save adversarials` and the HTML report.
  func attack(_ spec: ComponentSpec, _ params: Params, _ name: String, statement: String) throws {
    let m = try model(name)
    let kind = Attacks.declared(by: spec)
    let evaluation = Evaluation(params, for: kind)
    let result = try evaluation.run(kind.init(params: params), params: params, on: m.model, split: m.dataset.test,
                                    seed: seed, label: "attack \(spec.name) on \(name)")
    if result.samples.count < result.requestedSamples {
      output.warn("'\(name)' classifies only \(result.samples.count) test images correctly; attacked those instead of \(result.requestedSamples)")
    }
    let record = AttackRecord(
      model: name, arch: m.architecture.name, attack: spec.name, params: reportParams(result.params),
      dataset: m.dataset.name, split: "test", samples: result.samples.count, asr: result.asr,
      l2PerPixel: result.meanL2PerPixel, seed: seed, queries: result.queries, wallSeconds: result.seconds,
      statement: statement, scriptHash: report.scriptHash, modelHash: m.hash,
      perSample: result.samples.map {
        SampleRecord(index: $0.index, label: $0.label, returned: $0.returned, success: $0.success,
                     l2PerPixel: $0.l2PerPixel, queries: $0.queries, gradients: $0.gradients,
                     adversarialLabel: $0.adversarialLabel)
      },
      policy: m.policyDescription, defaults: declaredDefaults(spec, of: result.params, dataset: m.dataset.name))
    report.results.append(record)
    keep(result, on: name, split: m.dataset.test)
    let provenance = AdversarialFile.Provenance(model: name, arch: m.architecture.name, dataset: m.dataset.name,
                                                policy: m.policyDescription, seed: seed, statement: statement,
                                                modelHash: m.hash, version: advVersion)
    latestAttacks[name] = LatestAttack(file: AdversarialFile(result, originals: m.dataset.test, provenance: provenance),
                                       attack: result.attack)
    lastAttacked = name
    let l2 = result.meanL2PerPixel.map { String(format: "%.4f", $0 * 1000) } ?? "-"
    output.print(String(format: "%@: ASR %.4f, mean L2/px x1000 %@ over %d samples (%.1f s)",
                        statement, result.asr, l2, result.samples.count, result.seconds))
    saveResults()
  }
}
