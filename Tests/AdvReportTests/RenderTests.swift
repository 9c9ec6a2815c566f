import AdvReport
import Foundation
import Testing

func sampleReport(models: [String] = ["net"]) -> Report {
  var r = Report(tool: "adv", version: "0.1.0", script: "q.adv", scriptHash: "abc", models: [], results: [])
  for m in models {
    r.models.append(ModelRecord(name: m, arch: "lenet", dataset: "mnist", params: ["epochs": "15"], cleanAccuracy: 0.962,
                                samples: 1000, policy: "deterministic", seed: 7, trainSeconds: 2.5, modelHash: "h", statement: "evaluate \(m)"))
    r.results.append(AttackRecord(model: m, arch: "lenet", attack: "bim", params: ["eps": .number(32.0 / 255), "steps": .number(100)],
                                  dataset: "mnist", split: "test", samples: 100, asr: 0.64, l2PerPixel: 0.0024561,
                                  seed: 7, queries: 2100, wallSeconds: 0.31, statement: "attack bim on \(m)", scriptHash: "abc",
                                  modelHash: "h", perSample: [SampleRecord(index: 3, label: 1, returned: true, success: 1,
                                                                          l2PerPixel: 0.0024561, queries: 21, gradients: 20)]))
  }
  r.results.append(AttackRecord(model: models[0], arch: "lenet", attack: "bim", params: ["eps": .number(0)], dataset: "mnist",
                                split: "test", samples: 100, asr: 0, l2PerPixel: nil, seed: 7, queries: 10100, wallSeconds: 1.0,
                                statement: "attack bim eps=0 on net", scriptHash: "abc", modelHash: "h", perSample: []))
  return r
}

@Suite("report rendering")
struct RenderTests {
  @Test("the text report is an aligned table with L2 x1000 and '-' for no adversarial")
  func text() {
    #expect(render(sampleReport(), as: .text) == """
      Models
      model  arch   dataset  policy         samples  clean acc
      -----  -----  -------  -------------  -------  ---------
      net    lenet  mnist    deterministic     1000     0.9620

      Attacks
      model  attack  params                clean acc  samples     ASR  L2/px x1000  queries  time s
      -----  ------  --------------------  ---------  -------  ------  -----------  -------  ------
      net    bim     eps=0.1255 steps=100     0.9620      100  0.6400       2.4561     2100     0.3
      net    bim     eps=0                    0.9620      100  0.0000            -    10100     1.0

      """)
  }

  @Test("JSON keeps numbers as numbers, L2 unscaled, and round-trips")
  func json() throws {
    let text = render(sampleReport(), as: .json)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let results = try #require(object["results"] as? [[String: Any]])
    let models = try #require(object["models"] as? [[String: Any]])
    #expect(models[0]["clean_accuracy"] as? Double == 0.962)
    #expect(models[0]["name"] as? String == "net" && models[0]["arch"] as? String == "lenet")
    #expect(results[0]["l2_per_pixel"] as? Double == 0.0024561)
    #expect((results[0]["params"] as? [String: Any])?["steps"] as? Double == 100)
    for key in ["model", "attack", "params", "samples", "asr", "l2_per_pixel", "seed"] { #expect(results[0][key] != nil) }
    #expect(try JSONDecoder().decode(Report.self, from: Data(text.utf8)) == sampleReport())
  }

  @Test("CSV quotes fields with commas and quotes")
  func csv() {
    var table = Table(title: "", headers: ["a", "b"], alignments: [.left, .left])
    table.rows = [["x,y", "say \"hi\""]]
    #expect(table.csv == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n")
    let text = render(sampleReport(), as: .csv)
    #expect(text.hasPrefix("model,arch,dataset,attack,params,clean_accuracy,samples,asr,l2_per_pixel,l2_per_pixel_x1000,"))
    #expect(text.contains("2.4561"))
  }

  @Test("models the paper reports get its Table I accuracy beside ours")
  func paperColumn() {
    var report = sampleReport()
    report.models[0].arch = "bsn-l"
    let text = render(report, as: .text)
    #expect(text.contains("clean acc  paper (Table I)"))
    #expect(text.contains("0.9620            0.990"))
  }

  @Test("the Table II pivot appears only when two or more models were attacked")
  func pivot() {
    #expect(!render(sampleReport(), as: .text).contains("Table II"))
    let two = render(sampleReport(models: ["r18", "bsnL"]), as: .markdown)
    #expect(two.contains("### ASR (Table II layout)"))
    #expect(two.contains("| dataset / attack | r18 | bsnL |"))
    #expect(two.contains("| mnist / bim eps=0.1255 steps=100 | 0.6400 | 0.6400 |"))
  }
}

@Suite("atomic files")
struct AtomicFileTests {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adv-report-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  @Test("a write replaces the file and leaves no temporary behind")
  func replaces() throws {
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/sub/r.json"
    try writeAtomically("old", to: path)
    try writeAtomically("new", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub") == ["r.json"])
  }

  @Test("an unwritable path is reported with the path")
  func unwritable() {
    #expect(throws: WriteError.self) { try writeAtomically("x", to: "/proc/adv-cannot/r.json") }
    do {
      try writeAtomically("x", to: "/proc/adv-cannot/r.json")
    } catch {
      #expect("\(error)".hasPrefix("cannot write '/proc/adv-cannot/r.json'"))
    }
  }
}
