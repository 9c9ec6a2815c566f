import AdvFuzz
import Foundation

/// `adv-fuzz`: runs the fuzz targets (`make fuzz`).
///
///     adv-fuzz [--seconds N] [--inputs N] [--seed S] [--only NAME,…] [--findings DIR]
///              [--hang-seconds S] [--memory-mb M] [--outcomes]
///     adv-fuzz replay NAME FILE…      runs saved inputs of target NAME again
///     adv-fuzz seeds NAME DIR         writes NAME's seed inputs into DIR (a libFuzzer corpus)
///
/// With `--seconds`, the time is shared among the targets (the front end half of it); with
/// `--inputs`, each target runs that many. `--outcomes` lists how the readers' inputs ended.
/// Exits 1 when anything was found.
@main
struct AdvFuzzMain {
  static func main() throws {
    var args = Array(CommandLine.arguments.dropFirst())
    if args.first == "replay" || args.first == "seeds" { exit(try tool(args)) }
    var seconds: Double? = nil
    var inputs: Int? = nil
    var seed: UInt64 = 1
    var only = FuzzTargets.names
    var findings = ".build/fuzz-findings"
    var hang = 1.0
    var memory = 2048
    var outcomes = false
    while !args.isEmpty {
      let flag = args.removeFirst()
      if flag == "--outcomes" {
        outcomes = true
        continue
      }
      guard let value = args.first else { usage("'\(flag)' needs a value") }
      args.removeFirst()
      switch flag {
      case "--seconds": seconds = parse(value, Double.init, "--seconds takes a number")
      case "--inputs": inputs = parse(value, Int.init, "--inputs takes a whole number")
      case "--seed": seed = parse(value, UInt64.init, "--seed takes a whole number")
      case "--only": only = value.split(separator: ",").map(String.init)
      case "--findings": findings = value
      case "--hang-seconds": hang = parse(value, Double.init, "--hang-seconds takes a number")
      case "--memory-mb": memory = parse(value, Int.init, "--memory-mb takes a whole number")
      default: usage("unknown option '\(flag)'")
      }
    }
    if let bad = only.first(where: { !FuzzTargets.names.contains($0) }) {
      usage("unknown target '\(bad)'; the targets are \(FuzzTargets.names.joined(separator: ", "))")
    }
    if seconds == nil && inputs == nil { seconds = 60 }
    let targets = try only.map { name -> (FuzzTarget, Double) in
      guard let target = try FuzzTargets.make(name) else { usage("unknown target '\(name)'") }
      return (target, FuzzTargets.shares.first { $0.name == name }?.share ?? 0.1)
    }
    FuzzGuards.install(directory: findings, hangSeconds: hang, memoryMB: memory)
    let driver = FuzzDriver(hangSeconds: hang, findingsDirectory: findings) { line in
      print(line)
      fflush(stdout)
    }
    let total = targets.map(\.1).reduce(0, +)
    print("adv-fuzz: seed \(seed), \(seconds.map { String(format: "%.0f s", $0) } ?? "\(inputs ?? 0) inputs a target"), "
          + "targets \(only.joined(separator: ", ")); findings go to \(findings)/")
    var all: [FuzzDriver.Stats] = []
    for (k, (target, share)) in targets.enumerated() {
      let budget = seconds.map { $0 * share / total } ?? .infinity
      all.append(driver.run(target, seconds: budget, inputs: inputs ?? .max, seed: seed &+ UInt64(k)))
    }
    if outcomes {
      for (target, kinds) in ReaderOutcomes.counts.sorted(by: { $0.key < $1.key }) {
        print("\(target) outcomes:")
        for (kind, n) in kinds.sorted(by: { $0.value > $1.value }) { print(String(format: "  %7d  ", n) + kind) }
      }
    }
    let count = all.map(\.inputs).reduce(0, +), time = all.map(\.seconds).reduce(0, +)
    let found = all.map(\.findings.count).reduce(0, +)
    print(String(format: "total         %9d inputs in %7.1f s (%8.0f/s), %d findings", count, time, Double(count) / max(time, 1e-9), found))
    exit(found == 0 ? 0 : 1)
  }

  static func tool(_ args: [String]) throws -> Int32 {
    guard args.count >= 3, let target = try FuzzTargets.make(args[1]) else {
      usage("'\(args[0])' needs a target (\(FuzzTargets.names.joined(separator: ", "))) and files")
    }
    if args[0] == "seeds" {
      try FileManager.default.createDirectory(atPath: args[2], withIntermediateDirectories: true)
      for (k, seed) in target.seeds().enumerated() {
        _ = FileManager.default.createFile(atPath: args[2] + "/seed-\(k)", contents: Data(seed))
      }
      return 0
    }
    var failed = false
    for path in args.dropFirst(2) {
      guard let data = FileManager.default.contents(atPath: path) else { usage("cannot read '\(path)'") }
      let start = Date()
      // An isolated target replays in a child process, as the fuzzing run ran it.
      var libraryCrash = false
      let finding = target.isolated
        ? FuzzDriver(log: { _ in }).runIsolated(target, [UInt8](data), libraryCrash: &libraryCrash)
        : target.run([UInt8](data))
      let seconds = String(format: "%.3f s", Date().timeIntervalSince(start))
      if libraryCrash, let library = target.survivedLibrary {
        print("\(path): ok (\(seconds)), a crash inside \(library), which adv survives in its reader process")
      } else if let finding {
        print("\(path): FINDING (\(seconds)) \(finding.message)")
        failed = true
      } else {
        print("\(path): ok (\(seconds))")
      }
    }
    return failed ? 1 : 0
  }

  static func parse<T>(_ value: String, _ read: (String) -> T?, _ message: String) -> T {
    guard let v = read(value) else { usage(message) }
    return v
  }

  static func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("adv-fuzz: \(message)\n".utf8))
    exit(64)
  }
}
