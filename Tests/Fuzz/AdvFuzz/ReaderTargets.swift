import AdvAttacks
import AdvData
import AdvNN
import AdvSpec
import AdvTensor
import CHDF5
import CZlib
import Foundation

extension DataError: ReaderError {}
extension CheckpointError: ReaderError {}
extension AdversarialFileError: ReaderError {}

/// The file readers on mutated real files. An input is one byte naming the file of the data
/// set it replaces (its role), then that file's bytes; the other files stay valid.
///
/// Seeds are real data: the first images of the embedded MNIST subset, the CIFAR-10 sample
/// batches of the tests, PCam files in the real layout (written through libhdf5 from MNIST
/// digits), a PyTorch-written safetensors fixture, a cache entry and an adversarials file of
/// a LeNet. A reader must end each input with success or one error of its type naming the
/// file; a crash, a hang or an allocation beyond what the file can hold (the driver caps the
/// process's memory) is a finding.
public class ReaderFuzzer: FuzzTarget {
  public let name: String
  /// Per role: the file name in `directory` and the valid seed bytes.
  let files: [(name: String, seed: [UInt8])]
  /// Offsets of each role's size fields, where integer mutations aim.
  let fields: [[Int]]
  let directory: String

  init(name: String, files: [(String, [UInt8])], fields: [[Int]]) throws {
    self.name = name
    self.files = files
    self.fields = fields
    directory = NSTemporaryDirectory() + "adv-fuzz-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    restore()
  }

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func path(_ role: Int) -> String { directory + "/" + files[role].name }

  public func recover() { restore() }

  /// Writes every valid file back.
  func restore() {
    for role in files.indices { write(files[role].seed, to: path(role)) }
  }

  func write(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
  }

  public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    let role = rng.int(0..<files.count)
    return [UInt8(role)] + Mutator.mutateBytes(files[role].seed, fields: fields[role], rng: &rng)
  }

  /// Writes the input's file over its role's, reads, judges, then writes the valid file back.
  public func run(_ input: [UInt8]) -> Finding? {
    guard let first = input.first else { return nil }
    let role = Int(first) % files.count
    let file = path(role)
    write(Array(input.dropFirst()), to: file)
    defer { write(files[role].seed, to: file) }
    return judge(name, input, path: file) { try read(role: role) }
  }

  /// Reads the data set, checkpoint or file as `adv` does.
  func read(role: Int) throws {}

  public var isolated: Bool { false }
  public var survivedLibrary: String? { nil }
}

/// MNIST's four IDX files, plain or gzip (roles 4–7 are the gzip files; a gzip role's bytes are
/// a mutated plain file compressed, or a mutated compressed file).
public final class IDXFuzzer: ReaderFuzzer {
  public init() throws {
    let source = repositoryRoot.appendingPathComponent("Sources/AdvData/Resources/mnist-5k").path
    func first(_ stem: String, _ n: Int, rowBytes: Int) throws -> [UInt8] {
      let whole = try gunzip(source + "/" + stem + ".gz")
      let rank = Int(whole[3])
      var out = Array(whole[0..<(4 + 4 * rank)])
      out[4...7] = [0, 0, 0, UInt8(n)]
      out += whole[(4 + 4 * rank)..<(4 + 4 * rank + n * rowBytes)]
      return out
    }
    let plain = [try first("train-images-idx3-ubyte", 12, rowBytes: 784), try first("train-labels-idx1-ubyte", 12, rowBytes: 1),
                 try first("t10k-images-idx3-ubyte", 6, rowBytes: 784), try first("t10k-labels-idx1-ubyte", 6, rowBytes: 1)]
    let names = MNISTNames.stems
    try super.init(name: "idx", files: zip(names, plain).map { ($0, $1) } + zip(names, plain).map { ($0 + ".gz", gzip($1)) },
                   fields: [[0, 4, 8, 12], [0, 4], [0, 4, 8, 12], [0, 4]] + Array(repeating: [10, 20, 30], count: 4))
    for role in 4..<8 { try? FileManager.default.removeItem(atPath: path(role)) }
  }

