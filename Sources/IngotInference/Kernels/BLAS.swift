import COpenBLAS
import Foundation

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

/// Which OpenBLAS kernel set this process runs, and a better one when OpenBLAS fell back to a generic core.
///
/// OpenBLAS picks its kernels once, when the library loads, from the CPU model. Builds that do not know a newer CPU
/// (0.3.21 on Sapphire Rapids, as on Debian 12) fall back to the SSE3 "Prescott" kernels, 2–3× slower than the
/// AVX2/AVX-512 ones the CPU can run. `OPENBLAS_CORETYPE` overrides the choice, but only at load time, so the
/// command line re-executes itself with it set (see ``recommendedCoreType``).
public enum BLASRuntime {
    /// OpenBLAS's name for the kernels in use ("Prescott", "Haswell", "SkylakeX", …).
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// The `OPENBLAS_CORETYPE` to set when OpenBLAS chose generic kernels on a CPU whose features (as the kernel
    /// reports them in /proc/cpuinfo, so the OS saves the vector state) allow AVX-512 or AVX2; nil when the choice
    /// is already right, unknown, or set by the user.
    public static func recommendedCoreType(environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil else { return nil }
        let generic: Set<String> = ["prescott", "core2", "nehalem", "penryn", "dunnington", "atom", "unknown", "katmai",
                                    "coppermine", "northwood", "banias", "sandybridge"]
        guard generic.contains(coreName.lowercased()) else { return nil }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}
