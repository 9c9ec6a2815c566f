@testable import AdvLang
import AdvTensor
import Foundation
import Testing

/// The REPL's logic without a terminal: completion candidates, when input continues, history
/// entries, `:help` and the command table.
@Suite("REPL completion")
struct REPLCompletionTests {
  let context = CompletionContext(vocabulary: TestVocabulary.extended, models: ["net", "net5"])

  func words(_ before: String, pending: String = "", models: [String]? = nil,
             sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
    var context = self.context
    context.pending = pending
    if let models { context.models = models }
    switch Completer.complete(before, in: context) {
    case .words(let words): return words
    case .files:
      Issue.record("expected words, got file names", sourceLocation: sourceLocation)
      return []
    }
  }

  @Test("a statement starts with a keyword of the statement registry")
  func keywords() {
    #expect(words("") == Statements.all.map(\.name))
    #expect(words("att") == ["attack"])
    #expect(words("  e") == ["evaluate"])
    #expect(words("seed 1; att") == ["attack"])
    #expect(words("for e in [1] { att") == ["attack"])
  }

  @Test("after 'attack', 'load' and 'train' come the registered names and their aliases")
  func componentNames() {
    #expect(words("attack ") == ["bim", "cwl2", "linf-bim", "basic-iterative", "cw", "carlini-wagner", "cw-l2"])
    #expect(words("attack b") == ["bim", "basic-iterative"])
    #expect(words("load ") == ["mnist", "cifar10", "pcam", "cifar-10", "cifar", "patchcamelyon"])
    #expect(words("model m = train ") == ["lenet", "mlp", "bsn-2", "lenet5", "lenet-5", "bsn2"])
    #expect(words("model m = train bsn") == ["bsn-2", "bsn2"])
    #expect(words("model m = load \"m.safetensors\" as ml") == ["mlp"])
  }

