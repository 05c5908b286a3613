/// RMSNorm over rows: `y = w ⊙ (x / sqrt(mean(x²) + eps))`, in float32 (shared/docs/models.md §3.2).
enum RMSNorm {
    /// Normalises `rows` rows of `n` floats from `x` into `y` (may alias `x`).
    static func forward(_ x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, rows: Int, n: Int, eps: Float,
                        into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * n, yr = y + r * n
            var acc = SIMD8<Float>(repeating: 0)
            var i = 0
            while i + 8 <= n {
                let v = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD8<Float>.self)
                acc += v * v
                i += 8
            }
            var ss = acc.sum()
            while i < n { ss += xr[i] * xr[i]; i += 1 }
            let inv = 1 / (ss / Float(n) + eps).squareRoot()
            for j in 0..<n { yr[j] = w[j] * (xr[j] * inv) }
        }
    }

    /// The plain reference: one left-to-right sum per row.
    static func reference(_ x: [Float], weight w: [Float], rows: Int, n: Int, eps: Float) -> [Float] {
        var y = [Float](repeating: 0, count: rows * n)
        for r in 0..<rows {
            var ss: Float = 0
            for j in 0..<n { ss += x[r * n + j] * x[r * n + j] }
            let inv = 1 / (ss / Float(n) + eps).squareRoot()
            for j in 0..<n { y[r * n + j] = w[j] * (x[r * n + j] * inv) }
        }
        return y
    }
}
