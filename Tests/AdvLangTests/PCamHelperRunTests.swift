import AdvData
import Foundation
import Testing

/// `load pcam` in the built `adv`, whose libhdf5 runs in a helper process (`adv read-pcam`): the
/// patches arrive as they do in process, and a file that crashes libhdf5 itself gives an error
/// naming that file while `adv` goes on to exit normally.
@Suite("PCam through the helper process", .serialized)
final class PCamHelperRunTests {
  let work = FileManager.default.temporaryDirectory
    .appendingPathComponent("adv-pcam-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path

  init() throws {
    try FileManager.default.createDirectory(atPath: work + "/data", withIntermediateDirectories: true)
    for (split, n) in [("train", 6), ("test", 10)] {
      try HDF5Dataset.write(path: work + "/data/camelyonpatch_level_2_split_\(split)_x.h5", name: "x", dims: [n, 96, 96, 3],
                            values: (0..<(n * 96 * 96 * 3)).map { UInt8($0 % 251) })
      try HDF5Dataset.write(path: work + "/data/camelyonpatch_level_2_split_\(split)_y.h5", name: "y", dims: [n, 1, 1, 1],
                            values: (0..<n).map { UInt8($0 % 2) })
    }
  }

  deinit { try? FileManager.default.removeItem(atPath: work) }

  func run(_ script: String, environment: [String: String] = [:]) throws -> AdvProcess.Run {
    try script.write(toFile: work + "/pcam.adv", atomically: true, encoding: .utf8)
    return try AdvProcess(work: work).run(["run", work + "/pcam.adv", "--out", work + "/out", "--progress", "off"],
                                          cache: work + "/cache", environment: environment)
  }

  @Test("the helper's patches reach the script: counts, and the files read listed in the JSON report")
  func loads() throws {
    let r = try run("load pcam from \"\(work)/data\" reduce=centercrop\nreport json to \"r.json\"\n")
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains { $0.contains("6 train / 10 test") }, "\(r.stdout)")
    let json = try String(contentsOfFile: work + "/out/r.json", encoding: .utf8)
    #expect(json.contains("camelyonpatch_level_2_split_train_x.h5"))
  }

  /// Puts `Runs/NAME.h5` in place of the file `part` (`test_y`: the test labels).
  /// `hdf5-hang`: a copy of a 10-label `y` file with one byte changed (found by changing each
  /// byte of such a file in turn under libhdf5 1.10.8). `hdf5-crash`: a 3-label `y` file mutated
  /// by `make fuzz` (the `hdf5` target) on which libhdf5 1.10.8 dereferences a null pointer in
  /// `H5Dopen2` (`H5F__accum_read`, through `H5G__stab_lookup`). `hdf5-memory`: an 84 KB `x`
  /// file mutated by the same target, on which libhdf5 (1.10.8, and h5py's 1.14) fills buffers
  /// sized by the damaged metadata while opening the dataset, until the kernel kills it (24 GB).
  func damage(with name: String, part: String = "test_y") throws {
    let damaged = try #require(Bundle.module.url(forResource: "Runs/" + name, withExtension: "h5"))
    let target = work + "/data/camelyonpatch_level_2_split_\(part).h5"
    try FileManager.default.removeItem(atPath: target)
    try FileManager.default.copyItem(atPath: damaged.path, toPath: target)
  }

  @Test("a damaged file on which libhdf5 itself crashes is an error naming it; adv goes on to exit normally")
  func crashingFile() throws {
    try damage(with: "hdf5-crash", part: "train_y")
    let r = try run("load pcam from \"\(work)/data\"\nreport\n")
    #expect(r.status == 70, "\(r.stderr)")
    #expect(!r.killed)
    #expect(r.stderr.contains("camelyonpatch_level_2_split_train_y.h5"), "\(r.stderr)")
    #expect(r.stderr.contains("libhdf5 crashed reading it (signal 11, a segmentation fault)"), "\(r.stderr)")
    #expect(r.stderr.contains("download it again"), "\(r.stderr)")
  }

  @Test("a damaged file on which libhdf5 would take all memory fails fast under the reader's cap, naming the file")
  func memoryHungryFile() throws {
    try damage(with: "hdf5-memory", part: "train_x")
    let start = Date()
    let r = try run("load pcam from \"\(work)/data\"\nreport\n")
    #expect(r.status == 65 || r.status == 70, "\(r.stderr)")
    #expect(!r.killed)
    #expect(r.stderr.contains("camelyonpatch_level_2_split_train_x.h5"), "\(r.stderr)")
    #expect(Date().timeIntervalSince(start) < 60)
  }

  @Test("a helper that crashes is an error naming the file; adv itself does not crash")
  func crashingHelper() throws {
    // The crash injected at the first step in a `y` file, whatever the file holds.
    let r = try run("load pcam from \"\(work)/data\"\nreport\n", environment: ["ADV_PCAM_HELPER_FAULT": "crash"])
    #expect(r.status == 70, "\(r.stderr)")
    #expect(!r.killed)
    #expect(r.stderr.contains("camelyonpatch_level_2_split_train_y.h5"), "\(r.stderr)")
    #expect(r.stderr.contains("libhdf5 crashed reading it (signal 11, a segmentation fault)"), "\(r.stderr)")
  }

  @Test("a damaged file on which libhdf5 never returns is stopped by the watchdog, with an error naming it")
  func hangingFile() throws {
    try damage(with: "hdf5-hang")
    let start = Date()
    let r = try run("load pcam from \"\(work)/data\"\n", environment: ["ADV_HDF5_WATCHDOG": "2"])
    #expect(r.status == 70, "\(r.stderr)")
    #expect(r.stderr.contains("camelyonpatch_level_2_split_test_y.h5"), "\(r.stderr)")
    #expect(r.stderr.contains("more than 2 s in one step"), "\(r.stderr)")
    #expect(Date().timeIntervalSince(start) < 60)
  }
}
