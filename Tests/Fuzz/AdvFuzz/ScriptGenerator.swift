import AdvLang
import AdvSpec

/// Random well-formed scripts from the declarations: every statement kind, names that are
/// defined before use, every parameter of every component with values inside its declared
/// range (written as literals, fractions, sums, parenthesised, signed, or through a loop
/// variable), nested loops. Each script must check; the generator target then prints it
/// through `ScriptPrinter` and requires the same tree and the same plan back.
///
/// Paths are plain relative file names; data sets are loaded without `from`, so no file needs to
/// exist. Cross-parameter rules of the checker (a t-SNE perplexity below a third of the samples,
/// a decision plane's `lo` below `hi` and its three indices, a mixture's weights per member) are
/// respected by leaving those parameters out or writing them to fit.
public struct ScriptGenerator {
  let vocabulary: Vocabulary
  var rng: FuzzRandom
  var lines: [String] = []
  var models: [String] = []
  var attacked: [String] = []
  var attackedAfterLoop: [String] = []
  /// Loop variables in scope, each with the values it takes (numbers) or the models it names.
  var numberVariables: [(name: String, values: [Double])] = []
  var modelVariables: [(name: String, models: [String])] = []
  var nextName = 0
  var depth = 0

  public init(vocabulary: Vocabulary = .standard, seed: UInt64) {
    self.vocabulary = vocabulary
    rng = FuzzRandom(seed: seed)
  }

  /// A script of about `statements` statements (loops count their bodies).
  public mutating func script(statements: Int = 12) -> String {
    lines = []
    models = []
    attacked = []
    attackedAfterLoop = []
    numberVariables = []
    modelVariables = []
    if rng.chance(0.5) { emit("seed " + integer(rng.int(0...Int.max), wide: true)) }
    let dataset = vocabulary.datasets.first { $0.name == "mnist" } ?? vocabulary.datasets[0]
    emit("load \(spell(dataset.name))" + arguments(of: dataset, skip: []))
    for _ in 0..<2 { train() }
    for _ in 0..<statements { statement() }
    return lines.joined(separator: "\n") + "\n"
  }

  mutating func emit(_ line: String) {
    lines.append(String(repeating: "  ", count: depth) + line)
  }

  mutating func fresh(_ prefix: String) -> String {
    nextName += 1
    let separators = ["", "_", "-"]
    return prefix + rng.pick(separators) + String(nextName)
  }

  /// A component's name as a script may spell it: canonical, an alias, upper case, or with
  /// `-` and `_` moved.
  mutating func spell(_ name: String, aliases: [String] = []) -> String {
    let base = aliases.isEmpty || rng.chance(0.7) ? name : rng.pick(aliases)
    switch rng.int(0..<6) {
    case 0: return base.uppercased()
    case 1: return base.replacingOccurrences(of: "-", with: "_")
    case 2 where !base.contains("-") && base.count > 2 && base.last?.isLetter == true && base.first?.isLetter == true:
      let cut = base.index(base.startIndex, offsetBy: 1)
      return String(base[..<cut]) + "_" + String(base[cut...])
    default: return base
    }
  }

  mutating func model() -> String {
    if !modelVariables.isEmpty && rng.chance(0.3) { return rng.pick(modelVariables).name }
    return rng.pick(models)
  }

  mutating func statement() {
    switch rng.int(0..<20) {
    case 0..<3: train()
    case 3: emit("evaluate " + model())
    case 4..<7: attack()
    case 7: transfer()
    case 8: surrogate()
    case 9: mixture()
    case 10: setPolicy()
    case 11: emit("save \(model()) to " + path("safetensors"))
    case 12: saveAdversarials()
    case 13: report()
    case 14: plot()
    case 15: emit("seed " + integer(rng.int(0...1_000_000), wide: false))
    default: loop()
    }
  }

