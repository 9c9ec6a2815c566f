import AdvReport
import Foundation
import Testing

@Suite("JSON reports")
struct JSONTests {
  func object(_ report: Report) throws -> [String: Any] {
    let json = render(report, as: .json)
    return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
  }

  @Test("the JSON report has snake_case keys for models and results")
  func keys() throws {
    let top = try object(Fixtures.oneModel)
    #expect(Set(top.keys) == ["tool", "version", "script", "script_hash", "models", "results", "surrogates", "transfers", "figures",
                              "inputs"])
    let model = try #require((top["models"] as? [[String: Any]])?.first)
    #expect(Set(model.keys) == ["name", "arch", "dataset", "params", "clean_accuracy", "samples", "policy", "seed",
                                "train_seconds", "model_hash", "statement", "defaults"])
    let result = try #require((top["results"] as? [[String: Any]])?.first)
    #expect(Set(result.keys) == ["model", "arch", "attack", "params", "defaults", "policy", "dataset", "split", "samples",
                                 "asr", "l2_per_pixel", "seed", "queries", "wall_seconds", "statement", "script_hash",
                                 "model_hash", "per_sample"])
    let sample = try #require((result["per_sample"] as? [[String: Any]])?.first)
    #expect(Set(sample.keys) == ["index", "label", "returned", "success", "l2_per_pixel", "queries", "gradients",
                                 "adversarial_label"])
  }

  @Test("inputs keep path, kind, size, SHA-256, files and statement; a report written before inputs existed reads back with none")
  func inputs() throws {
    var report = Fixtures.oneModel
    report.inputs = [
      InputRecord(path: "data/mnist", kind: "data", files: [InputRecord(path: "data/mnist/t10k-labels-idx1-ubyte.gz", kind: "file", size: 46)],
                  statement: "load mnist from \"data/mnist\""),
      InputRecord(path: "net.safetensors", kind: "checkpoint", size: 10, sha256: String(repeating: "a", count: 64),
                  statement: "model c = load \"net.safetensors\" as mlp"),
    ]
    let inputs = try #require(try object(report)["inputs"] as? [[String: Any]])
    #expect(inputs.map { Set($0.keys) } == Array(repeating: ["path", "kind", "size", "sha256", "files", "statement"], count: 2))
    #expect(inputs[1]["size"] as? Int == 10)
    #expect(try Report(json: Data(render(report, as: .json).utf8)) == report)
    var old = try #require(try JSONSerialization.jsonObject(with: Data(render(Fixtures.oneModel, as: .json).utf8)) as? [String: Any])
    old["inputs"] = nil
    #expect(try Report(json: JSONSerialization.data(withJSONObject: old)).inputs.isEmpty)
  }

  @Test("numbers stay numbers, parameters included, and L2 is unscaled")
  func numbers() throws {
    let result = try #require((try object(Fixtures.oneModel)["results"] as? [[String: Any]])?.first)
    let params = try #require(result["params"] as? [String: Any])
    #expect(params["eps"] as? String == nil)
    // Foundation's JSONSerialization on Linux parses the last digit inexactly; read the text.
    #expect(render(Fixtures.oneModel, as: .json).contains(#""eps" : 0.12549019607843137,"#))
    #expect(params["steps"] as? Int == 100)
    #expect(result["asr"] as? Double == 0.64)
    #expect(result["l2_per_pixel"] as? Double == 0.0024561)
    #expect(result["samples"] as? Int == 100)
    #expect(render(Fixtures.oneModel, as: .text).contains(" 2.4561 "))
  }

  @Test("a missing L2 is null, not left out")
  func null() throws {
    let results = try #require(try object(Fixtures.oneModel)["results"] as? [[String: Any]])
    #expect(results[1]["l2_per_pixel"] is NSNull)
    let sample = try #require((results[1]["per_sample"] as? [[String: Any]])?.first)
    #expect(sample["l2_per_pixel"] is NSNull)
  }

  @Test("the JSON report reads back equal, with the plain decoder too")
  func roundTrip() throws {
    let report = Fixtures.twoModels
    let json = Data(render(report, as: .json).utf8)
    #expect(try Report(json: json) == report)
    #expect(try JSONDecoder().decode(Report.self, from: json) == report)
  }

  @Test("flags and strings keep their JSON types")
  func parameterTypes() throws {
    var report = Fixtures.oneModel
    report.results[0].params = ["targeted": false, "norm": "l2", "c": 10]
    let back = try Report(json: Data(render(report, as: .json).utf8))
    #expect(back.results[0].params == ["targeted": .bool(false), "norm": .string("l2"), "c": .number(10)])
  }

  @Test("a list parameter is a JSON array of numbers, read back as a list; tables print it as a script writes it")
  func listParameter() throws {
    var report = Fixtures.oneModel
    report.results[0].params = ["weights": .list([3, 0.25]), "steps": 100]
    let json = render(report, as: .json)
    #expect(json.contains(#""weights" : ["#))
    let result = try #require((try object(report)["results"] as? [[String: Any]])?.first)
    #expect((result["params"] as? [String: Any])?["weights"] as? [Double] == [3, 0.25])
    let back = try Report(json: Data(json.utf8))
    #expect(back.results[0].params["weights"] == .list([.number(3), .number(0.25)]))
    #expect(ReportValue.list([3, 0.25]).description == "[3, 0.25]")
    #expect(render(report, as: .csv).contains(",100,\"[3, 0.25]\","))
  }

  @Test("an ASR over no samples is NaN, written as \"nan\" and read back")
  func notANumber() throws {
    var report = Fixtures.oneModel
    report.results[0].asr = .nan
    let json = render(report, as: .json)
    #expect(json.contains(#""asr" : "nan""#))
    #expect(try Report(json: Data(json.utf8)).results[0].asr.isNaN)
  }
}
