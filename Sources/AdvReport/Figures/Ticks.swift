import Foundation

/// Axis ticks at "nice" values: 1, 2 or 5 times a power of ten on linear axes, whole decades on
/// logarithmic ones.
enum Ticks {
  /// The smallest step of 1, 2 or 5 × 10^k that cuts `span` into at most `count` + 1 parts.
  static func niceStep(_ span: Double, count: Int = 5) -> Double {
    let count = max(count, 1)
    let raw = span / Double(count)
    guard raw.isFinite, raw > 0 else { return 1 }
    let magnitude = pow(10, floor(log10(raw)))
    let m = [1.0, 2, 5].first { span / ($0 * magnitude) <= Double(count + 1) } ?? 10
    return m * magnitude
  }

  /// A range covering `lo...hi`, widened outwards to whole steps, and its ticks. An empty or
  /// one-value range is widened to show something: `0...1` for no data, ±10% (±1 at zero)
  /// around a single value.
  static func nice(_ lo: Double, _ hi: Double, count: Int = 5) -> (range: ClosedRange<Double>, ticks: [Double], step: Double) {
    var lo = lo, hi = hi
    if !lo.isFinite || !hi.isFinite || lo > hi { lo = 0; hi = 1 }
    if lo == hi {
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= pad; hi += pad
    }
    let step = niceStep(hi - lo, count: count)
    let first = (lo / step + 1e-9).rounded(.down), last = (hi / step - 1e-9).rounded(.up)
    let range = (first * step)...(last * step)
    return (range, within(range, step: step), step)
  }

  /// Every multiple of `step` inside `range` (with a little slack for rounding).
  static func within(_ range: ClosedRange<Double>, step: Double) -> [Double] {
    guard step > 0, step.isFinite else { return [range.lowerBound, range.upperBound] }
    let slack = step * 1e-6
    let first = Int(((range.lowerBound - slack) / step).rounded(.up))
    let last = Int(((range.upperBound + slack) / step).rounded(.down))
    guard first <= last else { return [] }
    return (first...last).map { Double($0) * step }
  }

  /// Ticks for a range the caller fixed (an ASR axis is 0...1 whatever the data).
  static func fixed(_ range: ClosedRange<Double>, count: Int = 5) -> (ticks: [Double], step: Double) {
    let span = range.upperBound - range.lowerBound
    let step = niceStep(span > 0 ? span : 1, count: count)
    return (within(range, step: step), step)
  }

  /// `v` with as many decimals as `step` needs: step 0.2 gives "0.4", step 5 gives "15".
  static func label(_ v: Double, step: Double) -> String {
    let decimals = step > 0 && step.isFinite ? max(0, Int(-floor(log10(step) + 1e-9))) : 2
    if abs(v) >= 1e6 { return String(format: "%g", v) }
    let s = String(format: "%.\(min(decimals, 10))f", v)
    return Double(s) == 0 ? String(format: "%.\(min(decimals, 10))f", 0.0) : s
  }

  /// The decades `10^k` covering `lo...hi` (both positive): the widened range, each decade,
  /// and the minor ticks 2…9 × 10^k inside it.
  static func decades(_ lo: Double, _ hi: Double) -> (range: ClosedRange<Double>, major: [Double], minor: [Double]) {
    var lo = lo, hi = hi
    if !(lo > 0) || !lo.isFinite || !hi.isFinite || hi < lo { lo = 1; hi = 10 }
    let first = Int(floor(log10(lo) + 1e-9)); var last = Int(ceil(log10(hi) - 1e-9))
    if first == last { last += 1 }
    let major = (first...last).map { pow(10, Double($0)) }
    let minor = (first..<last).flatMap { k in (2...9).map { Double($0) * pow(10, Double(k)) } }
    return (major[0]...major[major.count - 1], major, minor)
  }

  /// A decade as people write it: "0.01", "0.1", "1", "10", "1000"; `1e-05` beyond that.
  static func decadeLabel(_ v: Double) -> String {
    let k = Int(log10(v).rounded())
    if k >= 0 && k <= 5 { return String(Int(pow(10, Double(k)))) }
    if k < 0 && k >= -4 { return String(format: "%.\(-k)f", v) }
    return String(format: "%g", v)
  }
}

/// A map from data values to pixels, linear or logarithmic.
struct AxisScale {
  var domain: ClosedRange<Double>
  /// Pixels for `domain.lowerBound` and `domain.upperBound` (`to` below `from` on y axes).
  var from: Double
  var to: Double
  var log = false

  func callAsFunction(_ v: Double) -> Double {
    let t: Double
    if log {
      let a = Foundation.log10(domain.lowerBound), b = Foundation.log10(domain.upperBound)
      t = b > a ? (Foundation.log10(v) - a) / (b - a) : 0.5
    } else {
      let span = domain.upperBound - domain.lowerBound
      t = span > 0 ? (v - domain.lowerBound) / span : 0.5
    }
    return from + (to - from) * t
  }

  /// `v` clamped into the domain, then mapped: bars and whiskers that leave a fixed range stop
  /// at its edge.
  func clamped(_ v: Double) -> Double { self(min(max(v, domain.lowerBound), domain.upperBound)) }
}
