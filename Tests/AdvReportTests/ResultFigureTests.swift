import AdvReport
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The results figures pick their data from records: which results, grouped how, against which
/// parameter.
@Suite("figures from results")
struct ResultFigureTests {
  /// Transfers from two surrogates to two oracles with two attacks (Figures 1-2's layout).
  static var surrogates: Report {
    var report = Report(version: "0.1.0", script: "s.adv", scriptHash: "abc")
    for (source, rate) in [("rSub", 0.2), ("bSub", 0.6)] {
      for attack in ["bim", "cwl2"] {
        let targets = [("sefron", "mcsefron", rate), ("bnnS", "bnn-s", rate / 2)].map { name, arch, asr in
          TransferTargetRecord(model: name, arch: arch, asr: asr, queries: 100, success: [asr])
        }
        report.transfers.append(TransferRecord(
          source: source, sourceArch: source == "rSub" ? "resnet18" : "bsn-l", attack: attack, params: ["c": 10],
          dataset: "mnist", split: "test", samples: 10, requestedSamples: 10, attempted: 10, eligible: 10, examined: 10,
          sourceASR: 1, l2PerPixel: 0.002, sourceQueries: 1000, targets: targets, seed: 7, wallSeconds: 1,
          statement: "transfer \(attack) from \(source) to sefron, bnnS", scriptHash: "abc", perSample: []))
      }
    }
    return report
  }

  @Test("bars of transfers: one group per target and attack, one bar per surrogate, rates as heights")
  func transferBars() throws {
    let points = Self.surrogates.resultPoints(results: "transfers")
    #expect(points.count == 8)
    let chart = try barsChart(points, metric: "asr", groups: "model_attack", series: "source", title: "Fig. 1", caption: "c")
    #expect(chart.groups == ["sefron · bim", "bnnS · bim", "sefron · cwl2", "bnnS · cwl2"])
    #expect(chart.series.map(\.name) == ["rSub", "bSub"])
    #expect(chart.series[1].values == [0.6, 0.3, 0.6, 0.3])
    #expect(XMLParser(data: Data(chart.svg().utf8)).parse())
  }

  @Test("attack results are left out of a transfers-only figure, and 'of' keeps the models named")
  func selection() {
    var report = Self.surrogates
    report.results = [Fixtures.bim(on: "sefron", eps: 32.0 / 255, asr: 0.3, l2: 0.002, arch: "mcsefron")]
    #expect(report.resultPoints(results: "transfers").count == 8)
    #expect(report.resultPoints(results: "attacks").count == 1)
    #expect(report.resultPoints(results: "all", models: ["bnnS"]).map(\.model) == ["bnnS", "bnnS", "bnnS", "bnnS"])
  }

  @Test("a curve's x is the parameter swept within one attack, not one that differs between attacks")
  func sweptParameter() throws {
    var report = Fixtures.twoModels
    report.results.append(AttackRecord(
      model: "r18", arch: "resnet18", attack: "cwl2", params: ["c": 10, "steps": 1000], dataset: "mnist", split: "test",
      samples: 20, asr: 0.7, l2PerPixel: 0.001, seed: 7, queries: 10, wallSeconds: 1, statement: "attack cwl2 on r18",
      scriptHash: "abc", modelHash: "h-r18", perSample: []))
    let points = report.resultPoints()
    #expect(try AdvReport.sweptParameter(points, x: "auto") == "eps")
    let chart = try curveChart(points, x: "auto", lines: "model", scale: "auto", title: "t", caption: "c")
    // ASR and L2 per model, BIM only: cwl2 has no eps.
    #expect(chart.lines.map(\.name) == ["r18 ASR", "r18 L2", "bsnL ASR", "bsnL L2"])
    let xs: [Double] = chart.lines[0].points.map(\.x)
    let expected: [Double] = [8.0 / 255, 32.0 / 255]
    #expect(xs == expected)
    #expect(chart.lines[3].points.count == 1, "bsnL returned nothing at 8/255: no L2 point there")
  }

  @Test("nothing swept, or no results, is an error that says what to add")
  func errors() {
    let one = Report(version: "0.1.0", script: nil, scriptHash: "", results: [Fixtures.bim(on: "n", eps: 0.1, asr: 1, l2: 0.001)])
    #expect(throws: FigureDataError.self) { try curveChart(one.resultPoints(), x: "auto", lines: "model", scale: "auto", title: "", caption: "") }
    let empty = Report(version: "0.1.0", script: nil, scriptHash: "")
    do {
      _ = try barsChart(empty.resultPoints(), metric: "asr", groups: "model", series: "attack", title: "", caption: "")
      Issue.record("no error for an empty report")
    } catch {
      #expect(error.description.contains("run an 'attack' or 'transfer' first"))
    }
  }

  @Test("labels tell results of one attack apart by what differs, never by launches")
  func labels() {
    let points = [Fixtures.bim(on: "a", eps: 8.0 / 255, asr: 0.1, l2: 0.001),
                  Fixtures.bim(on: "a", eps: 32.0 / 255, asr: 0.9, l2: 0.002, policy: "average(10)")]
    var withLaunches = Report(version: "0.1.0", script: nil, scriptHash: "", results: points)
    withLaunches.results[1].params["launches"] = 5
    #expect(attackLabels(withLaunches.resultPoints()) == ["bim eps=8/255", "bim eps=32/255"])
  }

  @Test("box plots: one box per policy, ASR and L2 as two panels")
  func boxes() throws {
    let report = Report(version: "0.1.0", script: nil, scriptHash: "", results: [
      Fixtures.bim(on: "a", eps: 0.1, asr: 0.2, l2: 0.001, policy: "single"),
      Fixtures.bim(on: "b", eps: 0.1, asr: 0.4, l2: 0.002, policy: "single"),
      Fixtures.bim(on: "a", eps: 0.1, asr: 0.6, l2: 0.003, policy: "average(10)"),
    ])
    let figure = try boxCharts(report.resultPoints(), by: "policy", title: "Fig. 6", caption: "c")
    #expect(figure.panels.count == 2)
    let asr = try #require(figure.panels[0] as? BoxPlot)
    #expect(asr.boxes.map(\.name) == ["single", "average(10)"])
    #expect(asr.boxes.map(\.values) == [[0.2, 0.4], [0.6]])
    #expect(XMLParser(data: Data(figure.svg().utf8)).parse())
  }
}
