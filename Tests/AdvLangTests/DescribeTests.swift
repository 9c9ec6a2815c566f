import AdvLang
import AdvNN
import Foundation
import Testing

/// `describe MODEL`, declared in one file (`Statements/Describe.swift`): parsed, checked,
/// completed, documented and run from that declaration.
final class DescribeTests {
  let work = FileManager.default.temporaryDirectory.appendingPathComponent("adv-describe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  deinit { try? FileManager.default.removeItem(atPath: work) }

  func run(cache: Bool) throws -> [String] {
    let url = try #require(Bundle.module.url(forResource: "Runs/describe", withExtension: "adv"))
    let text = try String(contentsOf: url, encoding: .utf8)
    var printed: [String] = []
    let session = Session(scriptName: url.path, scriptText: text, outputDirectory: work + "/out",
                          cache: cache ? ModelCache(directory: work + "/cache") : nil,
                          output: SessionOutput(print: { printed.append($0) }, warn: { printed.append("warning: " + $0) }))
    let steps = try session.checker.check(AdvLang.SourceFile(name: url.path, text: text)).get()
    try session.run(steps, file: url.path)
    #expect(session.report.results.isEmpty && session.report.models.count == 1, "describe records nothing")
    return printed
  }

  /// The lines `describe NAME` printed, the first naming the model.
  func described(_ name: String, in printed: [String], occurrence: Int = 0) throws -> [String] {
    let starts = printed.indices.filter { printed[$0].hasPrefix("\(name): ") && !printed[$0].contains("clean accuracy") }
    let start = try #require(starts.dropFirst(occurrence).first, "no 'describe \(name)' in \(printed)")
    return Array(printed[start...].prefix { $0 == printed[start] || $0.hasPrefix("  ") })
  }

  @Test("describe shows the architecture, parameters, data, policy, accuracy, changed settings and origin")
  func describesModels() throws {
    let printed = try run(cache: true)
    let before = try described("net", in: printed)
    #expect(before[0].hasPrefix("net: mlp, ") && before[0].hasSuffix(" parameters"))
    #expect(before.contains("  data set: mnist, 300 train / 100 test images of 1x28x28, 10 classes"))
    #expect(before.contains("  policy: deterministic"))
    #expect(before.contains("  clean accuracy: not measured yet ('evaluate net' measures it)"))
    #expect(before.contains("  settings changed from the defaults: epochs=1 lr=0.002"))
    #expect(before.contains { $0.hasPrefix("  origin: trained in ") })
    let after = try described("net", in: printed, occurrence: 1)
    #expect(after.contains { $0.hasPrefix("  clean accuracy: 0.") && $0.hasSuffix("on 100 test images (evaluate net)") })
    let mix = try described("mix", in: printed)
    #expect(mix[0] == "mix: mixture, 2 members")
    #expect(mix.contains("  origin: a mixture of net, other"))
    let back = try described("back", in: printed)
    #expect(back.contains { $0.hasPrefix("  origin: loaded from ") && $0.contains("net.safetensors (sha256 ") })
    // A second run takes the trained models from the cache and says so.
    let again = try described("net", in: try run(cache: true))
    #expect(again.contains("  origin: taken from the model cache (trained by an earlier run)"))
  }

  @Test("describe is checked, completed and documented from its declaration")
  func declaration() {
    var checker = Checker(vocabulary: .standard)
    guard case .failure(let failure) = checker.check("load mnist\ndescribe nett") else {
      Issue.record("an unknown model checked")
      return
    }
    #expect(failure.diagnostics.map(\.message) == ["unknown model 'nett'"])
    #expect(helpText(topic: "describe", vocabulary: .standard)?.hasPrefix("describe MODEL\n") == true)
    let context = CompletionContext(vocabulary: .standard, models: ["net"])
    #expect(Completer.complete("desc", in: context) == .words(["describe"]))
    #expect(Completer.complete("describe ", in: context) == .words(["net"]))
  }
}
