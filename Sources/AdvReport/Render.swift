import Foundation

/// The output formats of `report`.
public enum RenderFormat: String, Sendable, CaseIterable {
  case text, markdown, csv, json
}

/// Renders a report. Text and markdown show a models table, an attacks table (L2 per pixel ×1000,
/// as the paper prints it) and, when at least two models were attacked, the paper's Table II
/// layout (attacks × models) for ASR and L2. CSV is one row per attack (or per evaluation when
/// nothing was attacked). JSON is the whole record set, L2 unscaled.
public func render(_ report: Report, as format: RenderFormat) -> String {
  switch format {
  case .json:
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
    return (String(data: data, encoding: .utf8) ?? "{}") + "\n"
  case .csv:
    return report.results.isEmpty ? modelsTable(report).csv : attacksCSV(report).csv
  case .text:
    return tables(report).map(\.text).joined(separator: "\n")
  case .markdown:
    return tables(report).map(\.markdown).joined(separator: "\n")
  }
}

func fixed(_ v: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", v) }

func l2Text(_ v: Double?) -> String { v.map { fixed($0 * 1000) } ?? "-" }

func tables(_ report: Report) -> [Table] {
  var out: [Table] = []
  if !report.models.isEmpty { out.append(modelsTable(report)) }
  if !report.results.isEmpty { out.append(attacksTable(report)) }
  var attacked: [String] = []
  for r in report.results where !attacked.contains(r.model) { attacked.append(r.model) }
  if attacked.count >= 2 { out += pivotTables(report, models: attacked) }
  if out.isEmpty { out.append(Table(title: "No results yet", headers: [""], alignments: [.left])) }
  return out
}

/// The models table; a "paper" column (Table I) appears when the paper reports any of them.
func modelsTable(_ report: Report) -> Table {
  let paper = report.models.map { PaperResults.cleanAccuracy[$0.arch]?[$0.dataset] }
  var table = Table(title: "Models", headers: ["model", "arch", "dataset", "policy", "samples", "clean acc"],
                    alignments: [.left, .left, .left, .left, .right, .right],
                    rows: report.models.map { [$0.name, $0.arch, $0.dataset, $0.policy, String($0.samples), fixed($0.cleanAccuracy)] })
  if paper.contains(where: { $0 != nil }) {
    table.headers.append("paper (Table I)")
    table.alignments.append(.right)
    for (k, p) in paper.enumerated() { table.rows[k].append(p.map { fixed($0, 3) } ?? "-") }
  }
  return table
}

func attacksTable(_ report: Report) -> Table {
  Table(title: "Attacks", headers: ["model", "attack", "params", "clean acc", "samples", "ASR", "L2/px x1000", "queries", "time s"],
        alignments: [.left, .left, .left, .right, .right, .right, .right, .right, .right],
        rows: report.results.map { r in
          [r.model, r.attack, r.paramText, report.cleanAccuracy(of: r.model).map { fixed($0) } ?? "-", String(r.samples),
           fixed(r.asr), l2Text(r.l2PerPixel), String(r.queries), fixed(r.wallSeconds, 1)]
        })
}

func attacksCSV(_ report: Report) -> Table {
  Table(title: "", headers: ["model", "arch", "dataset", "attack", "params", "clean_accuracy", "samples", "asr",
                             "l2_per_pixel", "l2_per_pixel_x1000", "seed", "queries", "wall_seconds"],
        alignments: Array(repeating: .left, count: 13),
        rows: report.results.map { r in
          [r.model, r.arch, r.dataset, r.attack, r.paramText, report.cleanAccuracy(of: r.model).map { String($0) } ?? "",
           String(r.samples), String(r.asr), r.l2PerPixel.map { String($0) } ?? "",
           r.l2PerPixel.map { fixed($0 * 1000) } ?? "", String(r.seed), String(r.queries), fixed(r.wallSeconds, 3)]
        })
}

/// Table II layout: one row per attack setting (grouped by data set), one column per model.
func pivotTables(_ report: Report, models: [String]) -> [Table] {
  var keys: [String] = []
  var asr: [String: [String: String]] = [:], l2: [String: [String: String]] = [:]
  for r in report.results {
    let key = "\(r.dataset)  \(r.attack) \(r.paramText)"
    if asr[key] == nil { keys.append(key) }
    asr[key, default: [:]][r.model] = fixed(r.asr)
    l2[key, default: [:]][r.model] = l2Text(r.l2PerPixel)
  }
  keys = keys.enumerated().sorted { a, b in
    let da = a.element.components(separatedBy: "  ")[0], db = b.element.components(separatedBy: "  ")[0]
    return da != db ? da < db : a.offset < b.offset
  }.map(\.element)
  func table(_ title: String, _ cells: [String: [String: String]]) -> Table {
    Table(title: title, headers: ["dataset / attack"] + models,
          alignments: [.left] + Array(repeating: .right, count: models.count),
          rows: keys.map { k in [k.replacingOccurrences(of: "  ", with: " / ")] + models.map { cells[k]?[$0] ?? "-" } })
  }
  return [table("ASR (Table II layout)", asr), table("Mean L2 per pixel x1000 (Table II layout)", l2)]
}