  mutating func train() {
    let spec = rng.pick(vocabulary.architectures)
    let name = fresh("m")
    let source = !models.isEmpty && rng.chance(0.2) ? " from " + rng.pick(models) : ""
    emit("model \(name) = train \(spell(spec.name, aliases: spec.aliases))" + source + arguments(of: spec, skip: []))
    models.append(name)
  }

  mutating func attack() {
    let spec = rng.pick(vocabulary.attacks)
    let target = model()
    // Parameters may stand on both sides of `on MODEL`.
    let args = argumentList(of: spec, skip: [])
    let split = rng.int(0...args.count)
    emit("attack \(spell(spec.name, aliases: spec.aliases))" + args[..<split].joined() + " on \(target)" + args[split...].joined())
    // Through a loop variable each of its models is attacked in one pass only: all of them
    // count once the loop is over.
    if let variable = modelVariables.last(where: { $0.name == target }) {
      attackedAfterLoop.append(contentsOf: variable.models)
    } else {
      attacked.append(target)
    }
  }

  mutating func transfer() {
    guard let settings = vocabulary.component(.procedure, named: "transfer") else { return }
    let spec = rng.pick(vocabulary.attacks)
    let merged = ComponentSpec.merging(spec)(settings)
    let targets = (0..<rng.int(1...3)).map { _ in rng.pick(models) }
    emit("transfer \(spell(spec.name))" + arguments(of: merged, skip: []) + " from \(model()) to " + targets.joined(separator: ", "))
  }

  mutating func surrogate() {
    guard let settings = vocabulary.component(.procedure, named: "surrogate") else { return }
    let spec = rng.pick(vocabulary.architectures)
    let merged = ComponentSpec.merging(spec)(settings)
    let name = fresh("s")
    emit("model \(name) = surrogate \(spell(spec.name)) of \(model())" + arguments(of: merged, skip: []))
    models.append(name)
  }

  mutating func mixture() {
    guard let settings = vocabulary.component(.procedure, named: "mixture") else { return }
    var members: [String] = []
    for _ in 0..<rng.int(2...4) where members.count < models.count {
      var m = rng.pick(models)
      while members.contains(m) { m = rng.pick(models) }
      members.append(m)
    }
    guard members.count >= 2 else { return }
    var args = arguments(of: settings, skip: ["weights"])
    if rng.chance(0.5), let weights = settings.param("weights"), case .reals(let range) = weights.kind {
      var values = members.map { _ in number(in: range, integral: false) }
      if !values.contains(where: { $0 > 0 }) { values[0] = range.upperBound > 0 ? min(range.upperBound, 1) : values[0] }
      if values.contains(where: { $0 > 0 }) { args += " weights=[" + values.map { literal($0) }.joined(separator: ", ") + "]" }
    }
    let name = fresh("x")
    emit("model \(name) = mixture " + members.joined(separator: ", ") + args)
    models.append(name)
  }

  mutating func setPolicy() {
    let range = InferencePolicy.passesRange
    let policy = rng.chance(0.5) ? "single" : "average(" + integerExpression(rng.int(range), whole: true) + ")"
    emit("set policy of \(model()) = \(policy)")
  }

  mutating func saveAdversarials() {
    guard !attacked.isEmpty else { return }
    let of = rng.chance(0.5) ? " of " + rng.pick(attacked) : ""
    emit("save adversarials" + of + " to " + path("safetensors"))
  }

  mutating func report() {
    let formats = ReportFormat.allCases
    let format = rng.pick(formats)
    switch rng.int(0..<4) {
    case 0: emit("report")
    case 1: emit("report \(format.rawValue)")
    case 2: emit("report to " + path(format.extensions.first ?? "txt"))
    default: emit("report \(format.rawValue) to " + path(format.extensions.first ?? "txt"))
    }
  }

