import Foundation
import IngotCore

/// Grouped-query attention over a KV cache with a causal mask, an optional sliding window and optional
/// attention sinks (shared/docs/models.md §3.4, §3.7). Scores and `P·V` are `cblas_sgemm` calls per head;
/// heads run in parallel.
struct AttentionShape {
    let heads: Int
    let kvHeads: Int
    let headDim: Int
    /// Multiplies `q·k` (head_dim^-0.5 for all three architectures).
    let scale: Float
    /// Sliding window W: key j is visible to query i when `i − W < j ≤ i`. Nil: plain causal.
    let window: Int?

    /// The first key position query position `p` may see.
    @inline(__always) func firstKey(_ p: Int) -> Int { window.map { max(0, p - $0 + 1) } ?? 0 }
}

enum Attention {
    /// - Parameters:
    ///   - q: `[T, heads·d]`, already rotated; row t is query position `start + t`.
    ///   - k, v: cache `[kvHeads][capacity][d]` holding positions `0 ..< start + T`.
    ///   - sinks: per-head sink logits (`heads` values) or nil.
    ///   - out: `[T, heads·d]`.
    static func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, capacity: Int,
                        start: Int, tokens T: Int, shape: AttentionShape, sinks: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, threads: Int) {
        let d = shape.headDim, ldq = shape.heads * d
        let group = shape.heads / shape.kvHeads
        let end = start + T                         // keys 0..<end
        let k0 = shape.firstKey(start)              // no query sees a key before this one
        let L = end - k0
        Parallel.forEachChunk(shape.heads, threads: threads) { hr in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: T * L)
            defer { scores.deallocate() }
            for h in hr {
                let kvh = h / group
                let kh = k + (kvh * capacity + k0) * d, vh = v + (kvh * capacity + k0) * d
                BLAS.sgemm(m: T, n: L, k: d, a: q + h * d, lda: ldq, b: kh, ldb: d, transposeB: true,
                           c: scores, ldc: L, alpha: shape.scale)
                for t in 0..<T {
                    let p = start + t
                    softmaxRow(scores + t * L, visible: (shape.firstKey(p) - k0)..<(p + 1 - k0), count: L,
                               sink: sinks.map { $0[h] })
                }
                BLAS.sgemm(m: T, n: d, k: L, a: scores, lda: L, b: vh, ldb: d, transposeB: false,
                           c: out + h * d, ldc: ldq)
            }
        }
    }

    /// Softmax of `row[visible]` (plus an optional sink logit that takes probability mass but has no value);
    /// every other entry of the row becomes 0.
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, visible: Range<Int>, count: Int, sink: Float?) {
        var m = sink ?? -Float.infinity
        for j in visible { m = max(m, row[j]) }
        var sum: Float = 0
        for j in visible { let e = expf(row[j] - m); row[j] = e; sum += e }
        if let sink { sum += expf(sink - m) }
        let inv = 1 / sum
        for j in 0..<visible.lowerBound { row[j] = 0 }
        for j in visible { row[j] *= inv }
        for j in visible.upperBound..<count { row[j] = 0 }
    }

    /// The plain reference: every score, mask and weighted sum in scalar loops, one query and head at a time.
    static func reference(q: [Float], k: [Float], v: [Float], capacity: Int, start: Int, tokens T: Int,
                          shape: AttentionShape, sinks: [Float]?) -> [Float] {
        let d = shape.headDim, group = shape.heads / shape.kvHeads
        var out = [Float](repeating: 0, count: T * shape.heads * d)
        for t in 0..<T {
            let p = start + t
            for h in 0..<shape.heads {
                let kvh = h / group
                var s = [Float](repeating: -Float.infinity, count: p + 1)
                for j in shape.firstKey(p)...p {
                    var dot: Float = 0
                    for c in 0..<d { dot += q[(t * shape.heads + h) * d + c] * k[(kvh * capacity + j) * d + c] }
                    s[j] = dot * shape.scale
                }
                var m = sinks?[h] ?? -Float.infinity
                for x in s { m = max(m, x) }
                var sum: Float = 0
                for x in s where x > -Float.infinity { sum += expf(x - m) }
                if let sinks { sum += expf(sinks[h] - m) }
                for j in 0...p where s[j] > -Float.infinity {
                    let pj = expf(s[j] - m) / sum
                    for c in 0..<d { out[(t * shape.heads + h) * d + c] += pj * v[(kvh * capacity + j) * d + c] }
                }
            }
        }
        return out
    }
}
