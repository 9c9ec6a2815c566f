/// The paper's Table II layout: attack settings down, models across, one table for ASR and
/// one for mean L2 per pixel (×1000).
///
/// A row is one attack setting on one data set: the data set, the attack and its parameters
/// (`samples` aside). Rows are grouped by data set in the order the data sets first appear,
/// then ordered by first appearance. The row label shows the attack with only the parameters
/// that differ between that attack's runs in this report, so a sweep reads `bim eps=8/255`,
/// `bim eps=16/255`, … and a single run reads `bim`. `launches` counts only on stochastic targets:
/// a deterministic model's run joins the row of the same attack settings whatever its `launches`
/// (unless the stochastic runs themselves differ in it). Columns are the attacked models in order
/// of their first attack, a model being its name and hash (`ModelLabels`: a name the script
/// reused gives two columns, `net (lenet)` and `net (mlp)`); a model attacked under more than
/// one policy has a column per policy (`bsn, single`, `bsn, average(10)`). A model not run under
/// a setting shows "-"; a setting run twice on the same model and policy shows the later run.
///
/// Returns no tables unless at least two models were attacked.
func pivotTables(_ report: Report) -> [Table] {
  let columns = pivotColumns(report)
  guard Set(columns.map(\.model)).count >= 2 else { return [] }

  struct Setting {
    var dataset: String
    var label: String
    var asr: [PivotColumn: String] = [:]
    var l2: [PivotColumn: String] = [:]
  }
  let varying = pivotVarying(report.results)
  var settings: [Setting] = []
  var index: [String: Int] = [:]
  for r in report.results {
    let params = rowParams(r)
    let key = settingKey(r.dataset, r.attack, params, varying[r.attack] ?? [])
    let k: Int
    if let existing = index[key] {
      k = existing
    } else {
      let shown = formatParams(params, only: varying[r.attack] ?? [])
      k = settings.count
      index[key] = k
      settings.append(Setting(dataset: r.dataset, label: shown.isEmpty ? r.attack : "\(r.attack) \(shown)"))
    }
    let column = PivotColumn(r)
    settings[k].asr[column] = fixed(r.asr)
    settings[k].l2[column] = l2Cell(r.l2PerPixel)
  }

  var datasets: [String] = []
  for s in settings where !datasets.contains(s.dataset) { datasets.append(s.dataset) }
  let ordered = datasets.flatMap { d in settings.filter { $0.dataset == d } }
  let headers = columnLabels(columns, report)

  func table(_ title: String, _ cell: (Setting) -> [PivotColumn: String]) -> Table {
    Table(title: title, headers: ["dataset", "attack"] + headers,
          alignments: [.left, .left] + columns.map { _ in .right },
          rows: ordered.map { s in [s.dataset, s.label] + columns.map { cell(s)[$0] ?? "-" } })
  }
  return [table("ASR (Table II layout)", \.asr), table("Mean L2 per pixel x1000 (Table II layout)", \.l2)]
    + paperTables(report, columns: columns, headers: headers, datasets: datasets)
}

/// A column of the pivot: one model (name and hash) under one policy.
struct PivotColumn: Hashable {
  var model: ModelIdentity
  var policy: String
  var arch: String

  init(_ r: AttackRecord) {
    model = ModelIdentity(name: r.model, hash: r.modelHash)
    policy = r.policy
    arch = r.arch
  }
}

/// The pivot's columns in order of first attack.
private func pivotColumns(_ report: Report) -> [PivotColumn] {
  var columns: [PivotColumn] = []
  for r in report.results where !columns.contains(PivotColumn(r)) { columns.append(PivotColumn(r)) }
  return columns
}

/// Each column's header: the model's label, and its policy when the model has several columns.
private func columnLabels(_ columns: [PivotColumn], _ report: Report) -> [String] {
  let label = ModelLabels(report)
  var perModel: [ModelIdentity: Int] = [:]
  for c in columns { perModel[c.model, default: 0] += 1 }
  return columns.map { c in
    let name = label(c.model.name, hash: c.model.hash)
    return (perModel[c.model] ?? 0) > 1 ? "\(name), \(c.policy.isEmpty ? "-" : c.policy)" : name
  }
}