  mutating func plot() {
    let figure = rng.pick(vocabulary.figures)
    var of: [String] = []
    var pool = models
    if figure.name == "adversarials" {
      guard !attacked.isEmpty else { return }
      pool = attacked
    }
    switch figure.models {
    case .one: of = [rng.pick(pool)]
    case .filter: if rng.chance(0.5) || figure.name == "adversarials" { of = (0..<rng.int(1...2)).map { _ in rng.pick(pool) } }
    }
    let skip: Set<String> = ["around", "lo", "hi", "perplexity", "samples"]
    let ofText = of.isEmpty ? "" : " of " + of.joined(separator: ", ")
    let to = rng.chance(0.4) ? " to " + path(figure.file.rawValue) : ""
    emit("plot \(spell(figure.name))" + ofText + arguments(of: figure.spec, skip: skip) + to)
  }

  mutating func loop() {
    guard depth < 3 else { return statement() }
    let name = fresh("v")
    if rng.chance(0.3) {
      let names = (0..<rng.int(1...3)).map { _ in rng.pick(models) }
      emit("for \(name) in [" + names.joined(separator: ", ") + "] {")
      modelVariables.append((name, names))
      defer { modelVariables.removeLast() }
      body()
    } else {
      let values = (0..<rng.int(1...4)).map { _ in Double(rng.int(0...1000)) / Double(rng.pick([1, 2, 10, 100, 255, 1000])) }
      emit("for \(name) in [" + values.map { literal($0) }.joined(separator: ", ") + "] {")
      numberVariables.append((name, values))
      defer { numberVariables.removeLast() }
      body()
    }
    emit("}")
    if depth == 0 {
      attacked += attackedAfterLoop
      attackedAfterLoop = []
    }
  }

  mutating func body() {
    depth += 1
    for _ in 0..<rng.int(1...3) { statement() }
    depth -= 1
  }

  mutating func path(_ ext: String) -> String {
    "\"" + fresh("out") + "." + (rng.chance(0.2) ? ext.uppercased() : ext) + "\""
  }

  // MARK: Values

  /// ` name=value …` for a random subset of the declared parameters, in random order.
  mutating func arguments(of spec: ComponentSpec, skip: Set<String>) -> String {
    argumentList(of: spec, skip: skip).joined()
  }

  /// The arguments one by one, each with its leading space.
  mutating func argumentList(of spec: ComponentSpec, skip: Set<String>) -> [String] {
    var out: [String] = []
    for param in spec.params.shuffled(using: &rng) where !skip.contains(param.name) && rng.chance(0.35) {
      guard let value = value(for: param) else { continue }
      out.append(" " + paramName(param.name) + "=" + value)
    }
    return out
  }

  mutating func paramName(_ name: String) -> String {
    switch rng.int(0..<8) {
    case 0: return name.replacingOccurrences(of: "_", with: "-")
    case 1: return name.uppercased()
    default: return name
    }
  }

  mutating func value(for param: ParamSpec) -> String? {
    switch param.kind {
    case .real(let range):
      if let variable = variable(fitting: range) { return variable }
      return realExpression(number(in: range, integral: false), range: range)
    case .int(let range):
      if let variable = variable(fitting: ClosedRange(uncheckedBounds: (Double(range.lowerBound), Double(range.upperBound))), whole: true) {
        return variable
      }
      return integerExpression(rng.chance(0.3) ? rng.pick([range.lowerBound, range.upperBound]) : bounded(range))
    case .choice(let options):
      let option = rng.pick(options)
      let isWord = option.first.map { $0.isLetter || $0 == "_" } == true
        && option.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        && !["true", "false", "on", "from", "to", "in"].contains(option.lowercased())
        && !numberVariables.contains { $0.name == option } && !modelVariables.contains { $0.name == option }
      return isWord && rng.chance(0.8) ? spell(option) : ScriptPrinter.quoted(option)
    case .bool:
      return rng.chance(0.5) ? "true" : "false"
    case .reals(let range):
      let values = (0..<rng.int(0...3)).map { _ in number(in: range, integral: false) }
      return "[" + values.map { literal($0) }.joined(separator: ", ") + "]"
    }
  }

