/// Reading REPL input as the lexer would, without a terminal: when an input needs more lines,
/// and how a multi-line input becomes one history entry.

/// The structure of input text seen by the lexer's rules: strings are in double quotes on one
/// line with `\"` and `\\` escapes, `#` starts a comment that runs to the end of the line;
/// outside both, `{`, `[` and `(` open and `}`, `]` and `)` close.
struct InputScan {
  /// Open `{` minus `}`; negative when more close than open (the parser reports that).
  var braces = 0
  /// Open `[` and `(` minus their closers: inside them line breaks are white space.
  var brackets = 0
  /// The text ends inside a string (the lexer ends strings at a line break).
  var inString = false
  /// The text ends inside a comment.
  var inComment = false

  init(_ text: String) {
    var escaped = false
    for c in text {
      if c.isNewline {
        inString = false
        inComment = false
        escaped = false
        continue
      }
      if inComment { continue }
      if inString {
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
        continue
      }
      switch c {
      case "\"": inString = true
      case "#": inComment = true
      case "{": braces += 1
      case "}": braces -= 1
      case "[", "(": brackets += 1
      case "]", ")": brackets -= 1
      default: break
      }
    }
  }

  /// True while a `{`, `[` or `(` is open: the REPL asks for another line (`...>`).
  var needsMoreLines: Bool { braces > 0 || brackets > 0 }

  /// `line` without its comment and surrounding white space.
  static func code(of line: String) -> String {
    var inString = false, escaped = false
    var end = line.endIndex
    for i in line.indices {
      let c = line[i]
      if inString {
        if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
      } else if c == "\"" {
        inString = true
      } else if c == "#" {
        end = i
        break
      }
    }
    return line[..<end].trimmingWhitespace()
  }
}

/// The history entry for an input of several lines: one line that means the same, so a
/// whole block comes back with one Up (readline's history file holds one entry per line).
/// Comments are dropped (one would swallow the rest of the joined line); lines are joined
/// with `; ` where a line break ended a statement, and with a space inside `[ … ]`, `( … )`,
/// after `{` or `,`, and before a closer. One line comes back as typed.
func historyEntry(_ lines: [String]) -> String {
  guard lines.count > 1 else { return lines.first.map { $0.trimmingWhitespace() } ?? "" }
  var entry = ""
  var depth = 0
  for line in lines {
    let code = InputScan.code(of: line)
    guard !code.isEmpty else { continue }
    if let last = entry.last, let first = code.first {
      let continues = depth > 0 || "{;,([".contains(last) || "}])".contains(first)
      entry += continues ? " " : "; "
    }
    entry += code
    depth = max(0, InputScan(entry).brackets)
  }
  return entry
}

extension StringProtocol {
  func trimmingWhitespace() -> String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
