import AdvSpec

/// "Did you mean …?" — the closest valid name, only when it is close.

/// The edit distance between two strings: insertions, deletions, substitutions and swaps of
/// two neighbouring characters each cost 1 (Levenshtein distance extended by adjacent
/// transpositions, "optimal string alignment"), so the common typo `bmi` for `bim` costs 1,
/// not 2.
public func editDistance(_ a: String, _ b: String) -> Int {
  let s = Array(a), t = Array(b)
  if s.isEmpty { return t.count }
  if t.isEmpty { return s.count }
  // Three rows suffice: the previous two for transpositions and the current one.
  var before = [Int](repeating: 0, count: t.count + 1)
  var previous = Array(0...t.count)
  var current = [Int](repeating: 0, count: t.count + 1)
  for i in 1...s.count {
    current[0] = i
    for j in 1...t.count {
      let cost = s[i - 1] == t[j - 1] ? 0 : 1
      var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
        d = min(d, before[j - 2] + 1)
      }
      current[j] = d
    }
    (before, previous, current) = (previous, current, before)
  }
  return previous[t.count]
}

/// The candidate closest to `spelling`, or nil when none is close enough.
///
/// Names are compared by `canonicalName` (case, `-` and `_` ignored), so `BSN_2` is at
/// distance 0 from `bsn-2`. A candidate counts as close when its distance is at most
/// `max(1, n / 3)` where `n` is the length of the canonical spelling: one typo in short names,
/// one per three characters in longer ones. Ties go to the earlier candidate, so callers list
/// names in the order they want preferred (canonical names before aliases).
///
/// Spellings longer than `maximumSuggestedLength` get no suggestion: the distance costs the
/// product of the two lengths, and two names of 50,000 characters (a damaged file) would take
/// seconds. A candidate whose length differs by more than the limit is skipped unmeasured.
public func suggestion(for spelling: String, among candidates: [String]) -> String? {
  // Even before `canonicalName` (which drops `-` and `_`): it would walk the whole name.
  guard spelling.utf8.count <= 4 * maximumSuggestedLength else { return nil }
  let key = canonicalName(spelling)
  guard !key.isEmpty, key.count <= maximumSuggestedLength else { return nil }
  let limit = max(1, key.count / 3)
  var best: (name: String, distance: Int)? = nil
  for candidate in candidates {
    let other = canonicalName(candidate)
    guard abs(other.count - key.count) <= limit else { continue }
    let d = editDistance(key, other)
    if d <= limit, d < (best?.distance ?? Int.max) { best = (candidate, d) }
  }
  return best?.name
}

/// Names longer than this are not matched against others (see `suggestion`).
public let maximumSuggestedLength = 100

/// `a, b and c` / `a or b` — for notes listing valid names.
func listed(_ names: [String], conjunction: String = "and", quote: (String) -> String = { "'\($0)'" }) -> String {
  let quoted = names.map(quote)
  switch quoted.count {
  case 0: return ""
  case 1: return quoted[0]
  default: return quoted.dropLast().joined(separator: ", ") + " \(conjunction) " + (quoted.last ?? "")
  }
}
