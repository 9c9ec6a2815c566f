import Foundation
import CDNNL

/// `C = alpha · op(A) · op(B) + beta · C`, row-major, through oneDNN's `dnnl_sgemm`.
///
/// `A` is `[M, K]` (or `[K, M]` when `transA`), `B` is `[K, N]` (or `[N, K]` when `transB`).
func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
           a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>) {
  let lda = transA ? m : k
  let ldb = transB ? k : n
  // One oneDNN call at a time in the process, as for the convolutions (DNNLContext).
  DNNLContext.primitiveLock.lock()
  defer { DNNLContext.primitiveLock.unlock() }
  let status = dnnl_sgemm(transA ? 84 : 78, transB ? 84 : 78,  // "T" / "N"
                          dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha,
                          a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(n))
  precondition(status == dnnl_success, "dnnl_sgemm failed with status \(status.rawValue)")
}

/// Matrix product of `[M, K]` and `[K, N]` tensors, with optional transposes of either operand.
public func matmulKernel(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
  precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
  let m = transA ? a.shape[1] : a.shape[0]
  let k = transA ? a.shape[0] : a.shape[1]
  let kb = transB ? b.shape[1] : b.shape[0]
  let n = transB ? b.shape[0] : b.shape[1]
  precondition(k == kb, "matmul inner dimensions differ: \(a.shape) x \(b.shape)")
  var out = Tensor(uninitialized: [m, n])
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      out.withUnsafeMutableBufferPointer { pc in
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
              a: pa.baseAddress!, b: pb.baseAddress!, beta: 0, c: pc.baseAddress!)
      }
    }
  }
  return out
}
