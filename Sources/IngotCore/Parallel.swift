import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Work split across cores. Results never depend on the thread count: each index is processed independently.
public enum Parallel {
    /// Logical cores available to this process.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Calls `body(range)` on contiguous chunks of `0..<count` using up to `threads` threads.
    public static func forEachChunk(_ count: Int, threads: Int = coreCount, minChunk: Int = 1,
                                    _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let t = max(1, min(threads, (count + minChunk - 1) / max(1, minChunk)))
        if t == 1 { body(0..<count); return }
        // More chunks than threads balances uneven rows without losing locality.
        let chunks = min(count, t * 4)
        withoutActuallyEscaping(body) { body in
            // The one place the package crosses threads. `body` is not `@Sendable` on purpose: the numeric kernels
            // hand it pointers into shared buffers and write disjoint row ranges, which the chunks below guarantee
            // (each index is in exactly one chunk) and which the compiler cannot prove.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                if lo < hi { body(lo..<hi) }
            }
        }
    }
}