  @Test("after a component come its parameters not given yet, and the keywords that may follow")
  func parameters() {
    #expect(words("attack bim e") == ["eps=", "early="])
    #expect(words("attack bim ") == ["eps=", "alpha=", "steps=", "early=", "keep=", "samples=", "launches=", "batch=", "on"])
    #expect(words("attack bim eps=8/255 ") == ["alpha=", "steps=", "early=", "keep=", "samples=", "launches=", "batch=", "on"])
    #expect(words("attack bim eps=8/255 on net s") == ["steps=", "samples="])
    #expect(words("attack cwl2 c=1 on net ") == ["search=", "search_steps=", "steps=", "lr=", "confidence=", "abort_early=",
                                                 "abort_by=", "abort_loss=", "clean_answer=", "samples=", "launches=", "batch="])
    #expect(words("model m = train lenet opt") == ["optimizer="])
    #expect(words("model m = train lenet epochs=3 ") == TestVocabulary.lenet.params.dropFirst().map { $0.name + "=" } + ["from"])
    #expect(words("load pcam r") == ["reduce="])
    #expect(words("load mnist ") == ["train=", "test=", "from"])
    #expect(words("model m = load \"m.safetensors\" as mlp ep") == ["epochs="])
  }

  @Test("transfer, surrogate and mixture complete their names, keywords, models and settings")
  func blackBox() {
    let standard = CompletionContext(vocabulary: .standard, models: ["net", "r18"], pending: "")
    func std(_ text: String) -> [String] {
      guard case .words(let w) = Completer.complete(text, in: standard) else { return [] }
      return w
    }
    #expect(std("model s = sur") == ["surrogate"])
    #expect(std("model s = surrogate lenet ") == ["of"])
    #expect(std("model s = surrogate lenet of ") == ["net", "r18"])
    #expect(std("model s = surrogate lenet of net vm") == ["vm=", "vm_mode=", "vm_clip=", "vm_relabel="])
    #expect(std("model m = mixture net, ") == ["net", "r18"])
    #expect(std("model m = mixture net, r18 el") == ["eligible="])
    #expect(std("model m = mixture net, r18 we") == ["weights="])
    #expect(std("model m = mixture net, r18 weights=") == [])
    #expect(std("model m = mixture net, r18 weights=[3, ") == [])
    #expect(std("model m = mixture net, r18 weights=[3, 1") == [])
    #expect(std("model m = mixture net, r18 weights=[3, 1] ") == ["eligible="])
    #expect(std("transfer bim eps=8/255 from net to ") == ["net", "r18"])
    #expect(std("transfer bim va") == ["valid=", "validity="])
  }

  @Test("after 'name=' come the declared choices; inside a value nothing")
  func values() {
    #expect(words("model m = train lenet optimizer=") == ["adam", "sgd"])
    #expect(words("model m = train lenet normalize=f") == ["false"])
    #expect(words("load pcam reduce=c") == ["centercrop"])
    #expect(words("attack bim eps=") == [])
    #expect(words("attack bim eps=8/") == [])
    #expect(words("for e in [") == [])
  }

  @Test("where a model is expected come the models defined so far, and those of the open block")
  func models() {
    #expect(words("evaluate ") == ["net", "net5"])
    #expect(words("evaluate net5") == ["net5"])
    #expect(words("attack bim eps=8/255 on ") == ["net", "net5"])
    #expect(words("save ") == ["net", "net5", "adversarials"])
    #expect(words("save net ") == ["to"])
    #expect(Set(words("save adversarials ")) == ["of", "to"])
    #expect(words("save adversarials of ") == ["net", "net5"])
    #expect(words("save adversarials of net ") == ["to"])
    #expect(words("model m = train mlp from ") == ["net", "net5"])
    #expect(words("set policy of ") == ["net", "net5"])
    #expect(words("set policy of net = ") == ["single", "average"])
    #expect(words("  attack bim on ", pending: "for e in [1, 2] {\n  model x = train mlp epochs=e") == ["net", "net5", "x"])
    #expect(words("evaluate ", models: []) == [])
  }

  @Test("plot: the figures, then models after 'of', the figure's settings and their choices, 'to'")
  func plot() {
    #expect(words("plot ") == ["bars", "curve", "box", "tsne", "decision", "adversarials"])
    #expect(words("plot t") == ["tsne"])
    #expect(words("plot tsne of ") == ["net", "net5"])
    #expect(words("plot tsne of net ") == ["samples=", "perplexity=", "iterations=", "split=", "to"])
    #expect(words("plot bars metric=") == ["asr", "l2"])
    #expect(words("plot bars ") == ["metric=", "groups=", "series=", "results=", "of", "to"])
    #expect(words("plot decision of net around=[0, ") == [])
  }

  @Test("other statements: report formats, 'in' after a loop variable, nothing after 'seed'")
  func others() {
    #expect(words("report ") == ["text", "markdown", "csv", "json", "html", "to"])
    #expect(words("report json ") == ["to"])
    #expect(words("for e ") == ["in"])
    #expect(words("seed ") == [])
    #expect(words("model m ") == ["="])
    #expect(words("describe ") == ["net", "net5"])
    #expect(words("model m = ") == ["train", "load", "surrogate", "mixture"])
  }

  @Test("file names only inside quotes, and for ':save' and ':load'; nothing in a comment")
  func files() {
    let context = CompletionContext(vocabulary: TestVocabulary.extended, models: [])
    #expect(Completer.complete("load mnist from \"da", in: context) == .files)
    #expect(Completer.complete("report to \"a\\\"b", in: context) == .files)
    #expect(Completer.complete("report to \"a.md\" ", in: context) == .words([]))
    #expect(Completer.complete(":save ", in: context) == .files)
    #expect(Completer.complete(":load ex", in: context) == .files)
    #expect(Completer.complete("seed 1 # att", in: context) == .words([]))
  }

  @Test("':' completes the commands of the command table; ':help' completes its topics")
  func commands() {
    #expect(words(":he") == [":help"])
    #expect(words(":") == REPLCommand.all.map(\.name))
    #expect(words(":r") == [":results", ":reset"])
    #expect(words(":help b") == ["bsn-2", "bsn2", "bim", "basic-iterative"])
    #expect(words(":help :m") == [":models"])
    #expect(words(":help at") == ["attack"])
    #expect(words(":models ") == [])
  }
}

@Suite("REPL input")
struct REPLInputTests {
  @Test("an open '{', '[' or '(' asks for more lines; a closed one does not")
  func continuation() {
    #expect(InputScan("for e in [1, 2] {").needsMoreLines)
    #expect(!InputScan("for e in [1, 2] {\n  evaluate net\n}").needsMoreLines)
    #expect(InputScan("for e in [8/255,").needsMoreLines)
    #expect(InputScan("attack bim eps=(1 +").needsMoreLines)
    #expect(!InputScan("for e in [8/255,\n16/255] { evaluate net }").needsMoreLines)
    #expect(!InputScan("}").needsMoreLines)
  }

