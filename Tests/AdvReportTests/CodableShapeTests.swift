import AdvReport
import Foundation
import Testing

/// Records with every optional both nil and set, and every later-added key both empty and filled.
enum Shapes {
  static let sampleNil = SampleRecord(index: 3, label: 1, returned: false, success: 0, l2PerPixel: nil, queries: 101, gradients: 100)
  static let sampleSet = SampleRecord(index: 4, label: 2, returned: true, success: 0.5, l2PerPixel: 0.0025, queries: 21, gradients: 20,
                                      adversarialLabel: 7)

  static let modelNil = ModelRecord(name: "m", arch: "mlp", dataset: "mnist", params: ["epochs": 2], cleanAccuracy: 0.5,
                                    samples: 10, policy: "deterministic", seed: 1, trainSeconds: nil, modelHash: "hm",
                                    statement: "evaluate m")
  static let modelSet = ModelRecord(name: "r", arch: "resnet18", dataset: "cifar10", params: ["epochs": 15, "optimizer": "adam"],
                                    cleanAccuracy: 0.9, samples: 100, policy: "average(10)", seed: 2, trainSeconds: 2.5,
                                    modelHash: "hr", statement: "evaluate r", defaults: ["epochs": 10])

  static let attackNil = AttackRecord(model: "m", arch: "mlp", attack: "bim", params: ["eps": 0], dataset: "mnist", split: "test",
                                      samples: 0, asr: .nan, l2PerPixel: nil, seed: 1, queries: 0, wallSeconds: 0.25,
                                      statement: "attack bim eps=0 on m", scriptHash: "hs", modelHash: "hm", perSample: [])
  static let attackSet = AttackRecord(model: "r", arch: "resnet18", attack: "bim", params: ["eps": .number(32.0 / 255), "steps": 100],
                                      dataset: "cifar10", split: "test", samples: 2, asr: 0.25, l2PerPixel: 0.0025, seed: 2,
                                      queries: 122, wallSeconds: 1.5, statement: "attack bim on r", scriptHash: "hs", modelHash: "hr",
                                      perSample: [sampleNil, sampleSet], policy: "single", defaults: ["steps": 100])

  static let surrogateNil = SurrogateRecord(name: "s", arch: "mlp", oracle: "m", dataset: "mnist", params: ["rounds": 2], vm: 0,
                                            queries: 300, vmQueries: 0, roundSizes: [100, 200], seedImages: 100, poolImages: 900,
                                            agreement: 0.75, trainSeconds: nil, modelHash: "hs1", statement: "model s = surrogate mlp of m")
  static let surrogateSet = SurrogateRecord(name: "t", arch: "lenet", oracle: "r", dataset: "cifar10", params: [:], vm: 4,
                                            queries: 500, vmQueries: 200, roundSizes: [], seedImages: 10, poolImages: 90,
                                            agreement: 1, trainSeconds: 3.25, modelHash: "hs2", statement: "model t = surrogate lenet of r")

  static let targetBare = TransferTargetRecord(model: "m", arch: "mlp", asr: 0, queries: 0, success: [])
  static let targetFull = TransferTargetRecord(model: "r", arch: "resnet18", asr: 0.5, queries: 2, success: [1, 0], modelHash: "hr",
                                               adversarialLabels: [7, 1])

  static let transferNil = TransferRecord(source: "s", sourceArch: "mlp", attack: "fgsm", params: ["eps": 0.25], dataset: "mnist",
                                          split: "pool", samples: 0, requestedSamples: 5, attempted: 5, eligible: 4, examined: 9,
                                          sourceASR: 0, l2PerPixel: nil, sourceQueries: 5, targets: [targetBare], seed: 1,
                                          wallSeconds: 0.5, statement: "transfer fgsm from s to m", scriptHash: "hs", perSample: [])
  static let transferSet = TransferRecord(source: "t", sourceArch: "lenet", attack: "bim", params: [:], dataset: "cifar10",
                                          split: "test", samples: 2, requestedSamples: 2, attempted: 3, eligible: 2, examined: 3,
                                          sourceASR: .infinity, l2PerPixel: 0.005, sourceQueries: 60, targets: [targetBare, targetFull],
                                          seed: 2, wallSeconds: 2, statement: "transfer bim from t to m, r", scriptHash: "hs",
                                          perSample: [sampleSet, sampleNil], sourceHash: "hs2")

