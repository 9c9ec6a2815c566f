import AdvSpec
import AdvTensor
import Foundation

/// PCam is read by libhdf5, and a damaged HDF5 file can crash or hang libhdf5 itself (seen in
/// `H5Dopen2` under fuzzing) where no check of ours can step in. So `adv` reads PCam in a helper
/// process, itself run as `adv read-pcam …`: the helper loads and reduces the chosen patches as
/// `PCam.load` does, and hands them back through a temporary file. A helper that dies from a
/// signal, or spends more than `watchdogSeconds` inside one libhdf5 call, becomes a `DataError`
/// naming the file it was reading; the process that asked keeps running, with all it had computed.
///
/// Without `executable` (the library's tests, the fuzzers) `load` reads in the calling process.
public enum PCamHelper {
  /// The `adv` executable that serves `read-pcam`; set by `adv` at start.
  // A process global: written once by `adv`'s main before any work starts, read-only after.
  nonisolated(unsafe) public static var executable: String?

  /// Seconds the helper may spend in one libhdf5 step (opening a file's dataset, reading up to
  /// 512 patches) before the step counts as hung; `ADV_HDF5_WATCHDOG` overrides it.
  public static var watchdogSeconds: UInt32 {
    ProcessInfo.processInfo.environment["ADV_HDF5_WATCHDOG"].flatMap { UInt32($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 60
  }

  /// The subcommand the helper runs.
  public static let subcommand = "read-pcam"

  /// Loads PCam as `PCam.load` does, in a helper process when `executable` is set.
  public static func load(from directory: String, train: Int, test: Int, seed: UInt64,
                          reduce: PCam.Reduction, size: Int) throws -> Dataset {
    guard let executable else {
      return try PCam.load(from: directory, train: train, test: test, seed: seed, reduce: reduce, size: size)
    }
    let transfer = FileManager.default.temporaryDirectory
      .appendingPathComponent("adv-pcam-\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).bin").path
    defer { unlink(transfer) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = [subcommand, directory, "--train", "\(train)", "--test", "\(test)", "--seed", "\(seed)",
                         "--reduce", reduce.rawValue, "--size", "\(size)", "--to", transfer]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch {
      // No helper: read here, as the library does without one.
      return try PCam.load(from: directory, train: train, test: test, seed: seed, reduce: reduce, size: size)
    }
    // The helper writes a line when it moves to another file and at most one error: a few
    // lines, which the pipe holds until it is read after the helper ends.
    while process.isRunning {
      if Interrupt.requested {
        process.terminate()
        process.waitUntilExit()
        throw Interrupted()
      }
      usleep(20_000)
    }
    process.waitUntilExit()
    let said = errors.fileHandleForReading.readDataToEndOfFile()
    let lines = String(decoding: said, as: UTF8.self).split(separator: "\n").map(String.init)
    let current = lines.last(where: { $0.hasPrefix("reading ") }).map { String($0.dropFirst("reading ".count)) } ?? directory
    if process.terminationReason == .uncaughtSignal {
      let signal = process.terminationStatus
      if signal == SIGINT || Interrupt.requested { throw Interrupted() }
      let what = signal == SIGALRM
        ? "libhdf5 spent more than \(watchdogSeconds) s in one step reading it and was stopped (ADV_HDF5_WATCHDOG sets the limit)"
        : "libhdf5 crashed reading it (signal \(signal)\(signal == SIGSEGV ? ", a segmentation fault" : ""))"
      throw DataError.unreadable(path: current, reason: what + "; the file is damaged: download it again and compare its checksum")
    }
    if let line = lines.last(where: { $0.hasPrefix("error ") }),
       let error = try? JSONDecoder().decode(DataError.self, from: Data(line.dropFirst("error ".count).utf8)) {
      throw error
    }
    guard process.terminationStatus == 0 else {
      throw DataError.unreadable(path: current, reason: "the PCam reader stopped with status \(process.terminationStatus): \(lines.last ?? "no message")")
    }
    return try readTransfer(transfer)
  }

  /// The helper's side (`adv read-pcam`): loads with a watchdog on every libhdf5 step, writes the
  /// data set to `transfer`, and says what it reads and any `DataError` on stderr. Returns the
  /// exit status.
  public static func serve(directory: String, train: Int, test: Int, seed: UInt64, reduce: PCam.Reduction,
                           size: Int, transfer: String) -> Int32 {
    // The watchdog's SIGALRM must end this process, whatever the parent blocked or caught.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGALRM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGALRM, SIG_DFL)
    let seconds = watchdogSeconds
    capMemory(directory: directory)
    // A fault for the tests: `ADV_PCAM_HELPER_FAULT=crash` ends this helper with SIGSEGV at its
    // first step in a file whose name contains `_y`, as libhdf5 would on some damaged files.
    let fault = ProcessInfo.processInfo.environment["ADV_PCAM_HELPER_FAULT"] == "crash"
    var last = ""
    let step = { (path: String) in
      if path != last { FileHandle.standardError.write(Data("reading \(path)\n".utf8)) }
      last = path
      if fault && path.contains("_y") { raise(SIGSEGV) }
      alarm(seconds)
    }
    do {
      let dataset = try PCam.load(from: directory, train: train, test: test, seed: seed, reduce: reduce, size: size, step: step)
      alarm(0)
      try writeTransfer(dataset, to: transfer)
      return 0
    } catch let error as DataError {
      alarm(0)
      let json = (try? JSONEncoder().encode(error)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
      FileHandle.standardError.write(Data("error \(json)\n".utf8))
      return 65
    } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      return 70
    }
  }

  /// Caps this helper's address space at what it has now plus 2 GiB plus the size of PCam's
  /// files in `directory`: room for every patch of real files (the whole training split is
  /// 0.8 GB as bytes, its file 7.2 GB). On some damaged files libhdf5 1.10 itself fills buffers
  /// sized by the damaged metadata — an 84 KB file made it take 24 GB until the kernel killed it;
  /// under the cap its allocation fails and the read ends with an error naming the file.
  static func capMemory(directory: String) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmSize:") }),
          let kB = Int(line.split(separator: " ").dropFirst().first ?? "") else { return }
    var files = 0
    for requirement in PCam.files.requirements {
      for name in requirement.names {
        var info = stat()
        if stat((directory as NSString).appendingPathComponent(name), &info) == 0 { files += Int(info.st_size) }
      }
    }
    let limit = rlim_t(kB * 1024 + (2 << 30) + files)
    var cap = rlimit(rlim_cur: limit, rlim_max: limit)
    setrlimit(Int32(RLIMIT_AS.rawValue), &cap)
  }

  // MARK: The transfer file: "ADVPCAM2", the origin, then each split's shape, pixel kind (0:
  // float, 1: bytes), its pixels, labels and source indices, little-endian.

  static let magic = Array("ADVPCAM2".utf8)

  static func writeTransfer(_ d: Dataset, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw DataError.unreadable(path: path, reason: "cannot create it (\(String(cString: strerror(errno))))") }
    defer { close(fd) }
    func put(_ bytes: UnsafeRawBufferPointer) throws {
      var done = 0
      while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        guard n > 0 else { throw DataError.unreadable(path: path, reason: "cannot write it (\(String(cString: strerror(errno))))") }
        done += n
      }
    }
    func put(_ ints: [Int64]) throws { try ints.map(\.littleEndian).withUnsafeBytes { try put($0) } }
    try magic.withUnsafeBytes { try put($0) }
    let origin = Array(d.origin.utf8)
    try put([Int64(d.classes), Int64(origin.count)])
    try origin.withUnsafeBytes { try put($0) }
    for split in [d.train, d.test] {
      try put(split.shape.map(Int64.init))
      if let bytes = split.bytes {
        try put([1])
        try bytes.values.withUnsafeBytes { try put($0) }
      } else {
        try put([0])
        try split.images.withUnsafeBufferPointer { try put(UnsafeRawBufferPointer($0)) }
      }
      try put(split.labels.map(Int64.init))
      try put(split.sourceIndices.map(Int64.init))
    }
  }

