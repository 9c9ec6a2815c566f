import AdvTensor

/// One split of a data set: images in [0, 1] as NCHW and their integer labels.
public struct Split: Sendable {
  public let images: Tensor
  public let labels: [Int]
  /// Index of each record in the original file (kept through subsetting, for reports).
  public let sourceIndices: [Int]

  public init(images: Tensor, labels: [Int], sourceIndices: [Int]? = nil) {
    precondition(images.shape[0] == labels.count)
    self.images = images
    self.labels = labels
    self.sourceIndices = sourceIndices ?? Array(0..<labels.count)
  }

  public var count: Int { labels.count }

  /// The images and labels at `indices` (positions in this split).
  public func batch(_ indices: [Int]) -> (images: Tensor, labels: [Int]) {
    (images.gather(rows: indices), indices.map { labels[$0] })
  }

  /// A stratified subset of `n` records: classes keep their proportions (largest remainders get
  /// the extra records), members drawn by `rng`; records keep their original order.
  public func stratifiedSubset(_ n: Int, classes: Int, rng: inout RandomStream) -> Split {
    var byClass = [[Int]](repeating: [], count: classes)
    for (i, y) in labels.enumerated() { byClass[y].append(i) }
    let total = Double(count)
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
    let (x, y) = batch(keep)
    return Split(images: x, labels: y, sourceIndices: keep.map { sourceIndices[$0] })
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
  public var imageShape: [Int] { Array(train.images.shape.dropFirst()) }

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
