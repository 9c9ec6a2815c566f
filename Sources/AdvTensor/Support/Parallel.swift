import Foundation
import Dispatch

/// Number of worker chunks for element-wise loops: the machine's cores, at most.
let workerCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

/// Splits `0..<count` into contiguous ranges and runs `body` on each, in parallel when `count`
/// is at least `minimum` (below it, threads cost more than they save). Ranges are disjoint, so
/// writes to distinct indices need no locking, and a result never depends on the split.
public func parallelChunks(_ count: Int, minimum: Int, _ body: (Range<Int>) -> Void) {
  let chunks = count >= minimum ? workerCount : 1
  if chunks == 1 {
    body(0..<count)
    return
  }
  let size = (count + chunks - 1) / chunks
  DispatchQueue.concurrentPerform(iterations: chunks) { k in
    let lo = k * size, hi = min(count, lo + size)
    if lo < hi { body(lo..<hi) }
  }
}