  override public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    let role = rng.int(0..<8)
    if role >= 4 && rng.chance(0.6) {
      // Damaged content in an intact gzip stream.
      return [UInt8(role)] + gzip(Mutator.mutateBytes(files[role - 4].seed, fields: fields[role - 4], rng: &rng))
    }
    return [UInt8(role)] + Mutator.mutateBytes(files[role].seed, fields: fields[role], rng: &rng)
  }

  override public func run(_ input: [UInt8]) -> Finding? {
    guard let first = input.first else { return nil }
    let role = Int(first) % files.count
    guard role >= 4 else { return super.run(input) }
    // A gzip file is read only when the plain one is absent.
    let plain = path(role - 4)
    try? FileManager.default.removeItem(atPath: plain)
    defer {
      try? FileManager.default.removeItem(atPath: path(role))
      write(files[role - 4].seed, to: plain)
    }
    write(Array(input.dropFirst()), to: path(role))
    return judge(name, input, path: path(role)) { try read(role: role) }
  }

  override func read(role: Int) throws { _ = try MNIST.load(from: directory) }
}

enum MNISTNames {
  static let stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
}

/// CIFAR-10's binary batches: four records of `data_batch_1.bin`, two of `test_batch.bin`.
public final class CIFARFuzzer: ReaderFuzzer {
  public init() throws {
    let source = repositoryRoot.appendingPathComponent("Tests/AdvDataTests/Fixtures/cifar10-sample").path
    let train = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source + "/data_batch_1.bin")).prefix(4 * 3073))
    let test = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source + "/test_batch.bin")).prefix(2 * 3073))
    try super.init(name: "cifar10", files: [("data_batch_1.bin", train), ("test_batch.bin", test)],
                   fields: [[0, 3073, 6146, 9219], [0, 3073]])
  }

  override func read(role: Int) throws { _ = try CIFAR10.load(from: directory) }
}

