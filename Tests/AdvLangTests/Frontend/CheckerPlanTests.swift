@testable import AdvLang
import AdvTensor
import Testing

/// The plans the checker produces: steps, unrolled loops, statement texts, and the
/// environment kept between checks (the REPL).
@Suite("Checker plans")
struct CheckerPlanTests {
  @Test("the quick-start script plans one step per statement and per loop value")
  func quickstart() {
    let steps = planOf("""
      # Quick start
      seed 7
      load mnist
      model net = train lenet
      evaluate net
      for eps in [8/255, 16/255, 32/255, 64/255] {
        attack bim eps=eps on net samples=100
      }
      report
      """)
    #expect(steps.count == 9)
    #expect(steps.first?.comparable == ComparableStep(SeedStep(seed: 7)))
    #expect(steps.last?.comparable == ComparableStep(ReportStep(format: .text, path: nil)))
    #expect(steps[4].comparable == ComparableStep(AttackStep(
      attack: TestVocabulary.bim, params: Params(spec: TestVocabulary.bim, given: ["eps": .real(8.0 / 255), "samples": .int(100)]),
      model: "net")))
  }

  @Test("a planned step's text has loop variables replaced by the values as the script wrote them")
  func substitutedText() {
    let m = Marked(netPrelude + "for eps in [8/255] {\n  ‸attack bim eps=eps on net samples=100‸\n}")
    let step = planOf(m.text).last
    #expect(step?.text == "attack bim eps=8/255 on net samples=100")
    #expect(step?.range == m.range(0, 1))
    let nested = planOf(netPrelude + "for a in [8/255] { for eps in [a, 2 * a] { attack bim eps=eps on net } }")
    #expect(nested.suffix(2).map(\.text) == ["attack bim eps=8/255 on net", "attack bim eps=2 * 8/255 on net"])
  }

  @Test("a planned step's text keeps the user's spelling outside loops, single-spaced")
  func plainText() {
    let steps = planOf("load  mnist from \"d\"   train=10\nmodel net = train lenet   lr=1e-3\nattack bim eps=2 * 8/255 on net\nreport csv to \"r.csv\"")
    #expect(steps.map(\.text) == [
      "load mnist from \"d\" train=10",
      "model net = train lenet lr=1e-3",
      "attack bim eps=2 * 8/255 on net",
      "report csv to \"r.csv\"",
    ])
  }

  @Test("a loop variable inside an expression is replaced where it stands; a parameter of the same name is not")
  func substitutedInsideExpressions() {
    let steps = planOf(netPrelude + "for e in [8, 16] { attack bim eps=e/255 on net }\nfor steps in [5] { attack bim steps=steps on net }")
    #expect(steps.suffix(3).map(\.text) == [
      "attack bim eps=8/255 on net", "attack bim eps=16/255 on net", "attack bim steps=5 on net",
    ])
  }

  @Test("strings in a planned step's text keep their spaces and escapes")
  func stringText() {
    #expect(planOf(#"report to "my  results \"1\".md""#).first?.text == #"report to "my  results \"1\".md""#)
  }

  @Test("nested loops unroll in order, inner loop fastest")
  func nestedLoops() {
    let steps = planOf(netPrelude + "for s in [1, 2] {\n  for e in [0.1, 0.2, 0.3] { attack bim eps=e steps=s on net }\n}")
    let attacks = steps.compactMap { step -> (ParamValue?, ParamValue?)? in
      guard let p = (step.step as? AttackStep)?.params else { return nil }
      return (p["steps"], p["eps"])
    }
    #expect(attacks.map(\.0) == [1, 1, 1, 2, 2, 2].map { .int($0) })
    #expect(attacks.map(\.1) == [0.1, 0.2, 0.3, 0.1, 0.2, 0.3].map { .real($0) })
  }

  @Test("a loop variable can name architectures, attacks and models")
  func namesFromLoops() {
    let steps = planOf("load mnist\nfor a in [lenet, mlp] {\n  model a = train a epochs=1\n  attack bim on a\n}")
    #expect(steps.map(\.text) == [
      "load mnist",
      "model lenet = train lenet epochs=1", "attack bim on lenet",
      "model mlp = train mlp epochs=1", "attack bim on mlp",
    ])
  }

  @Test("an unknown name from a loop value says which value")
  func unknownNameFromLoop() {
    let d = onlyDiagnostic(netPrelude + "for a in [bim, cwl3] { attack a on net }")
    #expect(d?.message == "unknown attack 'cwl3'")
    #expect(d?.notes == ["when 'a' = cwl3"])
  }

  @Test("report infers its format from the file extension unless one is given")
  func reportFormats() {
    let steps = planOf("report to \"r.md\"\nreport to \"r.json\"\nreport csv to \"r.txt\"\nreport to \"r\"")
    #expect(steps.map(\.comparable) == [
      ReportStep(format: .markdown, path: "r.md"), ReportStep(format: .json, path: "r.json"),
      ReportStep(format: .csv, path: "r.txt"), ReportStep(format: .text, path: "r"),
    ].map(ComparableStep.init))
  }

  @Test("the checker keeps models and data defined by successful checks only")
  func replEnvironment() {
    var checker = Checker(vocabulary: TestVocabulary.extended)
    #expect(throws: Never.self) { try checker.check("load mnist", name: "<repl:1>").get() }
    #expect(throws: CheckFailure.self) { try checker.check("model bad = train lenet\nevaluate nope", name: "<repl:2>").get() }
    #expect(checker.environment.models["bad"] == nil)
    #expect(throws: Never.self) { try checker.check("model net = train lenet", name: "<repl:3>").get() }
    #expect(throws: Never.self) { try checker.check("attack bim on net", name: "<repl:4>").get() }
    #expect(checker.environment.modelNames == ["net"])
    #expect(checker.environment.dataset == TestVocabulary.mnist)
  }

  @Test("parameters take the defaults of the data set the model is trained on")
  func datasetDefaults() {
    let arch = ComponentSpec(kind: .architecture, name: "net", doc: "test", params: [.int("epochs", default: 5, range: 0...100, doc: "epochs")],
                             datasetDefaults: ["mnist": ["epochs": .int(7)]])
    let attack = ComponentSpec(kind: .attack, name: "probe", doc: "test", params: [.int("samples", default: 500, range: 1...1000, doc: "samples")],
                               datasetDefaults: ["mnist": ["samples": .int(100)]])
    let vocabulary = Vocabulary(architectures: [arch], attacks: [attack], datasets: [TestVocabulary.mnist])
    let steps = planOf("load mnist\nmodel m = train net\nattack probe on m", vocabulary: vocabulary)
    guard steps.count == 3, let trained = (steps[1].step as? TrainStep)?.params, let attacked = (steps[2].step as? AttackStep)?.params else {
      Issue.record("unexpected plan \(steps)")
      return
    }
    #expect(trained["epochs"] == .int(7))
    #expect(attacked["samples"] == .int(100))
    #expect(helpText(topic: "net", vocabulary: vocabulary)?.contains("epochs  int   5 (mnist: 7)") == true)
  }

  @Test("loops unrolling to too many steps are refused")
  func stepLimit() {
    let list = "[" + Array(repeating: "1", count: 400).joined(separator: ", ") + "]"
    let d = diagnosticsOf(netPrelude + "for a in \(list) { for b in \(list) { evaluate net } }")
    #expect(d.map(\.message) == ["the loops unroll to more than 100000 steps"])
  }

  @Test("an empty script plans nothing")
  func empty() {
    #expect(planOf("").isEmpty)
    #expect(planOf("# only a comment\n\n").isEmpty)
  }
}