  /// A loop variable in scope all of whose values fit, sometimes.
  mutating func variable(fitting range: ClosedRange<Double>, whole: Bool = false) -> String? {
    let fitting = numberVariables.filter { v in v.values.allSatisfy { range.contains($0) && (!whole || $0 == $0.rounded()) } }
    guard !fitting.isEmpty, rng.chance(0.5) else { return nil }
    return rng.pick(fitting).name
  }

  /// An integer in a range that may be as wide as `Int`'s.
  mutating func bounded(_ range: ClosedRange<Int>) -> Int {
    let lo = range.lowerBound, hi = range.upperBound
    let span = hi.subtractingReportingOverflow(lo)
    if span.overflow || span.partialValue > 1_000_000, rng.chance(0.8) {
      return lo + rng.int(0...min(1000, hi - max(lo, hi - 1000)))
    }
    return rng.int(range)
  }

  /// A number in `range`: an end, a round value, or anything in between (finite ranges only
  /// matter: the draw is confined to ±1e6 around them).
  mutating func number(in range: ClosedRange<Double>, integral: Bool) -> Double {
    let lo = max(range.lowerBound, -1e6), hi = min(range.upperBound, 1e6)
    guard lo < hi else { return lo }
    switch rng.int(0..<5) {
    case 0: return lo
    case 1: return hi
    case 2:
      let (a, b) = (lo.rounded(.up), hi.rounded(.down))
      return a <= b ? Double(rng.int(Int(a)...Int(b))) : lo
    default:
      let v = Double.random(in: lo...hi, using: &rng)
      return integral ? v.rounded() : v
    }
  }

  /// A literal for a finite number: `3`, `0.25`, `1e-05`, `-2` (a sign and a literal).
  func literal(_ v: Double) -> String {
    let magnitude = abs(v)
    let text = magnitude == magnitude.rounded() && magnitude < 1e15 ? String(Int(magnitude)) : "\(magnitude)"
    return (v < 0 ? "-" : "") + text
  }

  /// `v` written one of several ways that evaluate to exactly `v` (or to a value in `range`).
  mutating func realExpression(_ v: Double, range: ClosedRange<Double>) -> String {
    let plain = literal(v)
    switch rng.int(0..<8) {
    case 0:
      // A fraction close to v that is still in range.
      let d = rng.pick([2, 10, 255, 1000])
      let n = (v * Double(d)).rounded()
      if abs(n) < 1e12, range.contains(n / Double(d)) { return literal(n) + "/" + String(d) }
      return plain
    case 1: return "(" + plain + ")"
    case 2: return v >= 0 ? "+" + plain : plain
    case 3: return plain + " * 1"
    case 4: return "-(" + literal(-v) + ")"
    default: return plain
    }
  }

  /// `n` as a literal, a sum, a halved double or in parentheses; `whole` leaves out the halving,
  /// whose result is a real (`set policy` takes integers only).
  mutating func integerExpression(_ n: Int, whole: Bool = false) -> String {
    switch rng.int(0..<6) {
    case 0 where n > 1 && n < 1_000_000:
      let a = rng.int(1..<n)
      return String(a) + " + " + String(n - a)
    case 1 where n >= 0 && n < 1_000_000 && !whole: return String(n * 2) + "/2"
    case 2 where n >= 0: return "(" + integer(n, wide: false) + ")"
    default: return n < 0 ? "-" + String(n.magnitude) : integer(n, wide: false)
    }
  }

  /// A non-negative integer literal, sometimes with `_` separators.
  mutating func integer(_ n: Int, wide: Bool) -> String {
    let digits = String(n)
    guard digits.count > 3, rng.chance(0.3) else { return digits }
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "_" }
      out.append(c)
    }
    return out
  }
}