/// PCam's four HDF5 files in the real layout (`x` N×96×96×3, `y` N×1×1×1, unsigned bytes),
/// three training and two test records made of MNIST digits. Mutations aim at the first two
/// kilobytes, where libhdf5 keeps the superblock and the datasets' headers (shapes, types,
/// where the data is). Isolated: libhdf5 itself may crash on a damaged file.
public final class HDF5Fuzzer: ReaderFuzzer {
  public init() throws {
    // One directory per instance: test cases build fuzzers in parallel in one process.
    let scratch = NSTemporaryDirectory() + "adv-fuzz-hdf5-seed-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let digits = try gunzip(repositoryRoot.appendingPathComponent("Sources/AdvData/Resources/mnist-5k/t10k-images-idx3-ubyte.gz").path)
    func x(_ n: Int) -> [UInt8] {
      var out = [UInt8](repeating: 0, count: n * 96 * 96 * 3)
      for i in 0..<n { for r in 0..<96 { for q in 0..<96 { for c in 0..<3 {
        out[((i * 96 + r) * 96 + q) * 3 + c] = digits[16 + i * 784 + (r * 28 / 96) * 28 + q * 28 / 96]
      } } } }
      return out
    }
    var files: [(String, [UInt8])] = []
    for (split, n) in [("train", 3), ("test", 2)] {
      for (part, dims, values) in [("x", [n, 96, 96, 3], x(n)), ("y", [n, 1, 1, 1], (0..<n).map { UInt8($0 % 2) })] {
        let name = "camelyonpatch_level_2_split_\(split)_\(part).h5"
        try HDF5Dataset.write(path: scratch + "/" + name, name: part, dims: dims, values: values)
        files.append((name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch + "/" + name)))))
      }
    }
    let header = Array(stride(from: 0, to: 2048, by: 8))
    try super.init(name: "hdf5", files: files, fields: Array(repeating: header, count: 4))
  }

  override public var isolated: Bool { true }
  override public var survivedLibrary: String? { "libhdf5" }

  override public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    let role = rng.int(0..<files.count)
    // A third: a well-formed file whose dataset claims another shape or type (no data written).
    if rng.chance(0.3) { return [UInt8(role)] + claimingFile(role: role, rng: &rng) }
    var bytes = files[role].seed
    for _ in 0..<rng.size(upTo: 4) {
      bytes = Mutator.mutateBytes(bytes, fields: fields[role], rng: &rng)
      if rng.chance(0.7) {
        // Byte flips in the metadata rather than the pixels.
        let i = rng.int(0..<min(2048, max(1, bytes.count)))
        if i < bytes.count { bytes[i] ^= UInt8(1) << UInt8(rng.int(0..<8)) }
      }
    }
    return [UInt8(role)] + bytes
  }

  /// A valid HDF5 file with the role's dataset name and a random shape and type, the space
  /// never written: its size claims are all the reader has.
  func claimingFile(role: Int, rng: inout FuzzRandom) -> [UInt8] {
    let scratch = directory + "/claim.h5"
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    _ = adv_h5_quiet()
    let file = H5Fcreate(scratch, adv_h5f_acc_trunc(), adv_h5p_default(), adv_h5p_default())
    guard file >= 0 else { return files[role].seed }
    let rank = rng.pick([0, 1, 2, 4, 4, 4, 5])
    var dims: [hsize_t] = (0..<rank).map { _ in
      hsize_t(rng.pick([0, 1, 2, 3, 32, 96, 100_000, 1 << 31, 1 << 40, 1 << 50] as [UInt64]))
    }
    if rank == 4 && rng.chance(0.5) { dims[3] = 3 }
    let space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(rank), dims, nil)
    let type = rng.pick([adv_h5t_native_uchar(), adv_h5t_native_uchar(), H5T_NATIVE_INT_g, H5T_NATIVE_FLOAT_g, H5T_NATIVE_SCHAR_g])
    let name = files[role].name.hasSuffix("_x.h5") ? "x" : "y"
    let dataset = H5Dcreate2(file, name, type, space, adv_h5p_default(), adv_h5p_default(), adv_h5p_default())
    if dataset >= 0 { H5Dclose(dataset) }
    H5Sclose(space)
    H5Fclose(file)
    return (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch)))) ?? files[role].seed
  }

  override func read(role: Int) throws {
    // A fault for the tests: `ADV_FUZZ_FAULT=segv` dereferences a bad pointer here, in our
    // code, which must stay a finding although the target survives libhdf5's own crashes.
    if ProcessInfo.processInfo.environment["ADV_FUZZ_FAULT"] == "segv" {
      UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1
    }
    _ = try PCam.load(from: directory, train: 0, test: 0, seed: 1)
  }
}

/// The safetensors reader on a PyTorch-written file and on a checkpoint of ours. Besides byte
/// mutations, the JSON header is edited: numbers, dtypes and keys replaced, nesting added,
/// the header length rewritten to fit (or not).
public final class SafeTensorsFuzzer: ReaderFuzzer {
  public convenience init() throws {
    let pytorch = [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/AdvNNTests/Fixtures/resnet18-formula.safetensors")))
    try self.init(name: "safetensors", files: [("pytorch.safetensors", pytorch), ("lenet.safetensors", try lenetCheckpoint())])
  }

  init(name: String, files: [(String, [UInt8])]) throws {
    try super.init(name: name, files: files, fields: Array(repeating: [0, 4], count: files.count))
  }

  override public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    let role = rng.int(0..<files.count)
    let seed = files[role].seed
    guard rng.chance(0.6) else { return [UInt8(role)] + Mutator.mutateBytes(seed, fields: [0, 4], rng: &rng) }
    return [UInt8(role)] + mutateHeader(seed, rng: &rng)
  }

