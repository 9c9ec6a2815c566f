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

  /// Writes `net` to `path` atomically (`writeAtomically`: temporary file, fsync, rename).
  public static func save(_ net: Network, to path: String, metadata: [String: String] = [:]) throws(WriteError) {
    try writeAtomically(contents(of: net, metadata: metadata).serialized(), to: path)
  }

  /// Restores weights, running statistics, normalisation and slope into `net` (built by
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
