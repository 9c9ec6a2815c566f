import AdvFuzz
import Foundation

#if LIBFUZZER
/// libFuzzer's driver, linked from `libclang_rt.fuzzer_no_main` (`make fuzz-libfuzzer`).
/// SwiftPM renames an executable's entry point and links it as `main`, which collides with
/// the `main` that `-sanitize=fuzzer` links in; so this program has its own `main` and hands
/// the command line to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

nonisolated(unsafe) var target: FuzzTarget? = nil
#endif

/// `adv-libfuzzer`: one fuzz target under libFuzzer, coverage-guided and with AddressSanitizer
/// when built by `make fuzz-libfuzzer`. The target is `$ADV_FUZZ_TARGET` (default `frontend`);
/// the command line is libFuzzer's (`-max_total_time=60 CORPUS_DIR`). A corpus directory given
/// empty is first filled with the target's seeds. A finding aborts, so libFuzzer saves the input.
///
/// Built normally (without `-DLIBFUZZER`) it replays files: `adv-libfuzzer FILE…`.
@main
struct LibFuzzerMain {
  static func main() throws {
    let name = ProcessInfo.processInfo.environment["ADV_FUZZ_TARGET"] ?? "frontend"
    guard let made = try FuzzTargets.make(name) else {
      FileHandle.standardError.write(Data("adv-libfuzzer: unknown target '\(name)'\n".utf8))
      exit(64)
    }
    let arguments = CommandLine.arguments.dropFirst()
    for dir in arguments where !dir.hasPrefix("-") {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue,
            (try? FileManager.default.contentsOfDirectory(atPath: dir))?.isEmpty == true else { continue }
      for (k, seed) in made.seeds().enumerated() { _ = FileManager.default.createFile(atPath: dir + "/seed-\(k)", contents: Data(seed)) }
    }
    #if LIBFUZZER
    target = made
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, count in
      guard let target else { return 0 }
      let input = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
      if let finding = target.runMutated(input) {
        FileHandle.standardError.write(Data("adv-libfuzzer: FINDING \(finding.message.prefix(4000))\n".utf8))
        abort()
      }
      return 0
    }
    exit(status)
    #else
    var failed = false
    for path in arguments where !path.hasPrefix("-") {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path) else { continue }
      if let finding = made.run([UInt8](data)) {
        print("\(path): FINDING \(finding.message)")
        failed = true
      } else {
        print("\(path): ok")
      }
    }
    exit(failed ? 1 : 0)
    #endif
  }
}