  @Test("a brace or bracket inside a string, with escaped quotes, or in a comment does not count")
  func stringsAndComments() {
    #expect(!InputScan(#"report to "odd\"{name.md""#).needsMoreLines)
    #expect(!InputScan(#"report to "a[b.md""#).needsMoreLines)
    #expect(!InputScan("seed 1 # { [").needsMoreLines)
    #expect(InputScan(#"report to "a\\" {"#).needsMoreLines, "an escaped backslash ends the string before '{'")
    // A string ends at a line break, as the lexer ends it: the '{' on the next line counts.
    #expect(InputScan("report to \"x\nfor e in [1] {").needsMoreLines)
    #expect(InputScan("report to \"x").inString)
  }

  @Test("a multi-line block becomes one history entry that means the same")
  func historyJoining() {
    let lines = ["for e in [0,", "  8/255] {  # the sweep", "  attack bim eps=e on net", "", "  evaluate net", "}"]
    let entry = historyEntry(lines)
    #expect(entry == "for e in [0, 8/255] { attack bim eps=e on net; evaluate net }")
    let prelude = "load mnist\nmodel net = train mlp\n"
    #expect(planOf(prelude + entry).map(\.comparable) == planOf(prelude + lines.joined(separator: "\n")).map(\.comparable))
    #expect(historyEntry(["  seed 1; load mnist  # typed on one line  "]) == "seed 1; load mnist  # typed on one line")
    #expect(historyEntry(["report to \"a#b.md\" # note", "seed 2"]) == "report to \"a#b.md\"; seed 2")
  }
}

@Suite("REPL commands")
struct REPLCommandTests {
  let vocabulary = TestVocabulary.documented

  @Test("':help' lists every command of the table with its doc")
  func helpListsCommands() {
    let help = replHelp(vocabulary: vocabulary)
    #expect(help.hasPrefix(helpText(vocabulary: vocabulary)))
    for command in REPLCommand.all {
      #expect(help.contains("  \(command.usage)"), "\(command.name)")
      #expect(help.contains(command.doc), "\(command.name)")
    }
  }

  @Test("':help' on a command, and the closest topic for an unknown one")
  func helpTopics() {
    #expect(replHelp(topic: ":save", vocabulary: vocabulary)
            == ":save FILE.adv\n  write the statements that succeeded as a script that reproduces the session\n")
    #expect(replHelp(topic: "models", vocabulary: vocabulary).hasPrefix(":models\n"))
    #expect(replHelp(topic: "bmi", vocabulary: vocabulary) == "no help for 'bmi'; did you mean ':help bim'?\n")
    #expect(replHelp(topic: ":modles", vocabulary: vocabulary) == "no help for ':modles'; did you mean ':help :models'?\n")
    #expect(replHelp(topic: "zzzzzz", vocabulary: vocabulary) == "no help for 'zzzzzz'; ':help' lists the topics\n")
    #expect(replHelp(topic: "save", vocabulary: vocabulary).hasPrefix("save MODEL to"), "the statement, not ':save'")
  }

  @Test("an unknown command names the closest and every command")
  func unknownCommand() {
    #expect(REPLCommand.unknown(":resuls") == """
      unknown command ':resuls'; did you mean ':results'?
      the commands are ':help [TOPIC]', ':models', ':results', ':save FILE.adv', ':load FILE.adv', ':reset', ':quit'
      """)
    #expect(REPLCommand.named(":q")?.name == ":quit")
  }

  @Test("'quit', 'exit()' and 'help' get a hint, not a parse error")
  func habits() {
    #expect(habitHint("quit") == "to leave, type ':quit' (or press Ctrl-D)")
    #expect(habitHint(" exit() ") == "to leave, type ':quit' (or press Ctrl-D)")
    #expect(habitHint("exit") == habitHint("quit"))
    #expect(habitHint("help") == "for help, type ':help' (or ':help NAME' for a statement or component)")
    #expect(habitHint("evaluate quit") == nil)
  }

  @Test("the default REPL output directory is named by the date and time")
  func defaultOutput() {
    var parts = DateComponents()
    (parts.year, parts.month, parts.day, parts.hour, parts.minute) = (2026, 12, 2, 4, 15)
    let date = Calendar.current.date(from: parts) ?? Date()
    #expect(Runner.defaultREPLOutputDirectory(now: date) == "adv-out/repl-20261202-0415")
  }
}
