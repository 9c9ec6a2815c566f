import AdvTensor
import Foundation

/// PatchCamelyon (Veeling et al. 2018): `camelyonpatch_level_2_split_{train,valid,test}_{x,y}.h5`,
/// dataset `x` N×96×96×3 uint8 and `y` N×1×1×1 uint8 (2 classes). Read lazily: labels first, then
/// only the chosen records, a chunk at a time, each reduced to 3×32×32 as the paper's models see
/// PCam (stochastic-nets.md §1): `reduce=resize` (antialiased bilinear) or `centercrop` (the
/// centre 32×32, which defines the label). The reduced patches are kept as bytes (`Split.Bytes`),
/// as PIL returns a resized 8-bit image: the whole training split (262,144 patches) takes 0.8 GB.
public enum PCam {
  public enum Reduction: String, ParamChoice { case resize, centercrop }

  /// The four files `load` opens in a directory: images and labels of the train and test splits
  /// (the `valid` split is not read). Not embedded: `load pcam` needs `from`.
  public static let files = DataFiles(
    requirements: ["train", "test"].flatMap { split in ["x", "y"].map { part in
      DataFiles.Requirement(names: ["camelyonpatch_level_2_split_\(split)_\(part).h5"])
    } },
    embedded: false,
    contents: "PCam's camelyonpatch_level_2_split_{train,test}_{x,y}.h5 files")

  /// Loads the train and test splits of `directory`, keeping stratified seeded subsets of `train`
  /// and `test` records (0: all of a split). `step` is called with a file's path before each
  /// libhdf5 step (opening a dataset, reading records): the helper process (`PCamHelper`) says
  /// there what it reads and arms its watchdog.
  public static func load(from directory: String, train: Int, test: Int, seed: UInt64,
                          reduce: Reduction = .resize, size: Int = 32, step: ((String) -> Void)? = nil) throws -> Dataset {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
      throw DataError.notFound(path: directory, hint: "point 'from' at the directory holding PCam's camelyonpatch_level_2_split_*.h5 files")
    }
    let paths = try files.paths(in: directory, holder: "the PCam directory")
    var rng = RandomStream(seed: seed, stream: 0xDA7A)
    let tr = try split("train", x: paths[0][0], y: paths[1][0], keep: train, rng: &rng, reduce: reduce, size: size, step: step)
    let te = try split("test", x: paths[2][0], y: paths[3][0], keep: test, rng: &rng, reduce: reduce, size: size, step: step)
    let origin = "pcam:" + (directory as NSString).standardizingPath + " reduce=\(reduce.rawValue) size=\(size) pixels=u8 train=\(tr.count) test=\(te.count) seed=\(seed)"
    return Dataset(name: "pcam", origin: origin, classes: 2, train: tr, test: te)
  }

  static func split(_ name: String, x: String, y: String, keep: Int, rng: inout RandomStream, reduce: Reduction,
                    size: Int, step: ((String) -> Void)?) throws -> Split {
    step?(y)
    let ys = try HDF5Dataset(path: y, name: "y")
    step?(x)
    let xs = try HDF5Dataset(path: x, name: "x")
    guard xs.dims.count == 4, xs.dims[0] > 0, xs.dims[3] == 3, xs.dims[1] >= size, xs.dims[2] >= size else {
      throw DataError.badHeader(path: xs.path, reason: "dataset 'x' has shape \(xs.dims); expected N×H×W×3 with N ≥ 1 and H, W ≥ \(size)")
    }
    guard ys.rowSize == 1 else {
      throw DataError.badHeader(path: ys.path, reason: "dataset 'y' has shape \(ys.dims); expected one label per record (N×1×1×1)")
    }
    guard ys.dims.first == xs.dims[0] else {
      throw DataError.countMismatch(images: xs.path, imageCount: xs.dims[0], labels: ys.path, labelCount: ys.dims.first ?? 0)
    }
    step?(y)
    let labels = try ys.readRows(0, count: ys.dims[0]).map(Int.init)
    if let bad = labels.firstIndex(where: { $0 > 1 }) {
      throw DataError.badLabel(path: ys.path, index: bad, value: labels[bad], classes: 2)
    }
    if keep > labels.count { throw DataError.subsetTooLarge(split: name, requested: keep, available: labels.count) }
    let chosen: [Int]
    if keep == 0 || keep == labels.count {
      chosen = Array(labels.indices)
    } else {
      chosen = Split.stratifiedPositions(labels, keep, classes: 2, rng: &rng)
    }
    let (h, w) = (xs.dims[1], xs.dims[2])
    var images = [UInt8](repeating: 0, count: chosen.count * 3 * size * size)
    let plane = 3 * size * size
    // Read runs of consecutive chosen records together, at most 512 records a read.
    var k = 0
    while k < chosen.count {
      try Interrupt.check()
      var end = k + 1
      while end < chosen.count && chosen[end] == chosen[end - 1] + 1 && end - k < 512 { end += 1 }
      step?(x)
      let bytes = try xs.readRows(chosen[k], count: end - k)
      bytes.withUnsafeBufferPointer { src in
        images.withUnsafeMutableBufferPointer { dst in
          for r in 0..<(end - k) {
            let image = UnsafeBufferPointer(rebasing: src[(r * h * w * 3)..<((r + 1) * h * w * 3)])
            switch reduce {
            case .resize:
              Resample.resize(image, h: h, w: w, c: 3, to: size, size, into: dst, offset: (k + r) * plane)
            case .centercrop:
              let top = (h - size) / 2, left = (w - size) / 2
              for ch in 0..<3 {
                for i in 0..<size {
                  for j in 0..<size {
                    dst[(k + r) * plane + (ch * size + i) * size + j] = image[((top + i) * w + left + j) * 3 + ch]
                  }
                }
              }
            }
          }
        }
      }
      k = end
    }
    return Split(bytes: Split.Bytes(shape: [chosen.count, 3, size, size], values: images),
                 labels: chosen.map { labels[$0] }, sourceIndices: chosen)
  }
}
