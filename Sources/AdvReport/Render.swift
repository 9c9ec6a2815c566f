import AdvSpec
import Foundation

/// Renders a report.
///
/// - `text`, `markdown`: a "Models" table (one row per `evaluate`, with the paper's Table I
///   accuracy beside ours when the paper reports that architecture and data set), an "Attacks"
///   table (one row per `attack`, with the attacked model's clean accuracy), and, when two or
///   more models were attacked, the paper's Table II layout (see `pivotTables`). Mean L2 per
///   pixel is printed ×1000 with four decimals, as the paper prints it, and "-" when no sample
///   returned an image (attacks.md §1.3). Tables are separated by a blank line.
/// - `csv`: one table, one row per attack with the same columns as the Attacks table (L2 both
///   unscaled and ×1000); when nothing was attacked, one row per evaluation instead.
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
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    } catch {
      // Records hold only strings, numbers and flags, and non-finite numbers become strings,
      // so encoding cannot fail.
      preconditionFailure("report does not encode as JSON: \(error)")
    }
  }

  /// Reads what `json()` wrote (or any JSON of the same shape, `null` or absent optionals).
  public init(json: Data) throws {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    self = try decoder.decode(Report.self, from: json)
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
  return tables + pivotTables(report) + (report.transfers.isEmpty ? [] : transferPivot(report))
}

/// One row per evaluation; a "paper (Table I)" column appears when the paper reports any of
/// the (architecture, data set) pairs, "-" for the others.
func modelsTable(_ report: Report) -> Table {
  var table = Table(
    title: "Models", headers: ["model", "arch", "dataset", "policy", "samples", "clean acc"],
    alignments: [.left, .left, .left, .left, .right, .right],
    rows: report.models.map { [$0.name, $0.arch, $0.dataset, $0.policy, String($0.samples), fixed($0.cleanAccuracy)] })
  let paper = report.models.map { PaperResults.cleanAccuracy[$0.arch]?[$0.dataset] }
  if paper.contains(where: { $0 != nil }) {
    table.addColumn("paper (Table I)", .right, cells: paper.map { $0.map { fixed($0, 3) } ?? "-" })
  }
  return table
}

/// One row per surrogate: how it was trained from its oracle and how closely it imitates it.
func surrogatesTable(_ report: Report) -> Table {
  Table(
    title: "Surrogates",
    headers: ["model", "arch", "oracle", "training", "rounds", "images", "oracle queries", "agreement", "pool", "time s"],
    alignments: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .right],
    rows: report.surrogates.map { s in
      [s.name, s.arch, s.oracle, s.vm > 0 ? "VM m=\(s.vm)" : "vanilla", String(s.roundSizes.count),
       String(s.roundSizes.last ?? 0), String(s.queries), fixed(s.agreement), String(s.poolImages),
       s.trainSeconds.map { fixed($0, 1) } ?? "cached"]
    })
}

/// One row per attack, parameters in short form (`samples` has its own column).
func attacksTable(_ report: Report) -> Table {
  Table(
    title: "Attacks",
    headers: ["model", "attack", "params", "clean acc", "samples", "ASR", "L2/px x1000", "queries", "time s"],
    alignments: [.left, .left, .left, .right, .right, .right, .right, .right, .right],
    rows: report.results.map { r in
      [r.model, r.attack, r.paramText, report.cleanAccuracy(for: r).map { fixed($0) } ?? "-", String(r.samples),
       fixed(r.asr), l2Cell(r.l2PerPixel), String(r.queries), fixed(r.wallSeconds, 1)]
    })
}

/// The Attacks table's columns for spreadsheets: numbers at full precision, empty cells for
/// missing values, L2 both unscaled and as printed (×1000).
func attacksCSV(_ report: Report) -> Table {
  let headers = ["model", "arch", "dataset", "attack", "params", "clean_accuracy", "samples", "asr",
                 "l2_per_pixel", "l2_per_pixel_x1000", "seed", "queries", "wall_seconds"]
  return Table(
    title: "Attacks", headers: headers, alignments: headers.map { _ in .left },
    rows: report.results.map { r in
      [r.model, r.arch, r.dataset, r.attack, r.paramText, report.cleanAccuracy(for: r).map { "\($0)" } ?? "",
       String(r.samples), "\(r.asr)", r.l2PerPixel.map { "\($0)" } ?? "", r.l2PerPixel.map { fixed($0 * 1000) } ?? "",
       String(r.seed), String(r.queries), fixed(r.wallSeconds, 3)]
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
