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
        name      type    default  range           meaning
        eps       real    0.12549  0...1           L∞ budget in pixel units [paper: 8, 16, 32 /255]
        alpha     real    0.05     0...1           step size in pixel units [paper: 0.05]
        steps     int     100      1...100000      iterations [paper: 100]
        early     bool    true     true|false      stop a sample at its first misclassified iterate [foolbox 1.8: return_early]
        keep      choice  auto     auto|best|last  the image returned: best = the closest misclassified query [foolbox 1.8, the paper]; last = the final iterate, every sample attacked [foolbox 3]; auto: best on deterministic targets, last on stochastic ones
        samples   int     500      1...1000000     correctly classified test samples attacked [paper: 500]
        launches  int     100      1...100000      re-launches of each adversarial on a stochastic target [paper: 100]
        batch     int     100      1...10000       samples attacked together (memory, speed); results change with it only by rounding and random draws, except under abort_by=batch

      """)
  }

  @Test("help on a statement shows its syntax, example and the names it takes")
  func statementHelp() {
    #expect(helpText(topic: "attack", vocabulary: vocabulary) == """
      attack ATTACK [key=value ...] on MODEL
        attack a model; records attack success rate and mean L2 distance per pixel
        Parameters may stand before or after `on MODEL`; both lists are checked together against the
        attack's declaration, and a parameter given twice is an error. The attacks: `bim`; on stochastic
        targets some follow Foolbox 3 rather than Foolbox 1.8 (grammar.md, "Which reference an attack
        reproduces").
      example:
        attack bim eps=32/255 on net samples=100

      attacks:
        bim  Basic Iterative Method (L∞): signed cross-entropy gradient steps projected onto the ε-ball
             eps=0.12549 alpha=0.05 steps=100 early=true keep=auto samples=500 launches=100 batch=100
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
