import AdvSpec
import Foundation

/// Renders a report.
///
/// - `text`, `markdown`: a "Models" table (one row per `evaluate`, with the paper's Table I
///   accuracy beside ours when the paper reports that architecture and data set), an "Attacks"
///   table (one row per `attack`, with the attacked model's architecture and clean accuracy and
///   the parameters a script changed), and, when two or more models were attacked, the paper's
///   Table II layout (see `pivotTables`). Models are labelled as `ModelLabels` says, so a name
///   the script reused shows as two models. Mean L2 per pixel is printed ×1000 with four
///   decimals, as the paper prints it, and "-" when no sample returned an image (attacks.md
///   §1.3). Tables are separated by a blank line.
/// - `csv`: one table, one row per attack, one column per attack parameter (see `attacksCSV`);
///   when nothing was attacked, one row per evaluation instead.
/// - `json`: every record, keys sorted, L2 unscaled, full precision; NaN and infinities as the
///   strings "nan", "inf", "-inf". `Report(json:)` reads it back.
public func render(_ report: Report, as format: ReportFormat) -> String {
  switch format {
  case .json: return report.json()
  case .html: return renderHTML(report, script: nil, figures: [])
  case .csv: return report.results.isEmpty ? modelsCSV(report).csv : attacksCSV(report).csv
  case .text:
    let tables = reportTables(report)
    return tables.isEmpty ? "no results yet\n" : tables.map(\.text).joined(separator: "\n")
  case .markdown:
    let tables = reportTables(report)
    return tables.isEmpty ? "_no results yet_\n" : tables.map(\.markdown).joined(separator: "\n")
  }
}

extension Report {
  /// Pretty-printed JSON with sorted keys, ending in a newline.
  public func json() -> String {
    do {
      return String(decoding: try ResultsJSON.encoder().encode(self), as: UTF8.self) + "\n"
    } catch {
      // Records hold only strings, numbers and flags, and non-finite numbers become strings,
      // so encoding cannot fail.
      preconditionFailure("report does not encode as JSON: \(error)")
    }
  }

  /// Reads what `json()` wrote (or any JSON of the same shape, `null` or absent optionals).
  public init(json: Data) throws {
    self = try ResultsJSON.decoder().decode(Report.self, from: json)
  }
}

/// `v` with a fixed number of decimals: `fixed(0.64)` is "0.6400".
func fixed(_ v: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", v) }

/// Mean L2 per pixel as the paper prints it: ×1000, four decimals, "-" for none.
func l2Cell(_ v: Double?) -> String { v.map { fixed($0 * 1000) } ?? "-" }

/// The tables of the text and markdown reports, in order; empty for an empty report.
func reportTables(_ report: Report) -> [Table] {
  var tables: [Table] = []
  if !report.models.isEmpty { tables.append(modelsTable(report)) }
  if !report.surrogates.isEmpty { tables.append(surrogatesTable(report)) }
  if !report.results.isEmpty { tables.append(attacksTable(report)) }
  if !report.transfers.isEmpty { tables.append(transfersTable(report)) }
  return tables + pivotTables(report) + sweepTables(report) + (report.transfers.isEmpty ? [] : transferPivot(report))
}

/// One row per evaluation; a "paper (Table I)" column appears when the paper reports any of
/// the (architecture, data set) pairs, "-" for the others.
func modelsTable(_ report: Report) -> Table {
  let label = ModelLabels(report)
  var table = Table(
    title: "Models", headers: ["model", "arch", "dataset", "policy", "samples", "clean acc"],
    alignments: [.left, .left, .left, .left, .right, .right],
    rows: report.models.map {
      [label($0.name, hash: $0.modelHash), $0.arch, $0.dataset, $0.policy, String($0.samples), fixed($0.cleanAccuracy)]
    })
  let paper = report.models.map { PaperResults.cleanAccuracy[$0.arch]?[$0.dataset] }
  if paper.contains(where: { $0 != nil }) {
    table.addColumn("paper (Table I)", .right, cells: paper.map { $0.map { fixed($0, 3) } ?? "-" })
  }
  return table
}

/// One row per surrogate: how it was trained from its oracle and how closely it imitates it.
func surrogatesTable(_ report: Report) -> Table {
  let label = ModelLabels(report)
  return Table(
    title: "Surrogates",
    headers: ["model", "arch", "oracle", "training", "rounds", "images", "oracle queries", "agreement", "pool", "time s"],
    alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .right],
    rows: report.surrogates.map { s in
      [label(s.name, hash: s.modelHash), s.arch, s.oracle, s.vm > 0 ? "VM m=\(s.vm)" : "vanilla", String(s.roundSizes.count),
       String(s.roundSizes.last ?? 0), String(s.queries), fixed(s.agreement), String(s.poolImages),
       s.trainSeconds.map { fixed($0, 1) } ?? "cached"]
    })
}