  static let inputData = InputRecord(path: "data/mnist", kind: "data",
                                     files: [InputRecord(path: "data/mnist/t10k-labels-idx1-ubyte.gz", kind: "file", size: 46)],
                                     statement: "load mnist from \"data/mnist\"")
  static let inputCheckpoint = InputRecord(path: "net.safetensors", kind: "checkpoint", size: 10, sha256: String(repeating: "a", count: 64),
                                           statement: "model c = load \"net.safetensors\" as mlp")
  static let inputBare = InputRecord(path: "x", kind: "file")

  static let figure = FigureRecord(figure: "bars", title: "ASR", caption: "mnist, seed 1", file: "bars.svg", statement: "plot bars")

  /// Every record kind, nested as `results.json` nests them, with nil and set optionals.
  static let full = Report(version: "0.1.0", script: "q.adv", scriptHash: "abc", models: [modelNil, modelSet],
                           results: [attackNil, attackSet], surrogates: [surrogateNil, surrogateSet],
                           transfers: [transferNil, transferSet], figures: [figure], inputs: [inputData, inputCheckpoint, inputBare])
  /// The REPL's empty report: no script.
  static let empty = Report(version: "0.1.0", script: nil, scriptHash: "")
}

/// An old `results.json`: written before `defaults`, `policy`, `adversarial_label`, surrogates,
/// transfers, figures and inputs existed, with an optional left out rather than `null`.
let oldReportJSON = #"""
{"tool": "adv", "version": "0.0.1", "script_hash": "abc",
 "models": [{"name": "m", "arch": "mlp", "dataset": "mnist", "params": {"epochs": 2}, "clean_accuracy": 0.5,
             "samples": 10, "policy": "single", "seed": 1, "model_hash": "hm", "statement": "evaluate m"}],
 "results": [{"model": "m", "arch": "mlp", "attack": "bim", "params": {"eps": 0.5}, "dataset": "mnist", "split": "test",
              "samples": 1, "asr": 1, "seed": 1, "queries": 3, "wall_seconds": 0.5, "statement": "attack bim on m",
              "script_hash": "abc", "model_hash": "hm",
              "per_sample": [{"index": 3, "label": 1, "returned": false, "success": 0, "queries": 3, "gradients": 2}]}]}
"""#

/// Black-box records and inputs written before `source_hash`, the targets' `model_hash` and
/// `adversarial_labels`, and an input's `files`; `null` where a later-added key is empty.
let oldBlackBoxJSON = #"""
{"tool": "adv", "version": "0.0.2", "script": null, "script_hash": "abc", "models": [], "results": [],
 "surrogates": [{"name": "s", "arch": "mlp", "oracle": "m", "dataset": "mnist", "params": {}, "vm": 0, "queries": 300,
                 "vm_queries": 0, "round_sizes": [100], "seed_images": 100, "pool_images": 900, "agreement": 0.75,
                 "model_hash": "hs1", "statement": "model s = surrogate mlp of m"}],
 "transfers": [{"source": "s", "source_arch": "mlp", "attack": "fgsm", "params": {}, "dataset": "mnist", "split": "pool",
                "samples": 0, "requested_samples": 5, "attempted": 5, "eligible": 4, "examined": 9, "source_asr": 0,
                "source_queries": 5, "targets": [{"model": "m", "arch": "mlp", "asr": 0, "queries": 0, "success": [],
                                                  "adversarial_labels": null}],
                "seed": 1, "wall_seconds": 0.5, "statement": "transfer fgsm from s to m", "script_hash": "abc",
                "per_sample": []}],
 "figures": null,
 "inputs": [{"path": "x", "kind": "file", "files": null}]}
