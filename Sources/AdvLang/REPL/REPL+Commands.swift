import AdvTensor

/// The REPL's `:commands`, declared once: `:help` lists them, completion offers them, and an
/// unknown command is answered from the same table.

/// One `:command`.
public struct REPLCommand: Sendable, Hashable {
  public let name: String
  /// Other spellings that do the same.
  public let aliases: [String]
  /// What follows the name, as help shows it (empty for none).
  public let argument: String
  public let doc: String

  /// The name and its argument: `:save FILE.adv`.
  public var usage: String { argument.isEmpty ? name : "\(name) \(argument)" }

  public static let all: [REPLCommand] = [
    REPLCommand(name: ":help", aliases: [":h"], argument: "[TOPIC]",
                doc: "this overview, or help on a statement, architecture, attack, data set or :command"),
    REPLCommand(name: ":models", aliases: [], argument: "",
                doc: "the models defined so far: architecture, data set, seed and parameters"),
    REPLCommand(name: ":results", aliases: [], argument: "",
                doc: "the attack results so far, one line each: statement, ASR, mean L2 per pixel"),
    REPLCommand(name: ":save", aliases: [], argument: "FILE.adv",
                doc: "write the statements that succeeded as a script that reproduces the session"),
    REPLCommand(name: ":load", aliases: [], argument: "FILE.adv",
                doc: "check a script and run it in this session"),
    REPLCommand(name: ":reset", aliases: [], argument: "",
                doc: "forget the models, data set, results and seed"),
    REPLCommand(name: ":quit", aliases: [":q", ":exit"], argument: "",
                doc: "leave the REPL (Ctrl-D at 'adv>' too)"),
  ]

  /// The command `spelling` names (its name or an alias), or nil.
  public static func named(_ spelling: String) -> REPLCommand? {
    all.first { $0.name == spelling || $0.aliases.contains(spelling) }
  }

  /// The commands as `:help` lists them, one per line.
  public static var helpTable: String {
    "commands:\n" + textTable(all.map { [$0.usage, $0.doc] }, indent: "  ")
  }

  /// The answer to an unknown `:command`: the closest command, and every command.
  public static func unknown(_ spelling: String) -> String {
    let closest = suggestion(for: spelling, among: all.map(\.name) + all.flatMap(\.aliases))
    let hint = closest.map { "; did you mean '\($0)'?" } ?? ""
    return "unknown command '\(spelling)'\(hint)\nthe commands are " + all.map { "'\($0.usage)'" }.joined(separator: ", ")
  }
}

/// The `:help` topics: statements (and `train`), every component spelling, every command.
func helpTopics(vocabulary: Vocabulary) -> [String] {
  var topics = Statements.all.map(\.name) + ["train"]
  for kind in [ComponentKind.architecture, .attack, .dataset] { topics += vocabulary.spellings(kind) }
  return topics + REPLCommand.all.map(\.name)
}

/// What `:help` prints in the REPL: the language overview, then the commands.
public func replHelp(vocabulary: Vocabulary) -> String {
  helpText(vocabulary: vocabulary) + "\n" + REPLCommand.helpTable
    + "Tab completes statements, names, parameters and models; file names inside quotes\n"
}

/// What `:help TOPIC` prints in the REPL: help on a statement, component or command, or for
/// an unknown topic the closest topic.
public func replHelp(topic: String, vocabulary: Vocabulary) -> String {
  if topic.hasPrefix(":") {
    if let command = REPLCommand.named(topic) { return command.help }
  } else if let text = helpText(topic: topic, vocabulary: vocabulary) {
    return text
  } else if let command = REPLCommand.named(":" + topic) {
    // `:help models` means the command: no statement or component is called that.
    return command.help
  }
  let closest = suggestion(for: topic, among: helpTopics(vocabulary: vocabulary))
  return "no help for '\(topic)'" + (closest.map { "; did you mean ':help \($0)'?" } ?? "; ':help' lists the topics") + "\n"
}

extension REPLCommand {
  /// `:help :save`: usage, other spellings, doc.
  var help: String {
    let also = aliases.isEmpty ? "" : " (also: \(aliases.joined(separator: ", ")))"
    return "\(usage)\(also)\n  \(doc)\n"
  }
}

/// The hint for words people type out of habit from other REPLs (`quit`, `exit()`, `help`),
/// or nil for anything else.
public func habitHint(_ input: String) -> String? {
  switch input.trimmingWhitespace() {
  case "quit", "quit()", "exit", "exit()", "q":
    return "to leave, type ':quit' (or press Ctrl-D)"
  case "help", "help()", "?":
    return "for help, type ':help' (or ':help NAME' for a statement or component)"
  default:
    return nil
  }
}