/// One row per attack. `params` shows, in short form, only what reading the row needs: the
/// parameters that differ from the attack's declared defaults, and those that vary between the
/// runs of that attack in this report (so every row of a sweep names its value, the default one
/// included); never `launches` on a deterministic target, and never `samples` (its own column).
/// The full set is in the JSON and CSV reports. A `policy` column appears when some target was
/// stochastic.
func attacksTable(_ report: Report) -> Table {
  let label = ModelLabels(report)
  let varying = varyingParameters(report.results.map { ($0.attack, $0.params) })
  var table = Table(
    title: "Attacks",
    headers: ["model", "arch", "attack", "params", "clean acc", "samples", "ASR", "L2/px x1000", "queries", "time s"],
    alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .right],
    rows: report.results.map { r in
      [label(r.model, hash: r.modelHash), r.arch, r.attack, formatParams(r.params, only: shownParams(r, varying: varying)),
       report.cleanAccuracy(for: r).map { fixed($0) } ?? "-", String(r.samples),
       fixed(r.asr), l2Cell(r.l2PerPixel), String(r.queries), fixed(r.wallSeconds, 1)]
    })
  if report.results.contains(where: { !$0.policy.isEmpty && $0.policy != "deterministic" }) {
    table.headers.insert("policy", at: 3)
    table.alignments.insert(.left, at: 3)
    for (k, r) in report.results.enumerated() { table.rows[k].insert(r.policy.isEmpty ? "-" : r.policy, at: 3) }
  }
  return table
}

/// The parameters the Attacks table shows for `r` (see `attacksTable`).
func shownParams(_ r: AttackRecord, varying: [String: Set<String>]) -> Set<String> {
  var keys = r.changedParams.union(varying[r.attack] ?? [])
  if r.policy == "deterministic" { keys.remove("launches") }
  return keys
}

/// The attacks for spreadsheets, one row per attack: the model (`model_hash` tells apart two
/// models of one name), the policy it answered under, then one column per attack parameter —
/// the union over the rows, sorted by name, empty where a row's attack has no such parameter —
/// at full precision (`0.12549019607843137`, `100`, `true`), with `eps_text` beside `eps` giving
/// it as written where that is exact (`8/255`); then the statistics, numbers at full precision,
/// empty cells for missing values, L2 both unscaled and as printed (×1000). A parameter whose
/// name is one of the other columns' is headed `param_NAME`.
func attacksCSV(_ report: Report) -> Table {
  let leading = ["model", "arch", "model_hash", "policy", "dataset", "attack"]
  let trailing = ["clean_accuracy", "samples", "asr", "l2_per_pixel", "l2_per_pixel_x1000", "seed", "queries", "wall_seconds"]
  let keys = Set(report.results.flatMap(\.params.keys)).sorted()
  let fixedNames = Set(leading + trailing + ["eps_text"])
  var paramHeaders: [String] = []
  for key in keys {
    paramHeaders.append(fixedNames.contains(key) ? "param_\(key)" : key)
    if key == "eps" { paramHeaders.append("eps_text") }
  }
  let headers = leading + paramHeaders + trailing
  return Table(
    title: "Attacks", headers: headers, alignments: headers.map { _ in .left },
    rows: report.results.map { r in
      var params: [String] = []
      for key in keys {
        params.append(r.params[key]?.exactText ?? "")
        if key == "eps" { params.append(r.params[key].map { in255ths($0) ?? $0.exactText } ?? "") }
      }
      return [r.model, r.arch, r.modelHash, r.policy, r.dataset, r.attack] + params
        + [report.cleanAccuracy(for: r).map { "\($0)" } ?? "", String(r.samples), "\(r.asr)", r.l2PerPixel.map { "\($0)" } ?? "",
           r.l2PerPixel.map { fixed($0 * 1000) } ?? "", String(r.seed), String(r.queries), fixed(r.wallSeconds, 3)]
    })
}

/// One row per evaluation, for a report without attacks.
func modelsCSV(_ report: Report) -> Table {
  let headers = ["model", "arch", "dataset", "policy", "samples", "clean_accuracy", "seed"]
  return Table(
    title: "Models", headers: headers, alignments: headers.map { _ in .left },
    rows: report.models.map { m in
      [m.name, m.arch, m.dataset, m.policy, String(m.samples), "\(m.cleanAccuracy)", String(m.seed)]
    })
}
