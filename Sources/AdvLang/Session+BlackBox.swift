import AdvAttacks
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// The black-box half of the paper: `transfer`, `model … = surrogate`, `model … = mixture`.
extension Session {
  func transfer(_ spec: ComponentSpec, _ params: Params, from source: String, to targets: [String], statement: String) throws {
    throw RuntimeError(message: "'transfer' is not built yet")
  }

  func surrogate(_ name: String, _ spec: ComponentSpec, _ params: Params, of oracle: String, statement: String) throws {
    throw RuntimeError(message: "'surrogate' is not built yet")
  }

  func mixture(_ name: String, of members: [String], params: Params, statement: String) throws {
    throw RuntimeError(message: "'mixture' is not built yet")
  }
}
