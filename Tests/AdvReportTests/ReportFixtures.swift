import AdvReport

/// Small reports for the renderer tests; the numbers are made up but shaped like real runs.
enum Fixtures {
  static func evaluation(_ name: String, arch: String = "lenet", accuracy: Double = 0.962) -> ModelRecord {
    ModelRecord(name: name, arch: arch, dataset: "mnist", params: ["epochs": 15, "optimizer": "adam"], cleanAccuracy: accuracy,
                samples: 1000, policy: "deterministic", seed: 7, trainSeconds: 2.5, modelHash: "h-\(name)",
                statement: "evaluate \(name)")
  }

  /// BIM's declared defaults of the parameters the fixtures record.
  static let bimDefaults: [String: ReportValue] = ["eps": .number(32.0 / 255), "steps": 100, "launches": 100]

  static func bim(on model: String, eps: Double, asr: Double, l2: Double?, queries: Int = 2100,
                  seconds: Double = 0.31, dataset: String = "mnist", arch: String = "lenet",
                  policy: String = "deterministic") -> AttackRecord {
    let samples = l2 == nil
      ? [SampleRecord(index: 3, label: 1, returned: false, success: 0, l2PerPixel: nil, queries: 101, gradients: 100)]
      : [SampleRecord(index: 3, label: 1, returned: true, success: 1, l2PerPixel: l2, queries: 21, gradients: 20,
                      adversarialLabel: 7)]
    return AttackRecord(model: model, arch: arch, attack: "bim", params: ["eps": .number(eps), "steps": 100, "launches": 100],
                        dataset: dataset, split: "test", samples: 100, asr: asr, l2PerPixel: l2, seed: 7,
                        queries: queries, wallSeconds: seconds, statement: "attack bim on \(model)",
                        scriptHash: "abc", modelHash: "h-\(model)", perSample: samples, policy: policy,
                        defaults: bimDefaults)
  }

  /// One model, attacked by BIM at 32/255 and at 0 (where no sample returns an image).
  static var oneModel: Report {
    Report(version: "0.1.0", script: "q.adv", scriptHash: "abc", models: [evaluation("net")],
           results: [bim(on: "net", eps: 32.0 / 255, asr: 0.64, l2: 0.0024561),
                     bim(on: "net", eps: 0, asr: 0, l2: nil, queries: 10100, seconds: 1.0)])
  }

  /// Two models, BIM at two budgets on both, the stronger one first.
  static var twoModels: Report {
    Report(version: "0.1.0", script: "q.adv", scriptHash: "abc",
           models: [evaluation("r18", arch: "resnet18", accuracy: 0.988), evaluation("bsnL", arch: "bsn-l", accuracy: 0.99)],
           results: [bim(on: "r18", eps: 32.0 / 255, asr: 1, l2: 0.0031, arch: "resnet18"),
                     bim(on: "bsnL", eps: 32.0 / 255, asr: 0.42, l2: 0.00283, arch: "bsn-l"),
                     bim(on: "r18", eps: 8.0 / 255, asr: 0.5, l2: 0.00061, arch: "resnet18"),
                     bim(on: "bsnL", eps: 8.0 / 255, asr: 0.02, l2: nil, arch: "bsn-l")])
  }
}
