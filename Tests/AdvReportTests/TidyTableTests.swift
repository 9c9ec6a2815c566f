import AdvReport
import Foundation
import Testing

/// The table fixes a new user asked for: models told apart by identity, a column per parameter
/// in the CSV, eps as written, only changed parameters in the text table, typed model
/// parameters, and paper tables only where they say something.
@Suite("tables keyed by model identity, tidy CSV, paper tables with notes")
struct TidyTableTests {
  /// `net` trained as a lenet, attacked, then redefined as an mlp and attacked again.
  static var reusedName: Report {
    Report(version: "0.1.0", script: "reuse.adv", scriptHash: "abc",
           models: [Fixtures.evaluation("net"), Fixtures.evaluation("net", arch: "mlp", accuracy: 0.91)]
             .enumerated().map { k, m in var m = m; m.modelHash = "h\(k)"; return m },
           results: [Fixtures.bim(on: "net", eps: 8.0 / 255, asr: 0.6, l2: 0.001),
                     Fixtures.bim(on: "net", eps: 8.0 / 255, asr: 0, l2: nil, arch: "mlp")]
             .enumerated().map { k, r in var r = r; r.modelHash = "h\(k)"; return r })
  }

  func block(_ text: String, _ title: String) -> String? {
    text.components(separatedBy: "\n\n").first { $0.hasPrefix(title) }.map {
      $0.hasSuffix("\n") ? String($0.dropLast()) : $0
    }
  }

