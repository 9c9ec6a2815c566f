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
  public var size: Int?
  /// SHA-256 of the contents, 64 lower-case hex digits: for checkpoints.
  public var sha256: String?
  /// The files of a data directory that were read; empty for files.
  public var files: [InputRecord]
  /// The statement that read it (the first, when several did).
  public var statement: String?

  public init(path: String, kind: String, size: Int? = nil, sha256: String? = nil, files: [InputRecord] = [],
              statement: String? = nil) {
    self.path = path; self.kind = kind; self.size = size; self.sha256 = sha256; self.files = files
    self.statement = statement
  }

  enum CodingKeys: String, CodingKey { case path, kind, size, sha256, files, statement }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    path = try c.decode(String.self, forKey: .path)
    kind = try c.decode(String.self, forKey: .kind)
    size = try c.decodeIfPresent(Int.self, forKey: .size)
    sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
    files = try c.decodeIfPresent([InputRecord].self, forKey: .files) ?? []
    statement = try c.decodeIfPresent(String.self, forKey: .statement)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(path, forKey: .path)
    try c.encode(kind, forKey: .kind)
    try c.encode(size, forKey: .size)
    try c.encode(sha256, forKey: .sha256)
    try c.encode(files, forKey: .files)
    try c.encode(statement, forKey: .statement)
  }
}
