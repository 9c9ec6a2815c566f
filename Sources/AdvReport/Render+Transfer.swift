/// The black-box tables: one row per transfer target, the paper's Table III layout (attack
/// settings down, targets across) and, where the paper has them, its Table III and IV rows.

/// One row per target of each `transfer`: the transfer rate with what it rests on.
func transfersTable(_ report: Report) -> Table {
  let varying = varyingParameters(report.transfers.map { ($0.attack, $0.params) })
  return Table(
    title: "Transfers",
    headers: ["source", "attack", "params", "target", "rate", "kept", "attacked", "source ASR", "L2/px x1000", "target queries"],
    alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .right],
    rows: report.transfers.flatMap { t in
      t.targets.map { target in
        [t.source, t.attack, formatParams(t.params, only: varying[t.attack] ?? []), target.model, fixed(target.asr),
         "\(t.samples)/\(t.requestedSamples)", String(t.attempted), fixed(t.sourceASR), l2Cell(t.l2PerPixel),
         String(target.queries)]
      }
    })
}

/// Table III's layout: a row per source, data set and attack setting, a column per target
/// model, the transfer rate in the cells ("-" where a setting did not target that model).
func transferPivot(_ report: Report) -> [Table] {
  var targets: [String] = []
  for t in report.transfers { for target in t.targets where !targets.contains(target.model) { targets.append(target.model) } }
  let varying = varyingParameters(report.transfers.map { ($0.attack, $0.params) })
  var rows: [(label: [String], cells: [String: String])] = []
  var index: [String: Int] = [:]
  for t in report.transfers {
    let shown = formatParams(t.params, only: varying[t.attack] ?? [])
    let label = [t.source, t.dataset, shown.isEmpty ? t.attack : "\(t.attack) \(shown)"]
    let key = label.joined(separator: "\u{1F}")
    if index[key] == nil {
      index[key] = rows.count
      rows.append((label, [:]))
    }
    for target in t.targets { rows[index[key] ?? 0].cells[target.model] = fixed(target.asr) }
  }
  var tables = [Table(title: "Transfer rate (Table III layout)", headers: ["source", "dataset", "attack"] + targets,
                      alignments: [.left, .left, .left] + targets.map { _ in .right },
                      rows: rows.map { row in row.label + targets.map { row.cells[$0] ?? "-" } })]
  tables += paperTransferTables(report, targets: targets)
  return tables
}

/// The paper's Table III (source ResNet18, CIFAR-10) and Table IV (ResNet18 surrogates) rows
/// for the attacks of this report, in this report's target columns by architecture.
private func paperTransferTables(_ report: Report, targets: [String]) -> [Table] {
  var arch: [String: String] = [:]
  for t in report.transfers { for target in t.targets { arch[target.model] = target.arch } }
  var tableIII: [(String, [String: Double])] = []
  var tableIV: [(String, [String: Double])] = []
  for t in report.transfers {
    var key = t.attack
    if t.attack == "bim", case .number(let eps)? = t.params["eps"] { key += " \(Int((eps * 255).rounded()))" }
    if t.sourceArch == "resnet18", t.split == "test", let row = PaperResults.tableIII[key], !tableIII.contains(where: { $0.0 == key }) {
      tableIII.append((key, row))
    }
    let surrogate = "\(t.dataset) \(t.attack)"
    if t.sourceArch == "resnet18", t.split == "pool", let row = PaperResults.tableIV[surrogate],
       !tableIV.contains(where: { $0.0 == surrogate }) {
      tableIV.append((surrogate, row))
    }
  }
  func table(_ title: String, _ rows: [(String, [String: Double])]) -> Table {
    Table(title: title, headers: ["attack"] + targets, alignments: [.left] + targets.map { _ in .right },
          rows: rows.map { row in [row.0] + targets.map { m in arch[m].flatMap { row.1[$0] }.map { fixed($0) } ?? "-" } })
  }
  var out: [Table] = []
  if !tableIII.isEmpty { out.append(table("Paper, Table III: transfer from resnet18, CIFAR-10 (ε in 255ths)", tableIII)) }
  if !tableIV.isEmpty {
    out.append(table("Paper, Table IV: resnet18 surrogate against its oracle (oracle columns read as mcsefron, bsn-l, bnn-s; unconfirmed)", tableIV))
  }
  return out
}