  @Test("a model name reused in a script keeps both models' results in the pivot, labelled by architecture")
  func reusedNameKeepsBothColumns() throws {
    let text = render(Self.reusedName, as: .text)
    #expect(block(text, "ASR (Table II layout)") == """
      ASR (Table II layout)
      dataset  attack  net (lenet)  net (mlp)
      -------  ------  -----------  ---------
      mnist    bim          0.6000     0.0000
      """)
    let attacks = try #require(block(text, "Attacks"))
    #expect(attacks.contains("net (lenet)  lenet  bim"))
    #expect(attacks.contains("net (mlp)    mlp    bim"))
    #expect(try #require(block(text, "Models")).contains("net (mlp)    mlp    mnist    deterministic     1000     0.9100"))
  }

  @Test("two models of one name and architecture are numbered in the order they appear")
  func reusedNameSameArchitecture() throws {
    var report = Self.reusedName
    report.models[1].arch = "lenet"
    report.results[1].arch = "lenet"
    let pivot = try #require(block(render(report, as: .text), "ASR (Table II layout)"))
    #expect(pivot.contains("dataset  attack     net   net#2"))
    #expect(pivot.contains("mnist    bim     0.6000  0.0000"))
  }

  @Test("a model attacked under two policies has a pivot column for each")
  func policiesSplitColumns() throws {
    var report = Fixtures.twoModels
    report.results = [Fixtures.bim(on: "r18", eps: 8.0 / 255, asr: 1, l2: 0.003, arch: "resnet18"),
                      Fixtures.bim(on: "bsnL", eps: 8.0 / 255, asr: 0.4, l2: 0.002, arch: "bsn-l", policy: "single"),
                      Fixtures.bim(on: "bsnL", eps: 8.0 / 255, asr: 0.2, l2: 0.002, arch: "bsn-l", policy: "average(10)")]
    let text = render(report, as: .text)
    let pivot = try #require(block(text, "ASR (Table II layout)"))
    #expect(pivot.contains("attack     r18  bsnL, single  bsnL, average(10)"))
    #expect(pivot.contains("bim     1.0000        0.4000             0.2000"))
    // The Attacks table gets a policy column once a target is stochastic.
    #expect(try #require(block(text, "Attacks")).contains("bsnL   bsn-l     bim     average(10)    eps=8/255"))
  }

  @Test("launches does not split a pivot row between a deterministic and a stochastic model")
  func launchesOnlyCountsOnStochasticTargets() throws {
    var report = Fixtures.twoModels
    var stochastic = Fixtures.bim(on: "bsnL", eps: 32.0 / 255, asr: 0.4, l2: 0.002, arch: "bsn-l", policy: "average(10)")
    stochastic.params["launches"] = 20
    report.results = [Fixtures.bim(on: "r18", eps: 32.0 / 255, asr: 1, l2: 0.003, arch: "resnet18"), stochastic]
    #expect(try #require(block(render(report, as: .text), "ASR (Table II layout)")) == """
      ASR (Table II layout)
      dataset  attack     r18    bsnL
      -------  ------  ------  ------
      mnist    bim     1.0000  0.4000
      """)
    // Stochastic runs at two launch counts do get a row each.
    var again = stochastic
    again.params["launches"] = 100
    report.results.append(again)
    let pivot = try #require(block(render(report, as: .text), "ASR (Table II layout)"))
    #expect(pivot.contains("bim launches=20") && pivot.contains("bim launches=100"), "\(pivot)")
  }

  @Test("the CSV has one column per attack parameter, eps at full precision and as written beside it")
  func csvColumnPerParameter() throws {
    var report = Fixtures.oneModel
    report.results[1] = AttackRecord(
      model: "net", arch: "lenet", attack: "cwl2", params: ["c": 10, "search": "off"], dataset: "mnist", split: "test",
      samples: 5, asr: 0.2, l2PerPixel: 0.001, seed: 7, queries: 50, wallSeconds: 1, statement: "attack cwl2 on net",
      scriptHash: "abc", modelHash: "h-net", perSample: [], policy: "deterministic")
    let lines = render(report, as: .csv).components(separatedBy: "\r\n").map { $0.components(separatedBy: ",") }
    let header = lines[0]
    #expect(header == ["model", "arch", "model_hash", "policy", "dataset", "attack", "c", "eps", "eps_text", "launches",
                       "search", "steps", "clean_accuracy", "samples", "asr", "l2_per_pixel", "l2_per_pixel_x1000", "seed",
                       "queries", "wall_seconds"])
    let column = { (name: String) in try #require(header.firstIndex(of: name)) }
    #expect(lines[1][try column("eps")] == "0.12549019607843137")
    #expect(Double(lines[1][try column("eps")]) == 32.0 / 255)
    #expect(lines[1][try column("eps_text")] == "32/255")
    #expect(lines[1][try column("steps")] == "100")
    #expect(lines[1][try column("c")] == "")
    #expect(lines[2][try column("c")] == "10")
    #expect(lines[2][try column("search")] == "off")
    #expect(lines[2][try column("eps")] == "")
  }

  @Test("eps prints as written where that is exact in every table: attacks, pivots, transfers and notes")
  func epsAsWrittenEverywhere() {
    var report = Fixtures.twoModels
    report.results = report.results.filter { $0.params["eps"] == .number(8.0 / 255) }
    report.results.append(Fixtures.bim(on: "r18", eps: 16.0 / 255, asr: 0.9, l2: 0.001, arch: "resnet18"))
    report.transfers = [transfer(eps: 8.0 / 255, split: "test"), transfer(eps: 16.0 / 255, split: "test")]
    let text = render(report, as: .text)
    #expect(!text.contains("0.03137") && !text.contains("0.06275"), "\(text)")
    let blocks = text.components(separatedBy: "\n\n")
    for title in ["Attacks", "Transfers", "ASR (Table II layout)", "Transfer rate (Table III layout)"] {
      #expect(blocks.first { $0.hasPrefix(title) }?.contains("eps=8/255") == true, "\(title)")
    }
    #expect(text.contains("note: mnist bim: ours at eps=8/255 and eps=16/255, paper at eps=32/255"), "\(text)")
    // The paper's Table III rows read as the script writes them.
    #expect(blocks.first { $0.hasPrefix("Paper, Table III") }?.contains("bim eps=8/255   0.1784") == true, "\(text)")
    #expect(text.contains("note: ours on mnist, paper on cifar10"))
    #expect(render(report, as: .markdown).contains("| mnist | bim eps=8/255 |"))
  }

  @Test("the text Attacks table shows only parameters that differ from the defaults, never launches on a deterministic target; JSON keeps all")
  func attacksTableOmitsDefaults() throws {
    var report = Fixtures.oneModel
    report.results = [Fixtures.bim(on: "net", eps: 8.0 / 255, asr: 0.1, l2: 0.001)]
    report.results[0].params["launches"] = 20
    var stochastic = Fixtures.bim(on: "net", eps: 8.0 / 255, asr: 0.1, l2: 0.001, policy: "single")
    stochastic.params["launches"] = 20
    report.results.append(stochastic)
    let attacks = try #require(block(render(report, as: .text), "Attacks"))
    #expect(attacks == """
      Attacks
      model  arch   attack  policy         params                 clean acc  samples     ASR  L2/px x1000  queries  time s
      -----  -----  ------  -------------  ---------------------  ---------  -------  ------  -----------  -------  ------
      net    lenet  bim     deterministic  eps=8/255                 0.9620      100  0.1000       1.0000     2100     0.3
      net    lenet  bim     single         eps=8/255 launches=20     0.9620      100  0.1000       1.0000     2100     0.3
      """)
    let back = try Report(json: Data(render(report, as: .json).utf8))
    #expect(back.results[0].params == ["eps": .number(8.0 / 255), "steps": 100, "launches": 20])
    #expect(back.results[0].defaults == Fixtures.bimDefaults)
  }

  @Test("a sweep names its value in every row, the default one included")
  func sweepRowsNameTheirValue() throws {
    let attacks = try #require(block(render(Fixtures.oneModel, as: .text), "Attacks"))
    #expect(attacks.contains("bim     eps=32/255"))
    var single = Fixtures.oneModel
    single.results.removeLast()
    #expect(try #require(block(render(single, as: .text), "Attacks")).contains("net    lenet  bim                0.9620"))
  }

  @Test("model and surrogate parameters are typed in JSON and read back")
  func typedModelParameters() throws {
    var report = Fixtures.oneModel
    report.models[0].params = ["epochs": 15, "lr": 0.001, "normalize": true, "optimizer": "adam", "weights": .list([3, 1])]
    let json = render(report, as: .json)
    #expect(json.contains(#""epochs" : 15,"#))
    #expect(json.contains(#""normalize" : true,"#))
    #expect(json.contains(#""optimizer" : "adam","#))
    #expect(try Report(json: Data(json.utf8)) == report)
  }

  @Test("a report written before these fields existed still reads: string model parameters, no defaults, policy, labels or hashes")
  func readsOlderReports() throws {
    var report = Fixtures.twoModels
    report.transfers = [transfer(eps: 8.0 / 255, split: "test")]
    var top = try #require(try JSONSerialization.jsonObject(with: Data(render(report, as: .json).utf8)) as? [String: Any])
    top["models"] = (top["models"] as? [[String: Any]])?.map { m in var m = m; m["params"] = ["epochs": "15"]; return m }
    top["results"] = (top["results"] as? [[String: Any]])?.map { r in
      var r = r
      r["defaults"] = nil
      r["policy"] = nil
      r["per_sample"] = (r["per_sample"] as? [[String: Any]])?.map { s in var s = s; s["adversarial_label"] = nil; return s }
      return r
    }
    top["transfers"] = (top["transfers"] as? [[String: Any]])?.map { t in
      var t = t
      t["source_hash"] = nil
      t["targets"] = (t["targets"] as? [[String: Any]])?.map { x in var x = x; x["model_hash"] = nil; x["adversarial_labels"] = nil; return x }
      return t
    }
    let old = try Report(json: JSONSerialization.data(withJSONObject: top))
    #expect(old.models[0].params == ["epochs": "15"])
    #expect(old.results[0].defaults.isEmpty && old.results[0].policy.isEmpty)
    #expect(old.results[0].perSample[0].adversarialLabel == nil)
    #expect(old.transfers[0].sourceHash.isEmpty && old.transfers[0].targets[0].adversarialLabels.isEmpty)
    // Without defaults every parameter is shown, as before.
    #expect(try #require(block(render(old, as: .text), "Attacks")).contains("eps=32/255 launches=100 steps=100"))
  }

  @Test("no paper table is printed for architectures the paper does not have")
  func noEmptyPaperTable() {
    var report = Self.reusedName
    let text = render(report, as: .text)
    #expect(text.contains("ASR (Table II layout)"))
    #expect(!text.contains("Paper"), "\(text)")
    // With a paper architecture among the columns, its row is printed and the others show "-".
    report.models[1].arch = "resnet18"
    report.results[1].arch = "resnet18"
    let withPaper = render(report, as: .text)
    #expect(withPaper.contains("""
      Paper, Table II(a): ASR (headline settings, full test sets)
      dataset  attack  net (lenet)  net (resnet18)
      -------  ------  -----------  --------------
      mnist    bim               -          1.0000
      """), "\(withPaper)")
  }

  @Test("a note says when our settings differ from the paper's, and none when they match")
  func noteWhenSettingsDiffer() throws {
    var report = Fixtures.twoModels
    report.results = report.results.filter { $0.params["eps"] == .number(8.0 / 255) }
    let text = render(report, as: .text)
    let paper = try #require(block(text, "Paper, Table II(a)"))
    #expect(paper.hasSuffix("\nnote: mnist bim: ours at eps=8/255, paper at eps=32/255"))
    #expect(render(report, as: .markdown).contains("| mnist | bim | 1.0000 | 0.8306 |\n\nNote: mnist bim: ours at eps=8/255, paper at eps=32/255\n"))
    var headline = Fixtures.twoModels
    headline.results = headline.results.filter { $0.params["eps"] == .number(32.0 / 255) }
    #expect(!render(headline, as: .text).contains("note:"))
  }

  @Test("the paper's transfer tables print only rows for targets the paper has")
  func transferPaperRowsNeedTargets() {
    var report = Fixtures.oneModel
    report.transfers = [transfer(eps: 8.0 / 255, split: "test", targets: [("m", "mlp")])]
    #expect(!render(report, as: .text).contains("Paper, Table III"))
    report.transfers = [transfer(eps: 8.0 / 255, split: "pool")]
    let text = render(report, as: .text)
    #expect(text.contains("Paper, Table IV"))
    #expect(text.contains("note: mnist bim: ours at eps=8/255, paper at eps=32/255"))
  }

  /// A transfer from a resnet18 `src` to `targets` (name, architecture).
  func transfer(eps: Double, split: String, targets: [(String, String)] = [("bsn", "bsn-l"), ("lin", "lenet")]) -> TransferRecord {
    TransferRecord(
      source: "src", sourceArch: "resnet18", attack: "bim", params: ["eps": .number(eps), "steps": 100], dataset: "mnist",
      split: split, samples: 10, requestedSamples: 10, attempted: 12, eligible: 40, examined: 50, sourceASR: 0.9,
      l2PerPixel: 0.002, sourceQueries: 300,
      targets: targets.map { TransferTargetRecord(model: $0.0, arch: $0.1, asr: 0.3, queries: 10, success: [], modelHash: "h-\($0.0)") },
      seed: 7, wallSeconds: 1, statement: "transfer bim from src to …", scriptHash: "abc", perSample: [], sourceHash: "h-src")
  }
}
