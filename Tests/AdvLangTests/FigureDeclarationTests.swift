@testable import AdvLang
import AdvSpec
import Testing

/// Figures declare their settings as typed keys, and `plot` draws a figure by its kind.
@Suite("figure declarations")
struct FigureDeclarationTests {
  let figures = Vocabulary.standard.figures

  func declaration(_ kind: FigureKind) throws -> FigureSpec { try #require(figures.first { $0.kind == kind }) }

  /// The settings `plot KIND` resolves when `given` holds the script's values (validated).
  func params(_ kind: FigureKind, _ given: [String: ParamValue] = [:]) throws -> Params {
    let spec = try declaration(kind).spec
    var valid: [String: ParamValue] = [:]
    for (name, value) in given {
      let param = try #require(spec.param(name))
      valid[name] = try param.validate(value).get()
    }
    return Params(spec: spec, given: valid)
  }

  @Test("every figure is declared once, in registry order, under the name of its kind")
  func oneDeclarationPerKind() {
    #expect(figures.map(\.kind) == FigureKind.allCases)
    #expect(figures.map(\.name) == ["bars", "curve", "box", "tsne", "decision", "adversarials"])
  }

  @Test("settings not given read back as their declared defaults, typed")
  func defaults() throws {
    #expect(try params(.bars)[BarsFigure.metric] == .asr)
    #expect(try params(.bars)[BarsFigure.groups] == .field(.model))
    #expect(try params(.bars)[BarsFigure.series] == .attack)
    #expect(try params(.curve)[CurveFigure.x] == "auto")
    #expect(try params(.curve)[CurveFigure.scale] == .auto)
    #expect(try params(.box)[BoxFigure.by] == .policy)
    #expect(try params(.box)[ResultCharts.results] == .all)
    #expect(try params(.tsne)[TSNEFigure.samples] == 1000)
    #expect(try params(.tsne)[TSNEFigure.perplexity] == 30)
    #expect(try params(.tsne)[TSNEFigure.split] == .train)
    #expect(try params(.decision)[DecisionFigure.around] == [0, 1, 2])
    #expect(try params(.decision)[DecisionFigure.lo] == -0.5)
    #expect(try params(.adversarials)[AdversarialsFigure.scale] == 3)
  }

  @Test("a choice given in any spelling reads back as its case")
  func choices() throws {
    #expect(try params(.bars, ["groups": .string("Model-Attack")])[BarsFigure.groups] == .modelAttack)
    #expect(try params(.bars, ["groups": .string("arch")])[BarsFigure.groups] == .field(.arch))
    #expect(try params(.bars, ["metric": .string("L2")])[BarsFigure.metric] == .l2)
    #expect(try params(.curve, ["x": .string("eps"), "lines": .string("attack")])[CurveFigure.lines] == .attack)
    #expect(try params(.tsne, ["split": .string("test")])[TSNEFigure.split] == .test)
  }

  @Test("bars group by the result fields or by model and attack; series, lines and boxes by the fields")
  func fieldOptions() throws {
    #expect(Figures.fields == ["model", "attack", "source", "dataset", "policy", "arch"])
    #expect(try declaration(.bars).spec.param("groups")?.kind == .choice(Figures.fields + ["model_attack"]))
    #expect(try declaration(.bars).spec.param("series")?.kind == .choice(Figures.fields))
    #expect(try declaration(.curve).spec.param("lines")?.kind == .choice(Figures.fields))
    #expect(try declaration(.box).spec.param("by")?.kind == .choice(Figures.fields))
  }

  @Test("a curve's x axis offers 'auto' and each numeric parameter of the attacks once")
  func curveAxis() throws {
    let bim = try #require(Vocabulary.standard.component(.attack, named: "bim"))
    let curve = try #require(Figures.declarations(attacks: [bim, bim]).first { $0.kind == .curve })
    #expect(curve.spec.param("x")?.kind == .choice(["auto", "eps", "alpha", "steps", "samples", "launches", "batch"]))
    #expect(Figures.declarations(attacks: []).first { $0.kind == .curve }?.spec.param("x")?.kind == .choice(["auto"]))
  }
}
