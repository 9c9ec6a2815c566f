import AdvAttacks
import AdvData
import AdvNN

extension Vocabulary {
  /// Everything the engine registers: the names a script may use.
  public static let standard = Vocabulary(architectures: Architectures.specs, attacks: Attacks.specs,
                                          datasets: Datasets.specs,
                                          procedures: [TransferSettings.spec, SurrogateSettings.spec, MixtureSettings.spec],
                                          figures: Figures.declarations(attacks: Attacks.specs))
}
