/// The black-box tables: one row per transfer target, the paper's Table III layout (attack
/// settings down, targets across) and, where the paper has them, its Table III and IV rows.
/// Sources and targets are models as `ModelLabels` tells them apart.

/// One row per target of each `transfer`: the transfer rate with what it rests on.
func transfersTable(_ report: Report) -> Table {
  let label = ModelLabels(report)
  let varying = varyingParameters(report.transfers.map { ($0.attack, $0.params) })
  return Table(
    title: "Transfers",
    headers: ["source", "attack", "params", "target", "rate", "kept", "attacked", "source ASR", "L2/px x1000", "target queries"],
    alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .right],
    rows: report.transfers.flatMap { t in
      t.targets.map { target in
        [label(t.source, hash: t.sourceHash), t.attack, formatParams(t.params, only: varying[t.attack] ?? []),
         label(target.model, hash: target.modelHash), fixed(target.asr), "\(t.samples)/\(t.requestedSamples)",
         String(t.attempted), fixed(t.sourceASR), l2Cell(t.l2PerPixel), String(target.queries)]
      }
    })
}

/// Table III's layout: a row per source, data set and attack setting, a column per target
/// model (name and hash), the transfer rate in the cells ("-" where a setting did not target
/// that model).
func transferPivot(_ report: Report) -> [Table] {
  let label = ModelLabels(report)
  var targets: [ModelIdentity] = []
  var arch: [ModelIdentity: String] = [:]
  for t in report.transfers {
    for target in t.targets {
      let id = ModelIdentity(name: target.model, hash: target.modelHash)
      if !targets.contains(id) { targets.append(id) }
      arch[id] = target.arch
    }
  }
  let varying = varyingParameters(report.transfers.map { ($0.attack, $0.params) })
  var rows: [(label: [String], cells: [ModelIdentity: String])] = []
  var index: [String: Int] = [:]
  for t in report.transfers {
    let shown = formatParams(t.params, only: varying[t.attack] ?? [])
    let rowLabel = [label(t.source, hash: t.sourceHash), t.dataset, shown.isEmpty ? t.attack : "\(t.attack) \(shown)"]
    let key = ([t.source, t.sourceHash] + rowLabel).joined(separator: "\u{1F}")
    if index[key] == nil {
      index[key] = rows.count
      rows.append((rowLabel, [:]))
    }
    for target in t.targets {
      rows[index[key] ?? 0].cells[ModelIdentity(name: target.model, hash: target.modelHash)] = fixed(target.asr)
    }
  }
  let headers = targets.map { label($0.name, hash: $0.hash) }
  var tables = [Table(title: "Transfer rate (Table III layout)", headers: ["source", "dataset", "attack"] + headers,
                      alignments: [.left, .left, .left] + targets.map { _ in .right },
                      rows: rows.map { row in row.label + targets.map { row.cells[$0] ?? "-" } })]
  tables += paperTransferTables(report, targets: targets.map { arch[$0] ?? "" }, headers: headers)
  return tables
}

/// The paper's Table III (source ResNet18, CIFAR-10) and Table IV (ResNet18 surrogates) rows
/// for the attacks of this report, in this report's target columns by architecture (`targets`
/// holds each column's architecture). Only rows with a value for some column are printed; a
/// note says where our BIM budget differs from Table IV's.
private func paperTransferTables(_ report: Report, targets: [String], headers: [String]) -> [Table] {
  var tableIII: [(String, [String: Double])] = []
  var tableIV: [(String, [String: Double])] = []
  func relevant(_ row: [String: Double]) -> Bool { targets.contains { row[$0] != nil } }
  for t in report.transfers {
    var key = t.attack
    if t.attack == "bim", case .number(let eps)? = t.params["eps"] { key += " \(Int((eps * 255).rounded()))" }
    if t.sourceArch == "resnet18", t.split == "test", let row = PaperResults.tableIII[key], relevant(row),
       !tableIII.contains(where: { $0.0 == key }) {
      tableIII.append((key, row))
    }
    let surrogate = "\(t.dataset) \(t.attack)"
    if t.sourceArch == "resnet18", t.split == "pool", let row = PaperResults.tableIV[surrogate], relevant(row),
       !tableIV.contains(where: { $0.0 == surrogate }) {
      tableIV.append((surrogate, row))
    }
  }
  func table(_ title: String, _ rows: [(String, [String: Double])], notes: [String] = []) -> Table {
    Table(title: title, headers: ["attack"] + headers, alignments: [.left] + targets.map { _ in .right },
          rows: rows.map { row in [row.0] + targets.map { a in row.1[a].map { fixed($0) } ?? "-" } }, notes: notes)
  }
  var out: [Table] = []
  if !tableIII.isEmpty {
    // "bim 8" reads as a script writes it: "bim eps=8/255".
    let labelled = tableIII.map { row -> (String, [String: Double]) in
      let parts = row.0.split(separator: " ")
      return parts.count == 2 ? ("\(parts[0]) eps=\(parts[1])/255", row.1) : row
    }
    let elsewhere = Set(report.transfers.filter { $0.sourceArch == "resnet18" && $0.split == "test" && $0.dataset != "cifar10" }
      .map(\.dataset)).sorted()
    out.append(table("Paper, Table III: transfer from resnet18, CIFAR-10", labelled,
                     notes: elsewhere.isEmpty ? [] : ["ours on \(elsewhere.joined(separator: " and ")), paper on cifar10"]))
  }
  if !tableIV.isEmpty {
    let notes = tableIV.compactMap { row -> String? in
      let parts = row.0.split(separator: " ").map(String.init)
      guard parts.count == 2 else { return nil }
      let ours = report.transfers.filter { $0.sourceArch == "resnet18" && $0.split == "pool" && $0.dataset == parts[0] && $0.attack == parts[1] }
      return settingsNote(parts[0], parts[1], paper: PaperResults.tableIVSettings[parts[1]] ?? [:], ours: ours.map(\.params))
    }
    out.append(table("Paper, Table IV: resnet18 surrogate against its oracle (oracle columns read as mcsefron, bsn-l, bnn-s; unconfirmed)",
                     tableIV, notes: notes))
  }
  return out
}
