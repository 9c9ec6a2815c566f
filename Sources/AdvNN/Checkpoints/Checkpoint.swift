import AdvTensor
import Foundation

/// Saving and loading networks as safetensors files whose tensor names are the PyTorch
/// `state_dict` keys (torchvision's for `resnet18`, `scripts/torch_models.py`'s otherwise), so
/// weights move both ways; everything else goes into the header's `__metadata__`.
public enum Checkpoint {
  /// The safetensors contents of `net`, with `metadata` plus the architecture, its parameters,
  /// input normalisation, BSN slope and inference policy.
  public static func contents(of net: Network, metadata: [String: String] = [:]) -> SafeTensors {
    var st = SafeTensors()
    let (tensors, integers) = net.stateDict
    st.tensors = tensors
    st.integers = integers
    for name in integers.keys where name.hasSuffix("num_batches_tracked") { st.integerShapes[name] = [] }
    st.metadata = metadata
    st.metadata["arch"] = net.architecture
    st.metadata["params"] = net.params.canonicalDescription
    st.metadata["input_shape"] = net.inputShape.map(String.init).joined(separator: "x")
    st.metadata["classes"] = String(net.classes)
    st.metadata["slope"] = String(net.slope)
    st.metadata["policy"] = net.policyDescription
    if let n = net.normalization { (st.metadata["mean"], st.metadata["std"]) = n.metadata }
    return st
  }

  /// Writes `net` to `path` atomically (temporary file, then rename).
  public static func save(_ net: Network, to path: String, metadata: [String: String] = [:]) throws {
    let data = contents(of: net, metadata: metadata).serialized()
    let url = URL(fileURLWithPath: path)
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
      throw CheckpointError.unreadable(path: path, reason: "cannot create the file (check the directory exists and is writable)")
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw CheckpointError.unreadable(path: path, reason: reason)
    }
  }

  /// Restores weights, running statistics, normalisation, slope and policy into `net` (built by
  /// its architecture for the same input shape and class count).
  public static func restore(_ net: Network, from st: SafeTensors) throws {
    try net.load(st.tensors, integers: st.integers)
    net.normalization = Normalization(metadata: st.metadata["mean"], std: st.metadata["std"])
    if let s = st.metadata["slope"].flatMap(Float.init) { net.slope = s }
  }

  /// The `[C, H, W]` input shape and class count recorded in a checkpoint, if any.
  public static func geometry(_ st: SafeTensors) -> (inputShape: [Int], classes: Int)? {
    guard let shape = st.metadata["input_shape"]?.split(separator: "x").compactMap({ Int($0) }), shape.count == 3,
          let classes = st.metadata["classes"].flatMap(Int.init) else { return nil }
    return (shape, classes)
  }
}
