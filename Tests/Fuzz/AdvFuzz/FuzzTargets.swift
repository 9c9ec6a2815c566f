/// The fuzz targets by name, with the share of a run's time each gets.
public enum FuzzTargets {
  /// Name and share of time: the front end half, generated scripts a sixth, the readers the rest.
  public static let shares: [(name: String, share: Double)] = [
    ("frontend", 0.5), ("generator", 0.15), ("idx", 0.06), ("cifar10", 0.05), ("hdf5", 0.06), ("safetensors", 0.06),
    ("cache", 0.06), ("adversarials", 0.06),
  ]

  public static var names: [String] { shares.map(\.name) }

  public static func make(_ name: String) throws -> FuzzTarget? {
    switch name {
    case "frontend": return FrontendFuzzer()
    case "generator": return GeneratorFuzzer()
    case "idx": return try IDXFuzzer()
    case "cifar10": return try CIFARFuzzer()
    case "hdf5": return try HDF5Fuzzer()
    case "safetensors": return try SafeTensorsFuzzer()
    case "cache": return try CacheEntryFuzzer()
    case "adversarials": return try AdversarialFileFuzzer()
    default: return nil
    }
  }
}

extension FuzzTarget {
  /// Inputs to start a coverage-guided fuzzer from (libFuzzer's corpus): the seeds unmutated.
  public func seeds() -> [[UInt8]] {
    if let frontend = self as? FrontendFuzzer { return frontend.corpus }
    if let reader = self as? ReaderFuzzer { return reader.files.indices.map { [UInt8($0)] + reader.files[$0].seed } }
    var rng = FuzzRandom(seed: 1)
    return (0..<20).map { _ in makeInput(&rng) }
  }
}
