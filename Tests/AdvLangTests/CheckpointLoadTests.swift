import AdvLang
import AdvNN
import AdvSpec
import AdvTensor
import Foundation
import Testing

/// `model … = load "FILE"` on damaged checkpoints: the recorded geometry is compared with the
/// loaded data before a network is built for it, and every error names the file.
@Suite("loading damaged checkpoints")
final class CheckpointLoadTests {
  let work = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-ckpt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  var errors: [String] = []

  deinit { try? FileManager.default.removeItem(atPath: work) }

  func run(_ text: String) -> RunOutcome {
    let session = Session(scriptName: "t", scriptText: nil, outputDirectory: work + "/out", cache: nil,
                          output: SessionOutput(print: { _ in }, warn: { _ in }))
    return Runner(session: session, errors: { [unowned self] in self.errors.append($0) }).checkAndRun(SourceFile(name: "t.adv", text: text))
  }

  /// A LeNet checkpoint with `metadata` changed.
  func checkpoint(_ metadata: [String: String], dropping: String? = nil) throws -> String {
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let arch = try #require(Architectures.named("lenet"))
    let net = try arch.make(params: Params(spec: arch.spec, given: [:], dataset: "mnist"), inputShape: [1, 28, 28], classes: 10,
                            rng: RandomStream(seed: 1, stream: 1))
    var st = Checkpoint.contents(of: net)
    for (k, v) in metadata { st.metadata[k] = v }
    if let dropping { st.tensors[dropping] = nil }
    let path = work + "/net.safetensors"
    try st.serialized().write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test("a checkpoint claiming images of 100000x100000 pixels is refused before a network is built for them")
  func hugeGeometry() throws {
    let path = try checkpoint(["input_shape": "3x100000x100000"])
    #expect(run("load mnist train=100 test=50\nmodel x = load \"\(path)\" as lenet\n") == .failed)
    #expect(errors.last?.contains("'\(path)' takes 3x100000x100000 images and 10 classes, but the loaded data set has 1x28x28 and 10") == true,
            "\(errors)")
  }

  @Test("a checkpoint without a tensor of the architecture names the file")
  func missingTensor() throws {
    let path = try checkpoint([:], dropping: "conv1.weight")
    #expect(run("load mnist train=100 test=50\nmodel x = load \"\(path)\" as lenet\n") == .failed)
    #expect(errors.last?.contains("'\(path)' does not fit the network: the checkpoint has no tensor 'conv1.weight'") == true, "\(errors)")
  }
}
