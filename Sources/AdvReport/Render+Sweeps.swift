/// Sweeps in the paper's layouts: BIM across ε (Table X) and CWL2 / ModCWL2 across c (Table XI),
/// ours first, then the paper's rows for the same data sets, values and architectures.

/// The parameter each sweep table follows, by attack: ε for BIM, c for the CW attacks.
let sweptParameters = ["bim": "eps", "cwl2": "c", "modcwl2": "c"]

/// One table per attack swept over its parameter (two or more values on one model), rows
/// value × data set, a column per model with "ASR / L2 x1000"; then the paper's Table X or XI
/// where it has rows for those architectures and values.
func sweepTables(_ report: Report) -> [Table] {
  var tables: [Table] = []
  for attack in ["bim", "cwl2", "modcwl2"] {
    guard let key = sweptParameters[attack] else { continue }
    let runs = report.results.filter { $0.attack == attack }
    func value(_ r: AttackRecord) -> Double? { if case .number(let v)? = r.params[key] { return v } else { return nil } }
    // Only models attacked at two or more values of the parameter make a sweep.
    var values: [String: Set<Double>] = [:]
    for r in runs { if let v = value(r) { values[r.modelHash + r.model, default: []].insert(v) } }
    let swept = runs.filter { values[$0.modelHash + $0.model, default: []].count >= 2 }
    guard !swept.isEmpty else { continue }
    var columns: [(key: String, label: String, arch: String)] = []
    for r in swept where !columns.contains(where: { $0.key == r.modelHash + r.model }) {
      columns.append((r.modelHash + r.model, "\(r.model) (\(r.arch))", r.arch))
    }
    var rows: [(v: Double, dataset: String)] = []
    for r in swept {
      guard let v = value(r), !rows.contains(where: { $0.v == v && $0.dataset == r.dataset }) else { continue }
      rows.append((v, r.dataset))
    }
    rows.sort { ($0.v, $0.dataset) < ($1.v, $1.dataset) }
    let label = { (v: Double) in key == "eps" ? in255ths(.number(v)) ?? ReportValue.short(v) : ReportValue.short(v) }
    let layout = attack == "bim" ? "Table X layout" : "Table XI layout"
    var table = Table(title: "\(attack) across \(key): ASR / L2 per pixel x1000 (\(layout))",
                      headers: [key, "dataset"] + columns.map(\.label),
                      alignments: [.right, .left] + columns.map { _ in .right })
    for row in rows {
      table.rows.append([label(row.v), row.dataset] + columns.map { column in
        // The latest result of that model at that value.
        guard let r = swept.last(where: { $0.modelHash + $0.model == column.key && value($0) == row.v && $0.dataset == row.dataset })
        else { return "-" }
        return "\(fixed(r.asr)) / \(l2Cell(r.l2PerPixel))"
      })
    }
    tables.append(table)

    // The paper's rows for the same values, data sets and architectures.
    let archs = ordered(columns.map(\.arch))
    let paper = attack == "bim" ? PaperResults.tableX : PaperResults.tableXI
    func paperKey(_ row: (v: Double, dataset: String)) -> String {
      attack == "bim" ? "\(row.dataset) bim \(Int((row.v * 255).rounded()))" : "\(row.dataset) \(attack) \(ReportValue.short(row.v))"
    }
    let paperRows = rows.compactMap { row -> [String]? in
      guard let entries = paper[paperKey(row)], archs.contains(where: { entries[$0] != nil }) else { return nil }
      if attack == "bim" && in255ths(.number(row.v)) == nil { return nil }
      return [label(row.v), row.dataset] + archs.map { a in
        entries[a].map { "\(fixed($0.asr)) / \($0.l2x1000.map { fixed($0) } ?? "-")" } ?? "-"
      }
    }
    if !paperRows.isEmpty {
      let name = attack == "bim" ? "Table X" : "Table XI"
      tables.append(Table(title: "Paper, \(name) (\(attack), full test sets, \(attack == "bim" ? "500" : "100") samples): ASR / L2 per pixel x1000",
                          headers: [key, "dataset"] + archs, alignments: [.right, .left] + archs.map { _ in .right },
                          rows: paperRows))
    }
  }
  return tables
}
