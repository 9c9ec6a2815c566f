import AdvLang
import Testing

/// The checker on names: components, models, parameters, and the order of definitions.
@Suite("Checker names")
struct CheckerNameTests {
  @Test("unknown attack names suggest the closest one")
  func unknownAttack() {
    let m = Marked(netPrelude + "attack ‸cwl3‸ steps=1000 on net")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "unknown attack 'cwl3'")
    #expect(d?.range == m.range(0, 1))
    #expect(d?.hint == "did you mean 'cwl2'?")
  }

  @Test("an unknown name far from every registered one lists them instead")
  func unknownAttackWithoutSuggestion() {
    let d = onlyDiagnostic(netPrelude + "attack deepfool on net")
    #expect(d?.hint == nil)
    #expect(d?.notes == ["the attacks are 'bim' and 'cwl2'"])
  }

  @Test("component names ignore case, '-' and '_', and accept aliases")
  func spellingTolerance() {
    let steps = planOf("load MNIST\nmodel a = train LeNet_5\nmodel b = train BSN2\nattack Linf_BIM on a\nattack b-i-m on b")
    #expect(steps.count == 5)
    #expect((steps.dropFirst().first?.step as? TrainStep)?.architecture.name == "lenet")
  }

  @Test("unknown architectures and data sets are reported with suggestions")
  func unknownArchitectureAndDataset() {
    let d = diagnosticsOf("load mnsit\nmodel net = train lenett")
    #expect(d.map(\.message) == ["unknown data set 'mnsit'", "unknown architecture 'lenett'"])
    #expect(d.map(\.hint) == ["did you mean 'mnist'?", "did you mean 'lenet'?"])
  }

  @Test("an unknown parameter suggests the closest and lists the component's parameters")
  func unknownParameter() {
    let m = Marked(netPrelude + "attack bim ‸step‸=10 on net")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "unknown parameter 'step' for attack 'bim'")
    #expect(d?.range == m.range(0, 1))
    #expect(d?.hint == "did you mean 'steps'?")
    #expect(d?.notes == ["'bim' takes 'eps', 'alpha', 'steps', 'early', 'keep', 'samples', 'launches' and 'batch'"])
  }

  @Test("parameter names ignore '-' and '_'")
  func parameterSpelling() {
    let steps = planOf("load mnist\nmodel net = train lenet weight-decay=0.001")
    #expect((steps.last?.step as? TrainStep)?.params["weight_decay"] == .real(0.001))
  }

  @Test("a parameter given twice is an error, also across 'on'")
  func duplicateParameter() {
    let m = Marked(netPrelude + "attack bim eps=0.1 on net ‸eps‸=0.2")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "parameter 'eps' is given twice")
    #expect(d?.range == m.range(0, 1))
    #expect(d?.notes == ["it is first given at 3:12"])
  }

  @Test("a model used before it is defined suggests defined names")
  func unknownModel() {
    let m = Marked(netPrelude + "evaluate ‸nett‸")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "unknown model 'nett'")
    #expect(d?.range == m.range(0, 1))
    #expect(d?.hint == "did you mean 'net'?")
  }

  @Test("with no model defined yet the error says how to define one")
  func noModelYet() {
    let d = onlyDiagnostic("load mnist\nattack bim on net")
    #expect(d?.notes == ["no model is defined yet; define one with 'model NAME = train ARCH'"])
  }

  @Test("a model defined later in the script does not count before its definition")
  func useBeforeDefinition() {
    #expect(diagnosticsOf("load mnist\nevaluate net\nmodel net = train lenet").map(\.description)
      == ["2:10: error: unknown model 'net'"])
  }

  @Test("training before any load says which statement to add")
  func trainBeforeLoad() {
    let m = Marked("‸model net = train lenet‸\nload mnist")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "no data set loaded; add 'load mnist' before this line")
    #expect(d?.range == m.range(0, 1))
  }

  @Test("a failed definition does not cause errors at later uses of the model")
  func noCascade() {
    #expect(diagnosticsOf("load mnist\nmodel net = train lenett\nevaluate net\nattack bim on net").map(\.message)
      == ["unknown architecture 'lenett'"])
    #expect(diagnosticsOf("load mnist\nmodel net = trian lenet\nevaluate net").map(\.message)
      == ["expected 'train', 'load', 'surrogate' or 'mixture' after 'model net =', found 'trian'"])
    #expect(diagnosticsOf("load mnsit\nmodel net = train lenet").map(\.message) == ["unknown data set 'mnsit'"])
  }

  @Test("redefining a model replaces it")
  func redefinition() {
    let steps = planOf("load mnist\nmodel net = train lenet\nmodel net = train mlp\nevaluate net")
    #expect(steps.count == 4)
  }

  @Test("every independent error is reported, in source order")
  func allErrors() {
    let d = diagnosticsOf("load mnist\nmodel net = train lenet epochs=-1 optimizer=sgx\nattack bmi on net\nevaluate nte")
    #expect(d.map(\.description) == [
      "2:32: error: 'epochs=-1' is out of range; allowed: 0...10000",
      "2:45: error: 'optimizer' cannot be 'sgx'; allowed: adam, sgd",
      "3:8: error: unknown attack 'bmi'",
      "4:10: error: unknown model 'nte'",
    ])
    #expect(d[1].hint == "did you mean 'sgd'?")
  }

  @Test("a report format must be one of text, markdown, csv, json and html")
  func reportFormat() {
    let d = onlyDiagnostic("report pdf")
    #expect(d?.message == "unknown report format 'pdf'")
    #expect(d?.notes == ["the formats are 'text', 'markdown', 'csv', 'json' or 'html'"])
  }
}
