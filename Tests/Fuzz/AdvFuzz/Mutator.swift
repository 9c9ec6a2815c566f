import AdvLang

/// Mutations of script text (the front end) and of binary files (the readers).
public enum Mutator {
  // MARK: Text

  /// Tokens the text mutations insert: the corpus's own tokens are added by `FrontendFuzzer`.
  static let textPieces: [String] = [
    "(", ")", "[", "]", "{", "}", "=", ",", ";", "+", "-", "*", "/", "\"", "\\", "#", "\n", "\r\n", "\t", " ",
    "\\n", "\\q", "'", "é", "\u{2028}", "\u{0085}", "\u{FEFF}", "‸", "🙂", "e\u{301}", "\u{0}",
    "0", "1", "-1", "1e", "1e+", "1e-3", "1_", "1__0", "0.5", "99999999999999999999999", "1e308", "1e309", "1e-400",
    "18446744073709551616", "9223372036854775807", "9223372036854775808", "1/0", "0/0", "2-1", "e-1", "a-", "-a",
    "true", "false", "on", "from", "to", "in", "of", "as", "adversarials", "policy", "single", "average", "average(0)",
    "average(1001)", "for x in [] {}", "for x in [1, 2] {", "for", "}", "model", "train", "load", "surrogate", "mixture",
    "\"a.json\"", "\"\"", "\"/tmp/x\"", "\"../x\"", "\"x.safetensors\"", "weights=[]", "weights=[0, 0]",
  ]

  /// One to eight stacked mutations of a corpus script.
  public static func mutateText(_ input: [UInt8], dictionary: [String], corpus: [[UInt8]], rng: inout FuzzRandom) -> [UInt8] {
    var bytes = input
    for _ in 0..<rng.size(upTo: 8) {
      bytes = mutateTextOnce(bytes, dictionary: dictionary, corpus: corpus, rng: &rng)
    }
    // Keep inputs small enough that each is quick; the nesting bombs stay within this.
    if bytes.count > 200_000 { bytes.removeLast(bytes.count - 200_000) }
    return bytes
  }

  static func mutateTextOnce(_ input: [UInt8], dictionary: [String], corpus: [[UInt8]], rng: inout FuzzRandom) -> [UInt8] {
    var b = input
    let at = b.isEmpty ? 0 : rng.int(0...b.count)
    switch rng.int(0..<16) {
    case 0, 1:
      insert(Array(rng.pick(dictionary).utf8), into: &b, at: at)
    case 2, 3:
      insert(Array(rng.pick(textPieces).utf8), into: &b, at: at)
    case 4:
      // A line of another script.
      let other = rng.pick(corpus)
      let lines = other.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
      if let line = lines.isEmpty ? nil : rng.pick(lines) { insert(Array(line) + [10], into: &b, at: lineStart(b, at)) }
    case 5:
      // Nesting: within and beyond the limit.
      let opener = rng.pick(["(", "[", "-", "+", "for a in [1] {", "for a in [1, 2] {", "1+", "[1, ", "-(", "{"])
      let n = rng.chance(0.5) ? rng.int(250...262) : rng.size(upTo: 3000)
      insert(Array(String(repeating: opener, count: n).utf8), into: &b, at: at)
      if rng.chance(0.5) {
        let closer = opener.hasSuffix("{") ? "}" : opener.hasSuffix("(") ? ")" : opener.hasPrefix("[") ? "]" : ""
        insert(Array(String(repeating: closer, count: n).utf8), into: &b, at: min(b.count, at + n * opener.utf8.count + rng.int(0...3)))
      }
    case 6:
      // A long name or number.
      let c = rng.pick(["a", "9", "_", "é", "a-"])
      insert(Array(String(repeating: c, count: rng.size(upTo: 20_000)).utf8), into: &b, at: at)
    case 7 where !b.isEmpty:
      let n = min(rng.size(upTo: 64), b.count - min(at, b.count - 1))
      b.removeSubrange(min(at, b.count - 1)..<min(b.count, min(at, b.count - 1) + n))
    case 8 where !b.isEmpty:
      b.removeLast(b.count - at)
    case 9 where !b.isEmpty:
      // Repeat a stretch.
      let start = rng.int(0..<b.count), end = min(b.count, start + rng.size(upTo: 200))
      let piece = Array(b[start..<end])
      for _ in 0..<rng.size(upTo: 100) { insert(piece, into: &b, at: end) }
    case 10:
      // Wrap the rest of a line in a loop.
      let start = lineStart(b, at)
      insert(Array("for v in [1, 2, 3] { ".utf8), into: &b, at: start)
      let end = b[start...].firstIndex(of: UInt8(ascii: "\n")) ?? b.count
      insert(Array(" }".utf8), into: &b, at: end)
    case 11 where !b.isEmpty:
      b[min(at, b.count - 1)] ^= UInt8(1) << UInt8(rng.int(0..<8))
    case 12 where !b.isEmpty:
      b[min(at, b.count - 1)] = UInt8(rng.int(0...255))
    case 13:
      // Splice: the start of this script and the end of another.
      let other = rng.pick(corpus)
      b = Array(b[..<at]) + Array(other[rng.int(0...other.count)...])
    case 14:
      insert([UInt8(rng.int(0...255))], into: &b, at: at)
    default:
      insert(Array(rng.pick(dictionary).utf8) + [32] + Array(rng.pick(dictionary).utf8), into: &b, at: at)
    }
    return b
  }

