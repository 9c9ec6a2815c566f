import CDNNL
import Foundation

/// What the machine offers the numeric kernels, for benchmark headers: the CPU, its cores, its
/// vector extensions, and the instruction set oneDNN chose (`ONEDNN_MAX_CPU_ISA=AVX2` caps it,
/// as on a laptop without AVX-512).
public enum Machine {
  /// `cpu AMD EPYC, 2 cores, vector avx2 fma avx512f avx512bw avx512_vnni, onednn avx512_core_bf16`.
  public static var description: String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let lines = info.split(separator: "\n")
    func field(_ name: String) -> String? {
      lines.first { $0.hasPrefix(name) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
        .map { $0.trimmingCharacters(in: .whitespaces) }
    }
    let model = field("model name") ?? "unknown CPU"
    let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
    let wanted = ["sse4_2", "avx", "avx2", "fma", "avx_vnni", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile"]
    let vector = wanted.filter(flags.contains)
    return "cpu \(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, vector \(vector.isEmpty ? "none listed" : vector.joined(separator: " ")), onednn \(oneDNNInstructionSet)"
  }

  /// The instruction set oneDNN's kernels use here.
  public static var oneDNNInstructionSet: String {
    switch dnnl_get_effective_cpu_isa().rawValue {
    case 0x1: return "sse41"
    case 0x3: return "avx"
    case 0x7: return "avx2"
    case 0x407: return "avx2_vnni"
    case 0xf, 0x1f: return "avx512_mic"
    case 0x27: return "avx512_core"
    case 0x67: return "avx512_core_vnni"
    case 0xe7: return "avx512_core_bf16"
    case 0x3e7: return "avx512_core_amx"
    case let v: return "isa 0x\(String(v, radix: 16))"
    }
  }
}

/// The peak resident memory of this process since the last `reset` (Linux's VmHWM, which
/// writing 5 to /proc/self/clear_refs starts again), for benchmarks' per-workload peaks.
public enum PeakMemory {
  public static func reset() {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return }
    _ = write(fd, "5", 1)
    close(fd)
  }

  /// Megabytes (2^20 bytes), or nil where /proc does not say.
  public static var megabytes: Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "")
    else { return nil }
    return kb / 1024
  }
}
