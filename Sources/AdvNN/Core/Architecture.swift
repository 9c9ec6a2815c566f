import AdvData
import AdvTensor

/// An architecture the language can name: its declaration and a constructor.
public protocol Architecture {
  /// Name, aliases, doc and parameters with the paper's defaults.
  static var spec: ComponentSpec { get }

  /// A freshly initialised network for images of `inputShape` (`[C, H, W]`) and `classes` outputs.
  static func make(params: Params, inputShape: [Int], classes: Int, rng: RandomStream) throws -> Network

  /// Trains `net` by the architecture's own learning rule and returns what it did, or `nil`
  /// when the architecture is trained by backpropagation (the shared trainer then runs).
  static func train(_ net: Network, on split: Split, params: Params, rng: inout RandomStream, label: String) throws -> TrainingLog?
}

extension Architecture {
  /// Backpropagation: the shared trainer handles the network.
  public static func train(_ net: Network, on split: Split, params: Params, rng: inout RandomStream,
                           label: String) throws -> TrainingLog? {
    nil
  }
}

/// Why an architecture cannot be built for a data set.
public enum ArchitectureError: Error, CustomStringConvertible {
  case unsupportedInput(architecture: String, inputShape: [Int], expected: String)

  public var description: String {
    switch self {
    case .unsupportedInput(let a, let shape, let expected):
      return "architecture '\(a)' cannot take images of shape \(shape.map(String.init).joined(separator: "x")); it expects \(expected)"
    }
  }
}
