/// The paper's Table II layout: attack settings down, models across, one table for ASR and
/// one for mean L2 per pixel (×1000).
///
/// A row is one attack setting on one data set: the data set, the attack and its parameters
/// (`samples` aside). Rows are grouped by data set in the order the data sets first appear,
/// then ordered by first appearance. The row label shows the attack with only the parameters
/// that differ between that attack's runs in this report, so a sweep reads `bim eps=0.03137`,
/// `bim eps=0.06275`, … and a single run reads `bim`. Columns are the attacked models in order
/// of their first attack. A model not run under a setting shows "-"; a setting run twice on
/// the same model shows the later run.
///
/// Returns no tables unless at least two models were attacked.
func pivotTables(_ report: Report) -> [Table] {
  var models: [String] = []
  for r in report.results where !models.contains(r.model) { models.append(r.model) }
  guard models.count >= 2 else { return [] }

  struct Setting {
    var dataset: String
    var label: String
    var asr: [String: String] = [:]
    var l2: [String: String] = [:]
  }
  let varying = varyingParameters(report.results.map { ($0.attack, $0.params) })
  var settings: [Setting] = []
  var index: [String: Int] = [:]
  for r in report.results {
    let key = settingKey(r)
    let k: Int
    if let existing = index[key] {
      k = existing
    } else {
      let shown = formatParams(r.params, only: varying[r.attack] ?? [])
      k = settings.count
      index[key] = k
      settings.append(Setting(dataset: r.dataset, label: shown.isEmpty ? r.attack : "\(r.attack) \(shown)"))
    }
    settings[k].asr[r.model] = fixed(r.asr)
    settings[k].l2[r.model] = l2Cell(r.l2PerPixel)
  }

  var datasets: [String] = []
  for s in settings where !datasets.contains(s.dataset) { datasets.append(s.dataset) }
  let ordered = datasets.flatMap { d in settings.filter { $0.dataset == d } }

  func table(_ title: String, _ cell: (Setting) -> [String: String]) -> Table {
    Table(title: title, headers: ["dataset", "attack"] + models,
          alignments: [.left, .left] + models.map { _ in .right },
          rows: ordered.map { s in [s.dataset, s.label] + models.map { cell(s)[$0] ?? "-" } })
  }
  return [table("ASR (Table II layout)", \.asr), table("Mean L2 per pixel x1000 (Table II layout)", \.l2)]
    + paperTables(report, models: models, datasets: datasets)
}

/// The paper's Table II rows for the data sets and attacks of this report, in the same columns
/// (each model's architecture looked up), so ours can be read against them.
private func paperTables(_ report: Report, models: [String], datasets: [String]) -> [Table] {
  var arch: [String: String] = [:]
  for r in report.results { arch[r.model] = r.arch }
  var rows: [(dataset: String, attack: String, values: [String: (asr: Double, l2x1000: Double)])] = []
  for d in datasets {
    var attacks: [String] = []
    for r in report.results where r.dataset == d && !attacks.contains(r.attack) { attacks.append(r.attack) }
    for a in attacks { if let v = PaperResults.tableII["\(d) \(a)"] { rows.append((d, a, v)) } }
  }
  guard !rows.isEmpty else { return [] }
  func table(_ title: String, _ cell: ((asr: Double, l2x1000: Double)) -> String) -> Table {
    Table(title: title, headers: ["dataset", "attack"] + models,
          alignments: [.left, .left] + models.map { _ in .right },
          rows: rows.map { row in [row.dataset, row.attack] + models.map { m in arch[m].flatMap { row.values[$0] }.map(cell) ?? "-" } })
  }
  return [table("Paper, Table II(a): ASR (headline settings, full test sets)") { String(format: "%.4f", $0.asr) },
          table("Paper, Table II(b): mean L2 per pixel x1000") { String(format: "%.4f", $0.l2x1000) }]
}

/// Identifies a setting at full precision, so values that print alike stay apart.
private func settingKey(_ r: AttackRecord) -> String {
  let params = r.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.exact)" }
  return ([r.dataset, r.attack] + params).joined(separator: "\u{1F}")
}

/// For each attack, the parameters whose values are not the same in all of its runs (a
/// parameter missing from some runs counts as differing). `runs` are (attack, parameters) pairs:
/// attack records and transfer records alike.
func varyingParameters(_ runs: [(attack: String, params: [String: ReportValue])]) -> [String: Set<String>] {
  var byAttack: [String: [[String: ReportValue]]] = [:]
  for r in runs { byAttack[r.attack, default: []].append(r.params) }
  return byAttack.mapValues { params in
    let keys = Set(params.flatMap(\.keys))
    return keys.filter { key in
      let first = params[0][key]
      return params.contains { $0[key] != first }
    }
  }
}
