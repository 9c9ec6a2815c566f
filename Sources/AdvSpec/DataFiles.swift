/// The files a data set's reader opens in the directory that `load DATASET from "DIR"` names.
///
/// Each reader finds its files with `locate(in:isFile:)`, and the checker asks the same question
/// of the file system before anything runs, so the two cannot disagree about what a data
/// directory must hold.
public struct DataFiles: Sendable, Hashable {
  /// One file the reader needs, which may go by several names.
  public struct Requirement: Sendable, Hashable {
    /// The names it may have, in the order the reader tries them.
    public let names: [String]
    /// How messages name it: `'t10k-labels-idx1-ubyte' (plain or .gz)`.
    public let label: String
    /// The reader opens every name present, and at least one must be (CIFAR-10's training
    /// batches); otherwise it opens the first name present.
    public let readsEvery: Bool

    public init(names: [String], label: String? = nil, readsEvery: Bool = false) {
      precondition(!names.isEmpty, "a data file requirement names at least one file")
      self.names = names
      self.label = label ?? "'\(names[0])'"
      self.readsEvery = readsEvery
    }
  }

  /// The requirements, in the order the reader reads them.
  public let requirements: [Requirement]
  /// `load DATASET` without `from` reads data shipped inside adv (the embedded MNIST subset).
  public let embedded: Bool
  /// What the directory must hold, for messages: "MNIST's four IDX files (…)".
  public let contents: String

  public init(requirements: [Requirement], embedded: Bool, contents: String) {
    self.requirements = requirements
    self.embedded = embedded
    self.contents = contents
  }

  /// The requirements that no file of a directory meets.
  public struct Missing: Error, Sendable, Hashable {
    public let requirements: [Requirement]
  }

  /// The paths to read in `directory`, one list per requirement (one path, or every present
  /// one for a `readsEvery` requirement); or every requirement that no file there meets.
  /// `isFile` says whether a path is a regular file (following symbolic links).
  public func locate(in directory: String, isFile: (String) -> Bool) -> Result<[[String]], Missing> {
    var found: [[String]] = []
    var missing: [Requirement] = []
    for requirement in requirements {
      let present = requirement.names.map { DataFiles.join(directory, $0) }.filter(isFile)
      if present.isEmpty {
        missing.append(requirement)
      } else {
        found.append(requirement.readsEvery ? present : [present[0]])
      }
    }
    return missing.isEmpty ? .success(found) : .failure(Missing(requirements: missing))
  }

  /// `directory/name`, without doubling a trailing slash.
  public static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }
}
