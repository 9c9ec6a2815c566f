import AdvTensor

/// One split of a data set: images in [0, 1] as NCHW and their integer labels.
///
/// The pixels are kept as floats, or — for splits too large to hold as floats, such as PCam's
/// 262,144 training patches (3.2 GB as floats, 0.8 GB as bytes) — as the 8-bit values `v` the
/// files store, standing for `v / 255`. Training and attacks take rows through `batch(_:)` and
/// `rows(_:)`, which convert only the rows asked for; `images` converts the whole split.
public struct Split: Sendable {
  /// 8-bit pixels of an NCHW split, each standing for `value / 255`.
  public struct Bytes: Sendable {
    public let shape: [Int]
    public let values: [UInt8]

    public init(shape: [Int], values: [UInt8]) {
      precondition(values.count == shape.reduce(1, *), "\(values.count) bytes for shape \(shape)")
      self.shape = shape
      self.values = values
    }
  }

  enum Pixels: Sendable {
    case float(Tensor)
    case bytes(Bytes)
  }

  let pixels: Pixels
  public let labels: [Int]
  /// Index of each record in the original file (kept through subsetting, for reports).
  public let sourceIndices: [Int]

  public init(images: Tensor, labels: [Int], sourceIndices: [Int]? = nil) {
    self.init(pixels: .float(images), labels: labels, sourceIndices: sourceIndices)
  }

  public init(bytes: Bytes, labels: [Int], sourceIndices: [Int]? = nil) {
    self.init(pixels: .bytes(bytes), labels: labels, sourceIndices: sourceIndices)
  }

  init(pixels: Pixels, labels: [Int], sourceIndices: [Int]? = nil) {
    self.pixels = pixels
    self.labels = labels
    self.sourceIndices = sourceIndices ?? Array(0..<labels.count)
    precondition(shape[0] == labels.count)
  }

  public var count: Int { labels.count }

  /// Rows converted at a time where a byte split is read whole (statistics, accuracy): 4,096
  /// PCam-sized images are 50 MB of floats.
  public static let conversionRows = 4096

  /// `[N, C, H, W]`.
  public var shape: [Int] {
    switch pixels {
    case .float(let t): return t.shape
    case .bytes(let b): return b.shape
    }
  }

  /// The 8-bit pixels, when the split keeps them as bytes.
  public var bytes: Bytes? {
    if case .bytes(let b) = pixels { return b }
    return nil
  }

  /// The whole split as floats (a conversion when the split keeps bytes: prefer `rows(_:)` or
  /// `batch(_:)` on large splits).
  public var images: Tensor {
    switch pixels {
    case .float(let t): return t
    case .bytes: return rows(0..<count)
    }
  }

  /// Rows `range`, as floats.
  public func rows(_ range: Range<Int>) -> Tensor {
    switch pixels {
    case .float(let t): return t.slice(range)
    case .bytes: return gather(Array(range))
    }
  }

  /// The images and labels at `indices` (positions in this split).
  public func batch(_ indices: [Int]) -> (images: Tensor, labels: [Int]) {
    (gather(indices), indices.map { labels[$0] })
  }

  func gather(_ indices: [Int]) -> Tensor {
    switch pixels {
    case .float(let t):
      return t.gather(rows: indices)
    case .bytes(let b):
      let inner = b.shape.dropFirst().reduce(1, *)
      var out = Tensor(uninitialized: [indices.count] + b.shape.dropFirst())
      out.withUnsafeMutableBufferPointer { dst in
        b.values.withUnsafeBufferPointer { src in
          for (k, i) in indices.enumerated() {
            precondition(i >= 0 && i < b.shape[0], "row \(i) out of range 0..<\(b.shape[0])")
            for j in 0..<inner { dst[k * inner + j] = Float(src[i * inner + j]) / 255 }
          }
        }
      }
      return out
    }
  }

