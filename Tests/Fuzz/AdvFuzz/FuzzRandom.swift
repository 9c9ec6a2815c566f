/// The fuzzers' random numbers: SplitMix64 (Steele, Lea and Flood 2014), so a run is repeated
/// exactly from its seed, on any machine.
public struct FuzzRandom: RandomNumberGenerator {
  var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A number in `range` (which must not be empty).
  public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
  public mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

  /// One element of a non-empty collection.
  public mutating func pick<C: Collection>(_ items: C) -> C.Element where C.Index == Int {
    items[items.startIndex + int(0..<items.count)]
  }

  /// Mostly small numbers, sometimes large: sizes of insertions, repeats and nestings.
  public mutating func size(upTo limit: Int) -> Int {
    switch int(0..<10) {
    case 0..<6: return int(1...min(8, limit))
    case 6..<9: return int(1...min(64, limit))
    default: return int(1...limit)
    }
  }
}
