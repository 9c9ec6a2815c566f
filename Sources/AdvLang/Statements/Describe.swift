import AdvAttacks
import AdvReport
import AdvSpec
import Foundation

/// `describe MODEL`: what a model is and where it came from, from what the session already
/// knows (nothing is computed: the clean accuracy is the latest `evaluate`'s).
extension Statements {
  static let describe = StatementSpec(
    name: "describe",
    forms: [StatementForm("describe", SyntaxPattern(.word("describe"), .slot(.model()))) { pass, statement, slots in
      if let name = slots.name("model"), let model = pass.model(name) { pass.emit(DescribeStep(model: model), for: statement) }
    }],
    doc: "show a model's architecture, parameter count, data set, policy, clean accuracy, changed settings and origin",
    details: { _ in
      """
      Prints what the session knows of the model: its architecture and number of parameters, the data \
      set it was trained on (with the sizes of its splits and image shape), its inference policy, its \
      clean accuracy as the latest `evaluate` of it measured (describe runs no evaluation), the \
      settings given that differ from the paper's defaults, and its origin: trained (with the time), \
      taken from the model cache, loaded from a file, a surrogate of an oracle or a mixture of members. \
      Nothing is added to `results.json`.
      """
    },
    examples: ["describe net"])
}

public struct DescribeStep: Step, Equatable {
  public let model: String


  public var traits: StepTraits { StepTraits(.output, needs: [model]) }

  public func run(in session: Session, _ planned: PlannedStep) throws {
    for line in try session.describe(model) { session.output.print(line) }
  }
}

extension Session {
  /// The lines `describe NAME` prints.
  func describe(_ name: String) throws -> [String] {
    let m = try model(name)
    let data = m.dataset
    let shape = data.imageShape.map(String.init).joined(separator: "x")
    let parameters = m.network.map { "\($0.parameterCount) parameters" }
      ?? (m.model as? Mixture).map { "\($0.members.count) members" } ?? "-"
    var lines = ["\(name): \(m.architecture.name), \(parameters)"]
    lines.append("  data set: \(data.name), \(data.train.count) train / \(data.test.count) test images of \(shape), \(data.classes) classes")
    lines.append("  policy: \(m.policyDescription)")
    if let evaluated = report.models.last(where: { $0.name == name && $0.modelHash == m.hash }) {
      lines.append(String(format: "  clean accuracy: %.4f on %d test images (%@)", evaluated.cleanAccuracy, evaluated.samples,
                          evaluated.statement))
    } else {
      lines.append("  clean accuracy: not measured yet ('evaluate \(name)' measures it)")
    }
    let defaults = declaredDefaults(m.architecture, of: m.params, dataset: data.name)
    let changed = m.params.values.keys.sorted().filter { key in
      defaults[key].map { $0 != reportValue(m.params.values[key]!) } ?? false
    }.map { "\($0)=\(m.params.values[$0]!)" }
    lines.append("  settings changed from the defaults: " + (changed.isEmpty ? "none" : changed.joined(separator: " ")))
    lines.append("  origin: " + origin(of: m))
    lines.append("  model hash: \(m.hash.prefix(16)), seed \(m.seed)")
    return lines
  }

  /// Trained (and how long it took), from the cache, from a file, a surrogate or a mixture.
  func origin(of m: SessionModel) -> String {
    if let mixture = m.model as? Mixture {
      let members = models.values.filter { member in mixture.members.contains { ($0 as AnyObject) === (member.model as AnyObject) } }.map(\.name).sorted()
      return "a mixture of " + (members.isEmpty ? "\(mixture.members.count) models" : members.joined(separator: ", "))
    }
    let surrogate = m.evaluationPool != nil ? "a surrogate, " : ""
    if let seconds = m.trainSeconds { return surrogate + String(format: "trained in %.1f s", seconds) }
    if weightless.contains(m.name) { return surrogate + "not in the model cache (weights untrained)" }
    if let file = report.inputs.last(where: { $0.kind == "checkpoint" && ($0.statement ?? "").hasPrefix("model \(m.name) = load") }) {
      return "loaded from \(file.path)" + (file.sha256.map { " (sha256 \($0.prefix(12)))" } ?? "")
    }
    return surrogate + "taken from the model cache (trained by an earlier run)"
  }
}