  /// The records at `indices` as a split of the same kind (bytes stay bytes).
  public func selecting(_ indices: [Int]) -> Split {
    let labels = indices.map { self.labels[$0] }, sources = indices.map { sourceIndices[$0] }
    switch pixels {
    case .float(let t):
      return Split(images: t.gather(rows: indices), labels: labels, sourceIndices: sources)
    case .bytes(let b):
      let inner = b.shape.dropFirst().reduce(1, *)
      var values = [UInt8](repeating: 0, count: indices.count * inner)
      values.withUnsafeMutableBufferPointer { dst in
        b.values.withUnsafeBufferPointer { src in
          for (k, i) in indices.enumerated() {
            _ = UnsafeMutableBufferPointer(rebasing: dst[(k * inner)..<((k + 1) * inner)])
              .initialize(from: src[(i * inner)..<((i + 1) * inner)])
          }
        }
      }
      return Split(bytes: Bytes(shape: [indices.count] + b.shape.dropFirst(), values: values), labels: labels,
                   sourceIndices: sources)
    }
  }

  /// A stratified subset of `n` records: classes keep their proportions (largest remainders get
  /// the extra records), members drawn by `rng`; records keep their original order.
  public func stratifiedSubset(_ n: Int, classes: Int, rng: inout RandomStream) -> Split {
    selecting(Self.stratifiedPositions(labels, n, classes: classes, rng: &rng))
  }

  /// The positions `stratifiedSubset` keeps, in order.
  static func stratifiedPositions(_ labels: [Int], _ n: Int, classes: Int, rng: inout RandomStream) -> [Int] {
    var byClass = [[Int]](repeating: [], count: classes)
    for (i, y) in labels.enumerated() { byClass[y].append(i) }
    let total = Double(labels.count)
    var quota = byClass.map { Int(Double($0.count) * Double(n) / total) }
    var remainders = byClass.enumerated().map { ($0.offset, Double($0.element.count) * Double(n) / total - Double(quota[$0.offset])) }
    remainders.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    var missing = n - quota.reduce(0, +)
    for (c, _) in remainders where missing > 0 && quota[c] < byClass[c].count {
      quota[c] += 1
      missing -= 1
    }
    var keep: [Int] = []
    for c in 0..<classes {
      let order = rng.permutation(byClass[c].count)
      keep += order.prefix(quota[c]).map { byClass[c][$0] }
    }
    keep.sort()
    return keep
  }
}

/// A loaded data set: its declaration name, a description of where it came from (part of every
/// model's cache key), class count and both splits.
public struct Dataset: Sendable {
  public let name: String
  public let origin: String
  public let classes: Int
  public let train: Split
  public let test: Split

  public init(name: String, origin: String, classes: Int, train: Split, test: Split) {
    self.name = name
    self.origin = origin
    self.classes = classes
    self.train = train
    self.test = test
  }

  /// Input shape of one image, `[C, H, W]`.
  public var imageShape: [Int] { Array(train.shape.dropFirst()) }

  /// A text that identifies this data set's contents for cache keys and reports.
  public var fingerprint: String { "\(name)|\(origin)|train=\(train.count)|test=\(test.count)" }

  /// Keeps stratified, seeded subsets of the splits (0 keeps a split whole).
  public func subset(train nTrain: Int, test nTest: Int, seed: UInt64) throws -> Dataset {
    var rng = RandomStream(seed: seed, stream: 0xDA7A)
    if nTrain > train.count { throw DataError.subsetTooLarge(split: "train", requested: nTrain, available: train.count) }
    if nTest > test.count { throw DataError.subsetTooLarge(split: "test", requested: nTest, available: test.count) }
    let tr = nTrain == 0 || nTrain == train.count ? train : train.stratifiedSubset(nTrain, classes: classes, rng: &rng)
    let te = nTest == 0 || nTest == test.count ? test : test.stratifiedSubset(nTest, classes: classes, rng: &rng)
    let suffix = (nTrain > 0 || nTest > 0) ? " subset(train=\(tr.count),test=\(te.count),seed=\(seed))" : ""
    return Dataset(name: name, origin: origin + suffix, classes: classes, train: tr, test: te)
  }
}