/// The paper's Table II rows for the data sets and attacks of this report, in the same columns
/// (each model's architecture looked up), so ours can be read against them. Only rows where the
/// paper has a value for some column's architecture are printed, and no table when none is
/// left (lenet and mlp are not in the paper). A note says where our runs of an attack used other
/// settings than the paper's headline ones (`PaperResults.tableIISettings`).
private func paperTables(_ report: Report, columns: [PivotColumn], headers: [String], datasets: [String]) -> [Table] {
  var rows: [(dataset: String, attack: String, values: [String: (asr: Double, l2x1000: Double)])] = []
  for d in datasets {
    var attacks: [String] = []
    for r in report.results where r.dataset == d && !attacks.contains(r.attack) { attacks.append(r.attack) }
    for a in attacks {
      if let v = PaperResults.tableII["\(d) \(a)"], columns.contains(where: { v[$0.arch] != nil }) { rows.append((d, a, v)) }
    }
  }
  guard !rows.isEmpty else { return [] }
  var notes = rows.compactMap { row in
    settingsNote(row.dataset, row.attack, paper: PaperResults.tableIISettings[row.attack] ?? [:],
                 ours: report.results.filter { $0.dataset == row.dataset && $0.attack == row.attack }.map(\.params))
  }
  // The paper's stochastic models answered under average(10): no paper value for a single pass.
  let single = columns.contains { $0.policy == "single" }
  if single { notes.append("the paper attacked stochastic models under average(10); its values stand only under those columns") }
  func table(_ title: String, _ cell: ((asr: Double, l2x1000: Double)) -> String) -> Table {
    Table(title: title, headers: ["dataset", "attack"] + headers,
          alignments: [.left, .left] + columns.map { _ in .right },
          rows: rows.map { row in
            [row.dataset, row.attack] + columns.map { c in c.policy == "single" ? "-" : row.values[c.arch].map(cell) ?? "-" }
          },
          notes: notes)
  }
  return [table("Paper, Table II(a): ASR (headline settings, full test sets)") { String(format: "%.4f", $0.asr) },
          table("Paper, Table II(b): mean L2 per pixel x1000") { String(format: "%.4f", $0.l2x1000) }]
}

/// A note when some of our runs of `attack` on `dataset` differ from the paper's settings in a
/// parameter the paper states: `mnist bim: ours at eps=8/255, paper at eps=32/255`. When some
/// runs match the paper, the others are named as `ours also at …`. Nil when every run matches.
func settingsNote(_ dataset: String, _ attack: String, paper: [String: ReportValue], ours: [[String: ReportValue]]) -> String? {
  var differing: [String] = []
  var keys: Set<String> = []
  var anyMatches = false
  for params in ours {
    let off = Set(paper.keys.filter { key in params[key].map { $0.exact != paper[key]?.exact } ?? false })
    if off.isEmpty {
      anyMatches = true
      continue
    }
    keys.formUnion(off)
    let text = formatParams(params, only: off)
    if !differing.contains(text) { differing.append(text) }
  }
  guard !differing.isEmpty else { return nil }
  return "\(dataset) \(attack): ours \(anyMatches ? "also " : "")at \(differing.joined(separator: " and ")), paper at \(formatParams(paper, only: keys))"
}

/// The parameters that place a run in a pivot row: all of them, less `launches` on a
/// deterministic target (one re-check, whatever it says).
private func rowParams(_ r: AttackRecord) -> [String: ReportValue] {
  r.policy == "deterministic" ? r.params.filter { $0.key != "launches" } : r.params
}

/// `varyingParameters` of the pivot's rows, where `launches` varies only if the runs that have
/// it (on stochastic targets) disagree.
private func pivotVarying(_ results: [AttackRecord]) -> [String: Set<String>] {
  var varying = varyingParameters(results.map { ($0.attack, rowParams($0)) })
  for (attack, keys) in varying where keys.contains("launches") {
    let values = Set(results.filter { $0.attack == attack }.compactMap { rowParams($0)["launches"]?.exact })
    if values.count <= 1 { varying[attack]?.remove("launches") }
  }
  return varying
}

/// Identifies a setting by the parameters that vary between the attack's runs, at full
/// precision so values that print alike stay apart (the others are equal in every run).
private func settingKey(_ dataset: String, _ attack: String, _ params: [String: ReportValue], _ varying: Set<String>) -> String {
  let shown = varying.sorted().map { "\($0)=\(params[$0]?.exact ?? "-")" }
  return ([dataset, attack] + shown).joined(separator: "\u{1F}")
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
