@testable import AdvLang
import AdvTensor
import Testing

/// The checker on values: arithmetic, types, ranges, loop variables.
@Suite("Checker values")
struct CheckerValueTests {
  /// The params of the last step of `netPrelude + line`, an attack.
  func attackParams(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Params? {
    guard let params = (planOf(netPrelude + line, sourceLocation: sourceLocation).last?.step as? AttackStep)?.params else { return nil }
    return params
  }

  @Test("arithmetic follows precedence; division gives a real")
  func arithmetic() {
    #expect(attackParams("attack bim eps=32/255 on net")?["eps"] == .real(32.0 / 255))
    #expect(attackParams("attack bim eps=2*8/255 on net")?["eps"] == .real(16.0 / 255))
    #expect(attackParams("attack bim eps=(1+1)/4 - 0.25 on net")?["eps"] == .real(0.25))
    #expect(attackParams("attack bim steps=2*3+1 samples=1e2 on net")?["steps"] == .int(7))
    #expect(attackParams("attack bim samples=1e2 on net")?["samples"] == .int(100))
    #expect(attackParams("attack bim steps=8/2 on net")?["steps"] == .int(4))
  }

  @Test("omitted parameters get their declared defaults")
  func defaults() {
    let p = attackParams("attack bim eps=0.1 on net")
    #expect(p == Params(spec: TestVocabulary.bim, given: ["eps": .real(0.1)]))
    #expect(p?["steps"] == .int(100))
  }

  @Test("a value out of range names the allowed range")
  func outOfRange() {
    let m = Marked(netPrelude + "attack bim eps=‸-1‸ on net")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "'eps=-1' is out of range; allowed: 0...1")
    #expect(d?.range == m.range(0, 1))
    #expect(onlyDiagnostic(netPrelude + "attack bim on net samples=0")?.message
      == "'samples=0' is out of range; allowed: 1...1000000")
  }

  @Test("a value of the wrong type says what was expected and allowed")
  func wrongType() {
    #expect(onlyDiagnostic(netPrelude + "attack bim steps=2.5 on net")?.message
      == "parameter 'steps' expects a whole number, found '2.5'; allowed: 1...100000")
    #expect(onlyDiagnostic(netPrelude + "attack bim eps=\"big\" on net")?.message
      == "parameter 'eps' expects a number, found 'big'; allowed: 0...1")
    #expect(onlyDiagnostic("load mnist\nmodel net = train lenet normalize=yes")?.message
      == "parameter 'normalize' expects true or false, found 'yes'")
  }

  @Test("choices and booleans are written as bare words")
  func words() {
    let steps = planOf("load mnist\nmodel net = train lenet optimizer=SGD normalize=false")
    guard let params = (steps.last?.step as? TrainStep)?.params else {
      Issue.record("the last step is not a training step: \(steps)")
      return
    }
    #expect(params["optimizer"] == .string("sgd"))
    #expect(params["normalize"] == .bool(false))
  }

  @Test("division by zero is reported at the divisor")
  func divisionByZero() {
    let m = Marked(netPrelude + "attack bim eps=1/‸(2 - 2)‸ on net")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "division by zero")
    #expect(d?.range == m.range(0, 1))
  }

  @Test("a word where a number is needed is an unknown variable, with a suggestion")
  func unknownVariable() {
    let m = Marked(netPrelude + "for eps in [0.1] { attack bim eps=‸esp‸ on net }")
    let d = onlyDiagnostic(m.text)
    #expect(d?.message == "unknown variable 'esp'")
    #expect(d?.range == m.range(0, 1))
    #expect(d?.hint == "did you mean 'eps'?")
  }

  @Test("'e-1' is one name; the hint says to write 'e - 1'")
  func minusJoinsNames() {
    let d = onlyDiagnostic(netPrelude + "for e in [2] { attack bim steps=e-1 on net }")
    #expect(d?.message == "unknown variable 'e-1'")
    #expect(d?.hint == "write 'e - 1' to subtract")
    #expect(attackParams("for e in [2] { attack bim steps=e - 1 on net }")?["steps"] == .int(1))
  }

  @Test("an error that depends on a loop value says which value")
  func iterationNote() {
    let d = onlyDiagnostic(netPrelude + "for e in [0.5, 2] { attack bim eps=e on net }")
    #expect(d?.message == "'eps=2' is out of range; allowed: 0...1")
    #expect(d?.notes == ["when 'e' = 2"])
  }

  @Test("a seed is a whole number from 0 to the largest UInt64")
  func seeds() {
    #expect((planOf("seed 18446744073709551615").first?.step as? SeedStep)?.seed == UInt64.max)
    #expect((planOf("seed 6*7").first?.step as? SeedStep)?.seed == 42)
    #expect(onlyDiagnostic("seed 18446744073709551616")?.message
      == "seed must be a whole number from 0 to 18446744073709551615, found '18446744073709551616'")
    #expect(onlyDiagnostic("seed -1")?.message == "seed must be a whole number from 0 to 18446744073709551615, found '-1'")
    #expect(onlyDiagnostic("seed 0.5")?.message == "seed must be a whole number from 0 to 18446744073709551615, found '0.5'")
  }

  @Test("a list for a parameter of one value and an empty loop list are errors")
  func lists() {
    let d = onlyDiagnostic(netPrelude + "attack bim eps=[1, 2] on net")
    #expect(d?.message == "parameter 'eps' takes one value, not a list")
    #expect(d?.hint == "to try each value, loop over them: 'for v in [1, 2] { … eps=v … }'")
    #expect(onlyDiagnostic(netPrelude + "for e in [[1]] { attack bim eps=e on net }")?.message
      == "parameter 'eps' takes one value, not a list")
    #expect(onlyDiagnostic(netPrelude + "attack bim early=[true] on net")?.message == "parameter 'early' takes one value, not a list")
    #expect(onlyDiagnostic(netPrelude + "attack bim eps=[1]*2 on net")?.message == "'*' needs numbers, found '[1]'")
    #expect(onlyDiagnostic(netPrelude + "for e in [] { evaluate net }")?.message == "empty list; 'for' needs at least one value")
  }

  /// The params of the last step of `mixturePrelude + line`, a mixture.
  func mixtureParams(_ line: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Params? {
    guard let params = (planOf(mixturePrelude + line, sourceLocation: sourceLocation).last?.step as? MixtureStep)?.params else { return nil }
    return params
  }
  let mixturePrelude = "load mnist\nmodel net = train lenet\nmodel other = train mlp\n"

  @Test("a list parameter takes numbers, evaluated; its printed form reads back to the same value")
  func listParameter() {
    #expect(mixtureParams("model m = mixture net, other")?["weights"] == .reals([]))
    #expect(mixtureParams("model m = mixture net, other weights=[3, 1]")?["weights"] == .reals([3, 1]))
    #expect(mixtureParams("model m = mixture net, other weights=[1/4, 2*0.375,]")?["weights"] == .reals([0.25, 0.75]))
    #expect(mixtureParams("model m = mixture net, other weights=[\n  0,\n  1\n]")?["weights"] == .reals([0, 1]))
    let value = ParamValue.reals([3, 1])
    #expect(value.description == "[3, 1]")
    #expect(mixtureParams("model m = mixture net, other weights=\(value)")?["weights"] == value)
    #expect(mixtureParams("model m = mixture net, other weights=[3, 1]")?.canonicalDescription == "eligible=members weights=[3, 1]")
  }

  @Test("a loop may go over lists; the recorded statement shows the list, exactly in the script text")
  func loopOverLists() {
    let steps = planOf(mixturePrelude + "for w in [[3, 1], [1/3, 1]] { model m = mixture net, other weights=w }")
    let mixtures = steps.compactMap { step -> ParamValue? in
      (step.step as? MixtureStep)?.params["weights"]
    }
    #expect(mixtures == [.reals([3, 1]), .reals([1.0 / 3, 1])])
    #expect(steps.suffix(2).map(\.text) == ["model m = mixture net, other weights=[3, 1]",
                                             "model m = mixture net, other weights=[1/3, 1]"])
    #expect(steps.last?.scriptText == "model m = mixture net, other weights=[1/3, 1]")
  }

  @Test("a list parameter refuses a single number, a non-number and an item out of range, at the item")
  func listParameterErrors() {
    let single = onlyDiagnostic(mixturePrelude + "model m = mixture net, other weights=3")
    #expect(single?.message == "parameter 'weights' expects a list of numbers such as [3, 1], found '3'")
    #expect(single?.hint == "write a list: 'weights=[3, …]'")
    let m = Marked(mixturePrelude + "model m = mixture net, other weights=[1, ‸-2‸]")
    let negative = onlyDiagnostic(m.text)
    #expect(negative?.message == "'-2' in 'weights' is out of range; allowed: each 0...1000000")
    #expect(negative?.range == m.range(0, 1))
    #expect(diagnosticsOf(mixturePrelude + "model m = mixture net, other weights=[-1, -2]").count == 2)
    #expect(onlyDiagnostic(mixturePrelude + "model m = mixture net, other weights=[1, \"a\"]")?.message
      == "parameter 'weights' takes a list of numbers, found '\"a\"' in it")
    #expect(onlyDiagnostic(mixturePrelude + "model m = mixture net, other weights=[1, x]")?.message == "unknown variable 'x'")
    #expect(onlyDiagnostic(mixturePrelude + "model m = mixture net, other weights=[1, 1/0]")?.message == "division by zero")
    let looped = onlyDiagnostic(mixturePrelude + "for w in [[1, -1]] { model m = mixture net, other weights=w }")
    #expect(looped?.message == "'-1' in 'weights' is out of range; allowed: each 0...1000000")
    #expect(looped?.notes == ["when 'w' = [1, -1]"])
  }

  @Test("arithmetic on strings is refused")
  func stringArithmetic() {
    #expect(onlyDiagnostic(netPrelude + "attack bim eps=\"a\" * 2 on net")?.message == "'*' needs numbers, found '\"a\"'")
  }

  @Test("paths must be strings")
  func paths() {
    #expect(onlyDiagnostic("load mnist from data")?.message
      == "expected a path in double quotes after 'from', found 'data'")
    let steps = planOf(#"load mnist from "data/mnist" train=1000"#)
    #expect(steps.first?.comparable == ComparableStep(LoadStep(dataset: TestVocabulary.mnist, path: "data/mnist",
                                                               params: Params(spec: TestVocabulary.mnist, given: ["train": .int(1000)]))))
  }
}
