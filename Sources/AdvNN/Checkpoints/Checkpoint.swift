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
  ///
  /// A tensor missing or of another shape is `doesNotFit`, naming the file (`missingTensor` or
  /// `shapeMismatch` for a checkpoint built in memory).
  ///
  /// The metadata is checked first: a normalisation must give one finite mean and one positive
  /// standard deviation per input channel, and a slope must be a positive number; otherwise
  /// `badMetadata`, and `net` is left as it was.
  public static func restore(_ net: Network, from st: SafeTensors) throws {
    let source = st.path ?? "the checkpoint"
    var normalization: Normalization? = nil
    if st.metadata["mean"] != nil || st.metadata["std"] != nil {
      let channels = net.inputShape.first ?? 0
      guard let n = Normalization(metadata: st.metadata["mean"], std: st.metadata["std"]), n.mean.count == channels,
            n.mean.allSatisfy(\.isFinite), n.std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw CheckpointError.badMetadata(path: source, reason: "'mean' and 'std' must give one number per input channel (\(channels)), "
          + "the deviations positive; found '\(st.metadata["mean"] ?? "")' and '\(st.metadata["std"] ?? "")'")
      }
      normalization = n
    }
    var slope: Float? = nil
    if let text = st.metadata["slope"] {
      guard let s = Float(text), s.isFinite, s > 0 else {
        throw CheckpointError.badMetadata(path: source, reason: "'slope' must be a positive number, found '\(text)'")
      }
      slope = s
    }
    do {
      try net.load(st.tensors, integers: st.integers)
    } catch let error as CheckpointError {
      throw st.path.map { CheckpointError.doesNotFit(path: $0, reason: error.description) } ?? error
    }
    net.normalization = normalization
    if let slope { net.slope = slope }
  }

  /// The `[C, H, W]` input shape and class count recorded in a checkpoint, if any.
  /// Values that cannot be a real geometry (a zero or negative size) count as unrecorded.
  public static func geometry(_ st: SafeTensors) -> (inputShape: [Int], classes: Int)? {
    guard let shape = st.metadata["input_shape"]?.split(separator: "x").compactMap({ Int($0) }), shape.count == 3,
          shape.allSatisfy({ $0 > 0 }), let classes = st.metadata["classes"].flatMap(Int.init), classes > 0 else { return nil }
    return (shape, classes)
  }
}
