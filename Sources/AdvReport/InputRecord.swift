/// One path a script read (`load … from`, `model … = load`), as `results.json`'s top-level
/// `inputs` lists it, so a run records which data and weights it saw.
///
/// A checkpoint is a file: its size and SHA-256. A data directory lists the files its reader
/// opened, each with its size (no hash: a data set's files can take gigabytes, and the models'
/// records already carry the data set's fingerprint).
public struct InputRecord: Codable, Sendable, Equatable {
  /// As read: the script's path, resolved as the session resolved it.
  public var path: String
  /// `checkpoint`, `data` (a data directory) or `file` (one of a data directory's files).
  public var kind: String
  /// Bytes, for files.
  @NullEncoded public var size: Int?
  /// SHA-256 of the contents, 64 lower-case hex digits: for checkpoints.
  @NullEncoded public var sha256: String?
  /// The files of a data directory that were read; empty for files.
  @DefaultEmpty public var files: [InputRecord]
  /// The statement that read it (the first, when several did).
  @NullEncoded public var statement: String?

  public init(path: String, kind: String, size: Int? = nil, sha256: String? = nil, files: [InputRecord] = [],
              statement: String? = nil) {
    self.path = path; self.kind = kind; self.size = size; self.sha256 = sha256; self.files = files
    self.statement = statement
  }

  enum CodingKeys: String, CodingKey { case path, kind, size, sha256, files, statement }
}
