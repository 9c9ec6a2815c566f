import AdvLang
import AdvSpec

/// Vocabularies for front-end tests: subsets of the real declarations (`Vocabulary.standard`),
/// never copies, so what the tests pin is what users see.
///
/// `documented` holds lenet, mlp, bim and the data sets; `extended` adds `bsn-2` and `cwl2`, so
/// suggestions between similar names can be tested.
enum TestVocabulary {
  /// `Vocabulary.standard` restricted to the named components, in the order given.
  static func subset(architectures: [String], attacks: [String], datasets: [String]) -> Vocabulary {
    let standard = Vocabulary.standard
    func pick(_ kind: ComponentKind, _ names: [String]) -> [ComponentSpec] {
      names.map { name in
        guard let spec = standard.component(kind, named: name) else { preconditionFailure("no \(kind.noun) '\(name)' is registered") }
        return spec
      }
    }
    return Vocabulary(architectures: pick(.architecture, architectures), attacks: pick(.attack, attacks),
                      datasets: pick(.dataset, datasets), procedures: standard.procedures,
                      figures: Figures.declarations(attacks: pick(.attack, attacks)))
  }

  static let documented = subset(architectures: ["lenet", "mlp"], attacks: ["bim"], datasets: ["mnist", "cifar10", "pcam"])

  /// The vocabulary of most front-end tests and of the `.adv` script tests.
  static let extended = subset(architectures: ["lenet", "mlp", "bsn-2"], attacks: ["bim", "cwl2"],
                               datasets: ["mnist", "cifar10", "pcam"])

  static var bim: ComponentSpec { documented.attacks[0] }
  static var lenet: ComponentSpec { documented.architectures[0] }
  static var mnist: ComponentSpec { documented.datasets[0] }
}
