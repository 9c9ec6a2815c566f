/// The formats `report` writes: the language's `report FORMAT`, the renderer's switch, the
/// syntax line and the parser's message all read this one list.
public enum ReportFormat: String, Sendable, CaseIterable {
  case text, markdown, csv, json, html

  /// File extensions that imply the format (the first is the usual one), also accepted as
  /// spellings of the format (`report md`).
  public var extensions: [String] {
    switch self {
    case .text: return ["txt", "text"]
    case .markdown: return ["md", "markdown"]
    case .csv: return ["csv"]
    case .json: return ["json"]
    case .html: return ["html", "htm"]
    }
  }

  /// The file a report of this format goes to without `to`: a page of HTML is no use on a
  /// terminal, so it goes to `report.html` in the output directory; the others are printed.
  public var defaultFile: String? { self == .html ? "report.html" : nil }

  /// The format a file name's extension implies, or nil.
  public static func implied(byPath path: String) -> ReportFormat? {
    guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
    let ext = path[path.index(after: dot)...].lowercased()
    return allCases.first { $0.extensions.contains(ext) }
  }

  /// The format a script's word names: its name or one of its extensions, case-insensitive.
  public init?(spelling: String) {
    let key = spelling.lowercased()
    guard let f = ReportFormat.allCases.first(where: { $0.rawValue == key || $0.extensions.contains(key) }) else {
      return nil
    }
    self = f
  }
}
