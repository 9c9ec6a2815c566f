import AdvLang
import Testing

/// `:help` texts and the statement registry behind them.
@Suite("Help")
struct HelpTests {
  let vocabulary = TestVocabulary.documented

  @Test("the overview lists every statement's syntax and every registered name")
  func overview() {
    let text = helpText(vocabulary: vocabulary)
    for statement in Statements.all {
      for line in statement.syntax { #expect(text.contains(line)) }
    }
    #expect(text.contains("architectures: lenet, mlp\nattacks: bim\ndata sets: mnist, cifar10, pcam\n"))
    #expect(text.hasPrefix("statements:\n  seed N\n      fix the seed of every random choice after it"))
  }

  @Test("help on a component shows its parameter table")
  func componentTable() {
    #expect(helpText(topic: "bim", vocabulary: vocabulary) == """
      attack bim (also: linf-bim, basic-iterative)
        Basic Iterative Method (L∞): signed cross-entropy gradient steps projected onto the ε-ball
      usage:
        attack bim [key=value ...] on NAME
      parameters:
        name     type  default  range       meaning
        eps      real  0.12549  0...1       L∞ budget in pixel units [paper: 8, 16, 32 /255]
        alpha    real  0.05     0...1       step size in pixel units [paper: 0.05]
        steps    int   100      1...100000  iterations [paper: 100]
        samples  int   500      1...100000  number of correctly classified test samples attacked [paper: 500 for BIM]

      """)
  }

  @Test("help on a statement shows its syntax, example and the names it takes")
  func statementHelp() {
    #expect(helpText(topic: "attack", vocabulary: vocabulary) == """
      attack ATTACK [key=value ...] on NAME [key=value ...]
        attack a model; records attack success rate and mean L2 distance per pixel
      example:
        attack bim eps=32/255 on net samples=100

      attacks:
        bim  Basic Iterative Method (L∞): signed cross-entropy gradient steps projected onto the ε-ball
             eps=0.12549 alpha=0.05 steps=100 samples=500
      ':help bim' shows the parameters of 'bim'

      """)
    #expect(helpText(topic: "train", vocabulary: vocabulary)?.hasPrefix("model NAME = train ARCH") == true)
  }

  @Test("help finds components by alias and spelling variants, and nothing for unknown topics")
  func topics() {
    #expect(helpText(topic: "LeNet-5", vocabulary: vocabulary)?.hasPrefix("architecture lenet") == true)
    #expect(helpText(topic: "fgsm", vocabulary: vocabulary) == nil)
  }

  @Test("every statement's examples check after loading data and defining 'net'")
  func examplesCheck() {
    for statement in Statements.all {
      let examples = statement.examples.joined(separator: "\n")
      #expect(diagnosticsOf(netPrelude + examples, vocabulary: .standard).isEmpty, "\(statement.name): \(examples)")
    }
  }

  @Test("every statement keyword parses as that statement")
  func keywordsParse() {
    for statement in Statements.all {
      let parsed = Parser.parse(SourceFile(name: "t", text: statement.example))
      #expect(parsed.diagnostics.isEmpty, "\(statement.name): \(parsed.diagnostics)")
    }
  }
}