  /// Edits the JSON header as text, then (mostly) rewrites the 8-byte length to match.
  func mutateHeader(_ file: [UInt8], rng: inout FuzzRandom) -> [UInt8] {
    var length = 0
    for i in 0..<8 { length |= Int(file[i]) << (8 * i) }
    var json = Array(file[8..<(8 + length)])
    let body = Array(file[(8 + length)...])
    for _ in 0..<rng.size(upTo: 4) {
      let text = String(decoding: json, as: UTF8.self)
      let numbers = text.ranges(of: #/-?[0-9]+(\.[0-9]+)?/#)
      switch rng.int(0..<8) {
      case 0...2 where !numbers.isEmpty:
        let replacement = rng.pick(["-1", "0", "1", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
                                    "18446744073709551615", "4294967296", "1e30", "1.5", "-0", "3073", "\(rng.int(0...100_000))"])
        json = Array(text.replacingCharacters(in: rng.pick(numbers), with: replacement).utf8)
      case 3:
        let dtypes = text.ranges(of: #/"(F32|I64)"/#)
        if !dtypes.isEmpty {
          json = Array(text.replacingCharacters(in: rng.pick(dtypes), with: rng.pick(["\"F16\"", "\"BF16\"", "\"I8\"", "\"BOOL\"", "\"\"", "3", "null", "\"F64\"", "\"I64\"", "\"F32\""])).utf8)
        }
      case 4:
        let keys = text.ranges(of: #/"(shape|data_offsets|dtype|__metadata__)"/#)
        if !keys.isEmpty { json = Array(text.replacingCharacters(in: rng.pick(keys), with: rng.pick(["\"x\"", "\"shape\"", "\"dtype\""])).utf8) }
      case 5:
        let at = rng.int(0...json.count)
        let n = rng.size(upTo: 5000)
        json.insert(contentsOf: Array((String(repeating: "[", count: n) + String(repeating: "]", count: rng.chance(0.5) ? n : 0)).utf8), at: at)
      case 6:
        let arrays = text.ranges(of: #/\[[0-9, ]*\]/#)
        if !arrays.isEmpty {
          json = Array(text.replacingCharacters(in: rng.pick(arrays), with: rng.pick(["[]", "[1]", "[1,2,3,4,5,6,7,8,9]", "[-1, 4]", "[0, 0]", "[4294967296, 4294967296, 4294967296]", "\"a\"", "{}", "[1.5]", "[true]"])).utf8)
        }
      default:
        json = Mutator.mutateBytes(json, fields: [], rng: &rng)
      }
    }
    let newLength = rng.chance(0.85) ? UInt64(json.count) : rng.pick(Mutator.interesting)
    let header = (0..<8).map { UInt8(truncatingIfNeeded: newLength >> (8 * UInt64($0))) }
    return header + json + (rng.chance(0.1) ? Array(body.prefix(rng.int(0...body.count))) : body)
  }

  override func read(role: Int) throws { _ = try SafeTensors(contentsOf: path(role)) }
}

/// A model-cache entry as `train` meets it: looked up, then restored into a LeNet.
public final class CacheEntryFuzzer: ReaderFuzzer {
  let net: Network
  let key = String(repeating: "ab", count: 32)

  public init() throws {
    net = try makeLeNet()
    try super.init(name: "cache", files: [(key + ".safetensors", try lenetCheckpoint())], fields: [[0, 4]])
  }

  override public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    [0] + (rng.chance(0.5) ? Mutator.mutateBytes(files[0].seed, fields: [0, 4], rng: &rng) : metadataMutation(rng: &rng))
  }

  /// The entry with a metadata value replaced: normalisation, slope, shape, class count.
  func metadataMutation(rng: inout FuzzRandom) -> [UInt8] {
    guard var st = try? SafeTensors(contentsOf: path(0)) else { return files[0].seed }
    let key = rng.pick(["mean", "std", "slope", "input_shape", "classes", "arch", "params"])
    st.metadata[key] = rng.pick(["", "nan", "inf", "-1", "0", "1e40", "0.1,0.2", "0.1307", "1x28x28", "0x0x0",
                                 "100000x100000x3", "-5", "abc", "0.1,", ",", "1e-45", "3"])
    return [UInt8](st.serialized())
  }

  override func read(role: Int) throws {
    switch ModelCache(directory: directory).lookup(key) {
    case .hit(let st): try Checkpoint.restore(net, from: st)
    case .corrupt(let why): throw CheckpointError.unreadable(path: path(0), reason: why)
    case .miss: throw CheckpointError.unreadable(path: path(0), reason: "the entry is missing")
    }
  }
}

/// The adversarials files `save adversarials` writes: three MNIST digits and their labels.
public final class AdversarialFileFuzzer: ReaderFuzzer {
  public init() throws {
    var st = SafeTensors()
    let digits = try gunzip(repositoryRoot.appendingPathComponent("Sources/AdvData/Resources/mnist-5k/t10k-images-idx3-ubyte.gz").path)
    let images = Tensor((0..<(3 * 784)).map { Float(digits[16 + $0]) / 255 }, shape: [3, 1, 28, 28])
    let moved = Tensor(images.scalars.map { min(1, $0 + 0.03) }, shape: [3, 1, 28, 28])
    st.tensors = ["adversarials": moved, "originals": images]
    st.integers = ["indices": [0, 1, 2], "labels": [7, 2, 1], "adversarial_labels": [3, 2, 8]]
    st.metadata = ["format": AdversarialFile.format, "attack": "bim", "params": "{\"eps\":0.1}", "model": "net",
                   "arch": "lenet", "dataset": "mnist", "policy": "deterministic", "seed": "1",
                   "statement": "attack bim on net", "model_hash": "0", "version": "fuzz"]
    try super.init(name: "adversarials", files: [("adversarials.safetensors", [UInt8](st.serialized()))], fields: [[0, 4]])
  }

  override public func makeInput(_ rng: inout FuzzRandom) -> [UInt8] {
    [0] + Mutator.mutateBytes(files[0].seed, fields: [0, 4], rng: &rng)
  }

  override func read(role: Int) throws { _ = try AdversarialFile(contentsOf: path(0)) }
}

// MARK: Seeds

func makeLeNet() throws -> Network {
  guard let lenet = Architectures.named("lenet") else { throw DataError.missingResource("lenet") }
  let net = try lenet.make(params: Params(spec: lenet.spec, given: [:], dataset: "mnist"), inputShape: [1, 28, 28],
                           classes: 10, rng: RandomStream(seed: 1, stream: 0x1417))
  net.normalization = Normalization(mean: [0.1307], std: [0.3081])
  return net
}

/// A LeNet's checkpoint as `save` and the cache write it.
func lenetCheckpoint() throws -> [UInt8] {
  [UInt8](Checkpoint.contents(of: try makeLeNet(), metadata: ["dataset": "mnist:embedded-5k", "seed": "1", "version": "fuzz"]).serialized())
}

/// The decompressed bytes of a gzip file.
func gunzip(_ path: String) throws -> [UInt8] {
  guard let file = gzopen(path, "rb") else { throw DataError.unreadable(path: path, reason: "cannot open") }
  defer { gzclose(file) }
  var out: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
    guard n >= 0 else { throw DataError.unreadable(path: path, reason: "damaged gzip stream") }
    if n == 0 { return out }
    out += chunk[0..<Int(n)]
  }
}

/// `bytes` as a gzip stream.
func gzip(_ bytes: [UInt8]) -> [UInt8] {
  var stream = z_stream()
  guard deflateInit2_(&stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
  defer { deflateEnd(&stream) }
  var input = bytes
  var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
  let written: Int = input.withUnsafeMutableBufferPointer { src in
    out.withUnsafeMutableBufferPointer { dst in
      stream.next_in = src.baseAddress
      stream.avail_in = uInt(src.count)
      stream.next_out = dst.baseAddress
      stream.avail_out = uInt(dst.count)
      _ = deflate(&stream, Z_FINISH)
      return dst.count - Int(stream.avail_out)
    }
  }
  return Array(out[0..<written])
}
