import AdvTensor

/// The driver's settings, declared once: every attack's declaration lists them after its own
/// parameters (`Attacks.specs`), and `Evaluation.init(_:for:)` reads them back typed.
extension Evaluation {
  /// `samples`, declared per attack because the paper's count differs by attack (attacks.md §1.1):
  /// the default is the attack's `defaultSamples`.
  public static func samples(for attack: any Attack.Type) -> ParamKey<Int> {
    .int("samples", default: attack.defaultSamples, range: 1...1_000_000,
         doc: "correctly classified test samples attacked [paper: \(attack.defaultSamples)]")
  }

  public static let launches = ParamKey.int(
    "launches", default: 100, range: 1...100_000,
    doc: "re-launches of each adversarial on a stochastic target [paper: 100]")

  // Each batch draws its own random streams and sums in its own order, so another size changes
  // single numbers but not what they estimate; only a rule over the whole batch changes more.
  public static let batch = ParamKey.int(
    "batch", default: 100, range: 1...10_000,
    doc: "samples attacked together (memory, speed); results change with it only by rounding and random draws, except under abort_by=batch")

  /// The driver's settings as `attack` declares them.
  public static func settings(for attack: any Attack.Type) -> [ParamSpec] {
    [samples(for: attack).spec, launches.spec, batch.spec]
  }

  /// `attack`'s declaration as the language reads it: its own parameters, then the driver's.
  public static func spec(of attack: any Attack.Type) -> ComponentSpec {
    let own = attack.spec
    return ComponentSpec(kind: own.kind, name: own.name, aliases: own.aliases, doc: own.doc,
                         params: own.params + settings(for: attack), datasetDefaults: own.datasetDefaults)
  }

  /// The parameters a result record keeps: the attack's own and `launches`, which records have
  /// always carried since it changes the ASR of a stochastic target. `samples` has a field of its
  /// own in the record, and `batch` changes no statistic.
  static func recorded(_ params: Params, of attack: any Attack.Type) -> Params {
    let dropped = Set(settings(for: attack).map(\.name)).subtracting([launches.name])
    return Params(params.values.filter { !dropped.contains($0.key) })
  }
}