  static func readTransfer(_ path: String) throws -> Dataset {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw DataError.unreadable(path: path, reason: "the PCam reader left no data") }
    defer { close(fd) }
    var info = stat()
    fstat(fd, &info)
    var left = Int(info.st_size)
    func bad(_ why: String) -> DataError { .badHeader(path: path, reason: "the PCam reader's data is malformed: \(why)") }
    func get(_ bytes: UnsafeMutableRawBufferPointer) throws {
      guard bytes.count <= left else { throw bad("it ends early") }
      var done = 0
      while done < bytes.count {
        let n = read(fd, bytes.baseAddress! + done, bytes.count - done)
        guard n > 0 else { throw bad("it ends early") }
        done += n
      }
      left -= bytes.count
    }
    func ints(_ n: Int) throws -> [Int] {
      guard n >= 0, n <= left / 8 else { throw bad("it ends early") }
      var v = [Int64](repeating: 0, count: n)
      try v.withUnsafeMutableBytes { try get($0) }
      return v.map { Int(Int64(littleEndian: $0)) }
    }
    var head = [UInt8](repeating: 0, count: magic.count)
    try head.withUnsafeMutableBytes { try get($0) }
    guard head == magic else { throw bad("wrong magic") }
    let top = try ints(2)
    guard top[1] >= 0, top[1] <= left else { throw bad("it ends early") }
    var origin = [UInt8](repeating: 0, count: top[1])
    try origin.withUnsafeMutableBytes { try get($0) }
    var splits: [Split] = []
    for _ in 0..<2 {
      let shape = try ints(4)
      guard shape.allSatisfy({ $0 >= 0 }) else { throw bad("negative shape") }
      var count = 1
      for d in shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else { throw bad("its shape \(shape) is too large") }
        count = product
      }
      let kind = try ints(1)[0]
      guard kind == 0 || kind == 1 else { throw bad("unknown pixel kind \(kind)") }
      guard count <= left / (kind == 0 ? 4 : 1) else { throw bad("it ends early") }
      let pixels: Split.Pixels
      if kind == 1 {
        var values = [UInt8](repeating: 0, count: count)
        try values.withUnsafeMutableBytes { try get($0) }
        pixels = .bytes(Split.Bytes(shape: shape, values: values))
      } else {
        var images = Tensor(uninitialized: shape)
        try images.withUnsafeMutableBufferPointer { try get(UnsafeMutableRawBufferPointer($0)) }
        pixels = .float(images)
      }
      let labels = try ints(shape[0]), indices = try ints(shape[0])
      splits.append(Split(pixels: pixels, labels: labels, sourceIndices: indices))
    }
    return Dataset(name: "pcam", origin: String(decoding: origin, as: UTF8.self), classes: top[0],
                   train: splits[0], test: splits[1])
  }
}
