import COpenBLAS

/// The only door to OpenBLAS. Every caller passes row-major matrices; shapes are given as in the maths
/// (`C[m,n] = A[m,k] · B[k,n]`), with a transpose flag when B is stored `[n,k]` (a Linear weight).
enum BLAS {
    /// Sets OpenBLAS's own thread count. Ingot splits work across tiles itself and keeps BLAS at one thread,
    /// so two layers of threading never fight over the cores.
    static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// `C[m,n] = alpha · A[m,k] · op(B) + beta · C`, with `op(B) = Bᵀ` when `transposeB` (B stored `[n,k]`).
    @inline(__always)
    static func sgemm(m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                      c: UnsafeMutablePointer<Float>, ldc: Int,
                      alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS leaves C scaled by beta; do the same without calling it with a zero dimension.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
