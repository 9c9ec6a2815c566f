/// Errors a user can cause when loading data: each names the file and suggests a fix.
public enum DataError: Error, Equatable, Codable, CustomStringConvertible {
  case notFound(path: String, hint: String)
  case unreadable(path: String, reason: String)
  case badMagic(path: String, found: UInt32, expected: UInt32)
  case truncated(path: String, expectedBytes: Int, foundBytes: Int)
  case badHeader(path: String, reason: String)
  case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
  case badLabel(path: String, index: Int, value: Int, classes: Int)
  case subsetTooLarge(split: String, requested: Int, available: Int)
  case missingResource(String)

  public var description: String {
    switch self {
    case .notFound(let path, let hint):
      return "cannot find '\(path)'; \(hint)"
    case .unreadable(let path, let reason):
      return "cannot read '\(path)': \(reason)"
    case .badMagic(let path, let found, let expected):
      return "'\(path)' is not an IDX file of the expected kind: magic number 0x\(String(found, radix: 16, uppercase: true)), expected 0x\(String(expected, radix: 16, uppercase: true))"
        + "; check that images and labels files are not swapped and that the file is MNIST's IDX format"
    case .truncated(let path, let expected, let found):
      return "'\(path)' is truncated: its header promises \(expected) bytes of data, found \(found); download the file again"
    case .badHeader(let path, let reason):
      return "'\(path)' has a malformed header: \(reason)"
    case .countMismatch(let images, let ni, let labels, let nl):
      return "'\(images)' holds \(ni) images but '\(labels)' holds \(nl) labels; use files from the same split"
    case .badLabel(let path, let index, let value, let classes):
      return "'\(path)': label \(value) at record \(index) is outside 0...\(classes - 1)"
    case .subsetTooLarge(let split, let requested, let available):
      return "'\(split)=\(requested)' asks for more images than the \(split) split holds (\(available)); use \(split)=\(available) or less"
    case .missingResource(let name):
      return "the embedded data set '\(name)' is missing from this build; rebuild adv or use 'load mnist from \"DIR\"'"
    }
  }
}