"""#

@Suite("JSON shape of the records")
struct CodableShapeTests {
  @Test("results.json is byte for byte what it was: sorted keys, nil optionals as null, empty arrays and maps written")
  func pinnedText() {
    #expect(Shapes.full.json() == fullJSON + "\n")
    #expect(Shapes.empty.json() == emptyJSON + "\n")
  }

  @Test("every record reads back equal from its JSON, nil optionals and non-finite numbers included")
  func roundTrip() throws {
    #expect(try Report(json: Data(Shapes.empty.json().utf8)) == Shapes.empty)
    var back = try Report(json: Data(Shapes.full.json().utf8))
    #expect(back.json() == Shapes.full.json())
    // NaN never equals itself: compare the records without the one NaN.
    #expect(back.results[0].asr.isNaN)
    back.results[0].asr = 0
    var full = Shapes.full
    full.results[0].asr = 0
    #expect(back == full)
  }

  @Test("a report written before the later keys existed reads with them empty and its left-out optionals nil")
  func oldReport() throws {
    let report = try Report(json: Data(oldReportJSON.utf8))
    let expected = Report(version: "0.0.1", script: nil, scriptHash: "abc",
                          models: [ModelRecord(name: "m", arch: "mlp", dataset: "mnist", params: ["epochs": 2], cleanAccuracy: 0.5,
                                               samples: 10, policy: "single", seed: 1, trainSeconds: nil, modelHash: "hm",
                                               statement: "evaluate m")],
                          results: [AttackRecord(model: "m", arch: "mlp", attack: "bim", params: ["eps": 0.5], dataset: "mnist",
                                                 split: "test", samples: 1, asr: 1, l2PerPixel: nil, seed: 1, queries: 3,
                                                 wallSeconds: 0.5, statement: "attack bim on m", scriptHash: "abc", modelHash: "hm",
                                                 perSample: [SampleRecord(index: 3, label: 1, returned: false, success: 0,
                                                                          l2PerPixel: nil, queries: 3, gradients: 2)])])
    #expect(report == expected)
  }

  @Test("black-box records and inputs written before their later keys read with them empty; null reads as empty too")
  func oldBlackBox() throws {
    let report = try Report(json: Data(oldBlackBoxJSON.utf8))
    let expected = Report(version: "0.0.2", script: nil, scriptHash: "abc",
                          surrogates: [SurrogateRecord(name: "s", arch: "mlp", oracle: "m", dataset: "mnist", params: [:], vm: 0,
                                                       queries: 300, vmQueries: 0, roundSizes: [100], seedImages: 100,
                                                       poolImages: 900, agreement: 0.75, trainSeconds: nil, modelHash: "hs1",
                                                       statement: "model s = surrogate mlp of m")],
                          transfers: [TransferRecord(source: "s", sourceArch: "mlp", attack: "fgsm", params: [:], dataset: "mnist",
                                                     split: "pool", samples: 0, requestedSamples: 5, attempted: 5, eligible: 4,
                                                     examined: 9, sourceASR: 0, l2PerPixel: nil, sourceQueries: 5,
                                                     targets: [TransferTargetRecord(model: "m", arch: "mlp", asr: 0, queries: 0, success: [])],
                                                     seed: 1, wallSeconds: 0.5, statement: "transfer fgsm from s to m",
                                                     scriptHash: "abc", perSample: [])],
                          inputs: [InputRecord(path: "x", kind: "file")])
    #expect(report == expected)
  }

  @Test("a key that was always written is still required")
  func requiredKeys() throws {
    var old = try #require(try JSONSerialization.jsonObject(with: Data(oldReportJSON.utf8)) as? [String: Any])
    var model = try #require((old["models"] as? [[String: Any]])?.first)
    model["model_hash"] = nil
    old["models"] = [model]
    #expect(throws: DecodingError.self) { try Report(json: JSONSerialization.data(withJSONObject: old)) }
  }
}

/// `Shapes.full.json()` as the hand-written encoders wrote it.
let fullJSON = #"""
{
  "figures" : [
    {
      "caption" : "mnist, seed 1",
      "figure" : "bars",
      "file" : "bars.svg",
      "statement" : "plot bars",
      "title" : "ASR"
    }
  ],
  "inputs" : [
    {
      "files" : [
        {
          "files" : [

          ],
          "kind" : "file",
          "path" : "data\/mnist\/t10k-labels-idx1-ubyte.gz",
          "sha256" : null,
          "size" : 46,
          "statement" : null
        }
      ],
      "kind" : "data",
      "path" : "data\/mnist",
      "sha256" : null,
      "size" : null,
      "statement" : "load mnist from \"data\/mnist\""
    },
    {
      "files" : [

      ],
      "kind" : "checkpoint",
      "path" : "net.safetensors",
      "sha256" : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "size" : 10,
      "statement" : "model c = load \"net.safetensors\" as mlp"
    },
    {
      "files" : [

      ],
      "kind" : "file",
      "path" : "x",
      "sha256" : null,
      "size" : null,
      "statement" : null
    }
  ],
  "models" : [
    {
      "arch" : "mlp",
      "clean_accuracy" : 0.5,
      "dataset" : "mnist",
      "defaults" : {

      },
      "model_hash" : "hm",
      "name" : "m",
      "params" : {
        "epochs" : 2
      },
      "policy" : "deterministic",
      "samples" : 10,
      "seed" : 1,
      "statement" : "evaluate m",
      "train_seconds" : null
    },
    {
      "arch" : "resnet18",
      "clean_accuracy" : 0.9,
      "dataset" : "cifar10",
      "defaults" : {
        "epochs" : 10
      },
      "model_hash" : "hr",
      "name" : "r",
      "params" : {
        "epochs" : 15,
        "optimizer" : "adam"
      },
      "policy" : "average(10)",
      "samples" : 100,
      "seed" : 2,
      "statement" : "evaluate r",
      "train_seconds" : 2.5
    }
  ],
  "results" : [
    {
      "arch" : "mlp",
      "asr" : "nan",
      "attack" : "bim",
      "dataset" : "mnist",
      "defaults" : {

      },
      "l2_per_pixel" : null,
      "model" : "m",
      "model_hash" : "hm",
      "params" : {
        "eps" : 0
      },
      "per_sample" : [

      ],
      "policy" : "",
      "queries" : 0,
      "samples" : 0,
      "script_hash" : "hs",
      "seed" : 1,
      "split" : "test",
      "statement" : "attack bim eps=0 on m",
      "wall_seconds" : 0.25
    },
    {
      "arch" : "resnet18",
      "asr" : 0.25,
      "attack" : "bim",
      "dataset" : "cifar10",
      "defaults" : {
        "steps" : 100
      },
      "l2_per_pixel" : 0.0025,
      "model" : "r",
      "model_hash" : "hr",
      "params" : {
        "eps" : 0.12549019607843137,
        "steps" : 100
      },
      "per_sample" : [
        {
          "adversarial_label" : null,
          "gradients" : 100,
          "index" : 3,
          "l2_per_pixel" : null,
          "label" : 1,
          "queries" : 101,
          "returned" : false,
          "success" : 0
        },
        {
          "adversarial_label" : 7,
          "gradients" : 20,
          "index" : 4,
          "l2_per_pixel" : 0.0025,
          "label" : 2,
          "queries" : 21,
          "returned" : true,
          "success" : 0.5
        }
      ],
      "policy" : "single",
      "queries" : 122,
      "samples" : 2,
      "script_hash" : "hs",
      "seed" : 2,
      "split" : "test",
      "statement" : "attack bim on r",
      "wall_seconds" : 1.5
    }
  ],
  "script" : "q.adv",
  "script_hash" : "abc",
  "surrogates" : [
    {
      "agreement" : 0.75,
      "arch" : "mlp",
      "dataset" : "mnist",
      "model_hash" : "hs1",
      "name" : "s",
      "oracle" : "m",
      "params" : {
        "rounds" : 2
      },
      "pool_images" : 900,
      "queries" : 300,
      "round_sizes" : [
        100,
        200
      ],
      "seed_images" : 100,
      "statement" : "model s = surrogate mlp of m",
      "train_seconds" : null,
      "vm" : 0,
      "vm_queries" : 0
    },
    {
      "agreement" : 1,
      "arch" : "lenet",
      "dataset" : "cifar10",
      "model_hash" : "hs2",
      "name" : "t",
      "oracle" : "r",
      "params" : {

      },
      "pool_images" : 90,
      "queries" : 500,
      "round_sizes" : [

      ],
      "seed_images" : 10,
      "statement" : "model t = surrogate lenet of r",
      "train_seconds" : 3.25,
      "vm" : 4,
      "vm_queries" : 200
    }
  ],
  "tool" : "adv",
  "transfers" : [
    {
      "attack" : "fgsm",
      "attempted" : 5,
      "dataset" : "mnist",
      "eligible" : 4,
      "examined" : 9,
      "l2_per_pixel" : null,
      "params" : {
        "eps" : 0.25
      },
      "per_sample" : [

      ],
      "requested_samples" : 5,
      "samples" : 0,
      "script_hash" : "hs",
      "seed" : 1,
      "source" : "s",
      "source_arch" : "mlp",
      "source_asr" : 0,
      "source_hash" : "",
      "source_queries" : 5,
      "split" : "pool",
      "statement" : "transfer fgsm from s to m",
      "targets" : [
        {
          "adversarial_labels" : [

          ],
          "arch" : "mlp",
          "asr" : 0,
          "model" : "m",
          "model_hash" : "",
          "queries" : 0,
          "success" : [

          ]
        }
      ],
      "wall_seconds" : 0.5
    },
    {
      "attack" : "bim",
      "attempted" : 3,
      "dataset" : "cifar10",
      "eligible" : 2,
      "examined" : 3,
      "l2_per_pixel" : 0.005,
      "params" : {

      },
      "per_sample" : [
        {
          "adversarial_label" : 7,
          "gradients" : 20,
          "index" : 4,
          "l2_per_pixel" : 0.0025,
          "label" : 2,
          "queries" : 21,
          "returned" : true,
          "success" : 0.5
        },
        {
          "adversarial_label" : null,
          "gradients" : 100,
          "index" : 3,
          "l2_per_pixel" : null,
          "label" : 1,
          "queries" : 101,
          "returned" : false,
          "success" : 0
        }
      ],
      "requested_samples" : 2,
      "samples" : 2,
      "script_hash" : "hs",
      "seed" : 2,
      "source" : "t",
      "source_arch" : "lenet",
      "source_asr" : "inf",
      "source_hash" : "hs2",
      "source_queries" : 60,
      "split" : "test",
      "statement" : "transfer bim from t to m, r",
      "targets" : [
        {
          "adversarial_labels" : [

          ],
          "arch" : "mlp",
          "asr" : 0,
          "model" : "m",
          "model_hash" : "",
          "queries" : 0,
          "success" : [

          ]
        },
        {
          "adversarial_labels" : [
            7,
            1
          ],
          "arch" : "resnet18",
          "asr" : 0.5,
          "model" : "r",
          "model_hash" : "hr",
          "queries" : 2,
          "success" : [
            1,
            0
          ]
        }
      ],
      "wall_seconds" : 2
    }
  ],
  "version" : "0.1.0"
}
"""#

/// `Shapes.empty.json()`: the REPL's report before any statement.
let emptyJSON = #"""
{
  "figures" : [

  ],
  "inputs" : [

  ],
  "models" : [

  ],
  "results" : [

  ],
  "script" : null,
  "script_hash" : "",
  "surrogates" : [

  ],
  "tool" : "adv",
  "transfers" : [

  ],
  "version" : "0.1.0"
}
"""#
