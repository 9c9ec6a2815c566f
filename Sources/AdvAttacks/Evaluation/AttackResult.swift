import AdvTensor

/// Outcome of one attacked sample (attacks.md §1.4).
public struct SampleOutcome: Sendable, Equatable {
  public let index: Int
  public let label: Int
  /// The attack returned an image (some query was adversarial).
  public let returned: Bool
  /// s_i: 1 or 0 for a deterministic target (re-checked on the returned image), the fraction of
  /// adversarial launches for a stochastic one.
  public let success: Double
  /// d_i = ‖x_adv − x‖₂ / n, n = C·H·W (the driver's distance); nil when nothing was returned.
  public let l2PerPixel: Double?
  public let queries: Int
  public let gradients: Int
  /// The returned image's label under the target's policy: the majority answer of the launches
  /// that scored it on a stochastic target, the re-check's answer on a deterministic one (no
  /// query is added for it); nil when nothing was returned.
  public let adversarialLabel: Int?
}

/// The result of one `attack` statement.
public struct AttackResult: Sendable {
  public let attack: String
  /// The parameters a record keeps: the attack's own and `launches` (see `Evaluation.recorded`).
  public let params: Params
  public let samples: [SampleOutcome]
  public let seconds: Double
  /// The samples asked for; more than `samples.count` when fewer test images were classified
  /// correctly.
  public let requestedSamples: Int

  /// ASR = mean of s_i (attacks.md §1.2).
  public var asr: Double {
    samples.isEmpty ? 0 : samples.reduce(0) { $0 + $1.success } / Double(samples.count)
  }

  /// Mean of d_i over samples that returned an image; nil when none did (attacks.md §1.3).
  public var meanL2PerPixel: Double? {
    let d = samples.compactMap(\.l2PerPixel)
    return d.isEmpty ? nil : d.reduce(0, +) / Double(d.count)
  }

  public var queries: Int { samples.reduce(0) { $0 + $1.queries } }

  /// The adversarial images, in sample order (nil where none was returned).
  public let adversarials: [Tensor?]
}