  static func insert(_ piece: [UInt8], into b: inout [UInt8], at i: Int) {
    b.insert(contentsOf: piece, at: min(max(0, i), b.count))
  }

  static func lineStart(_ b: [UInt8], _ i: Int) -> Int {
    let i = min(i, b.count)
    guard let newline = b[..<i].lastIndex(of: UInt8(ascii: "\n")) else { return 0 }
    return newline + 1
  }

  // MARK: Binary

  /// Sizes that break readers: zero, one, the edges of 8-, 16-, 32- and 64-bit integers.
  static let interesting: [UInt64] = [
    0, 1, 2, 3, 4, 7, 8, 16, 28, 255, 256, 3072, 3073, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000,
    0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
    0xFFFF_FFFF_FFFF_FFF8,
  ]

  /// One to six stacked mutations of a file. `fields` are offsets where the format keeps sizes
  /// (headers); a third of the integer overwrites go there.
  public static func mutateBytes(_ input: [UInt8], fields: [Int], rng: inout FuzzRandom) -> [UInt8] {
    var b = input
    for _ in 0..<rng.size(upTo: 6) { mutateBytesOnce(&b, fields: fields, rng: &rng) }
    return b
  }

  static func mutateBytesOnce(_ b: inout [UInt8], fields: [Int], rng: inout FuzzRandom) {
    let at = b.isEmpty ? 0 : rng.int(0..<b.count)
    switch rng.int(0..<10) {
    case 0, 1, 2:
      // An integer of 1, 2, 4 or 8 bytes, either endianness, at a size field or anywhere.
      let width = rng.pick([1, 2, 4, 8])
      let offset = !fields.isEmpty && rng.chance(0.6) ? rng.pick(fields) : at
      var value = rng.pick(interesting)
      if rng.chance(0.2) { value = value &+ UInt64(bitPattern: Int64(rng.int(-3...3))) }
      if rng.chance(0.3) { value = rng.next() }
      let little = rng.chance(0.5)
      for k in 0..<width where offset + k < b.count {
        let shift = UInt64(8 * (little ? k : width - 1 - k))
        b[offset + k] = UInt8(truncatingIfNeeded: width == 8 || shift < 64 ? value >> shift : 0)
      }
    case 3 where !b.isEmpty:
      b[at] ^= UInt8(1) << UInt8(rng.int(0..<8))
    case 4 where !b.isEmpty:
      b[at] = UInt8(rng.int(0...255))
    case 5:
      // Cut short, often in the header.
      let keep = rng.chance(0.5) ? rng.int(0...min(b.count, 64)) : rng.int(0...b.count)
      b.removeLast(b.count - keep)
    case 6:
      b += (0..<rng.size(upTo: 4096)).map { _ in rng.chance(0.5) ? 0 : UInt8(rng.int(0...255)) }
    case 7 where !b.isEmpty:
      let n = min(rng.size(upTo: 256), b.count - at)
      b.removeSubrange(at..<(at + n))
    case 8 where !b.isEmpty:
      let n = min(rng.size(upTo: 256), b.count - at)
      b.insert(contentsOf: b[at..<(at + n)], at: rng.int(0...b.count))
    default:
      b.insert(contentsOf: (0..<rng.size(upTo: 16)).map { _ in UInt8(rng.int(0...255)) }, at: b.isEmpty ? 0 : at)
    }
  }
}
