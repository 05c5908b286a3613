import IngotCore

/// `y[T, out] = x[T, in] · Wᵀ (+ b)`: the weight is dequantized a tile of rows at a time into a scratch buffer and
/// multiplied with `cblas_sgemm`; tiles run in parallel, each thread with its own scratch and BLAS at one thread.
/// The plain loop beside it (``reference(_:rows:weight:bias:)``) is what tests hold it to.
enum MatMul {
    /// Floats per decoded tile (2 MiB). Every `sgemm` call re-packs the whole activation matrix, so tiles are made
    /// as tall as this allows: with 512 tokens, 64-row tiles spent a quarter of the time in that packing.
    static let tileFloats = 524_288

    /// Rows of W per tile for a row length of `cols`, never so tall that a thread is left without a tile.
    static func tileRows(rows: Int, cols: Int, threads: Int) -> Int {
        let bySize = min(512, max(16, tileFloats / max(1, cols)))
        let perThread = (rows + max(1, threads) - 1) / max(1, threads)
        return max(1, min(bySize, max(16, perThread)))
    }

    /// Computes `y[i, :] = x[i, :] · Wᵀ + bias` for `rows` rows of `x` (`ldx` floats apart) into `y` (`ldy` apart).
    /// - Parameters:
    ///   - accumulate: add into `y` instead of overwriting it.
    static func forward(_ x: UnsafePointer<Float>, rows T: Int, ldx: Int, weight w: WeightMatrix, bias: [Float]? = nil,
                        into y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool = false, threads: Int) throws {
        guard T > 0 else { return }
        let out = w.rows, k = w.cols
        let tile = tileRows(rows: out, cols: k, threads: threads)
        let tiles = (out + tile - 1) / tile
        try w.withBytes { bytes in
            let direct = w.directF32(bytes)
            Parallel.forEachChunk(tiles, threads: threads) { tr in
                let scratch = direct == nil ? UnsafeMutablePointer<Float>.allocate(capacity: tile * k) : nil
                defer { scratch?.deallocate() }
                for t in tr {
                    let r0 = t * tile, r1 = min(out, r0 + tile)
                    let b: UnsafePointer<Float>
                    if let d = direct {
                        b = d + r0 * k
                    } else {
                        w.decodeRows(r0..<r1, into: scratch!, bytes: bytes)
                        b = UnsafePointer(scratch!)
                    }
                    BLAS.sgemm(m: T, n: r1 - r0, k: k, a: x, lda: ldx, b: b, ldb: k, transposeB: true,
                               c: y + r0, ldc: ldy, beta: accumulate ? 1 : 0)
                }
            }
        }
        if let bias {
            precondition(bias.count == out)
            bias.withUnsafeBufferPointer { bp in
                for i in 0..<T {
                    let row = y + i * ldy
                    for j in 0..<out { row[j] += bp[j] }
                }
            }
        }
    }

    /// Convenience: `x` is `[T, in]` packed, result `[T, out]` packed.
    static func forward(_ x: [Float], rows T: Int, weight w: WeightMatrix, bias: [Float]? = nil, threads: Int) throws -> [Float] {
        var y = [Float](repeating: 0, count: T * w.rows)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeMutableBufferPointer { yp in
                try forward(xp.baseAddress!, rows: T, ldx: w.cols, weight: w, bias: bias, into: yp.baseAddress!, ldy: w.rows, threads: threads)
            }
        }
        return y
    }

    /// The plain reference: decode all of W, then a triple loop accumulating in Float, left to right.
    static func reference(_ x: [Float], rows T: Int, weight w: WeightMatrix, bias: [Float]? = nil) throws -> [Float] {
        let wf = try w.decodeAll()
        let out = w.rows, k = w.cols
        var y = [Float](repeating: 0, count: T * out)
        for i in 0..<T {
            for j in 0..<out {
                var s: Float = 0
                for c in 0..<k { s += x[i * k + c] * wf[j * k + c] }
                y[i * out + j] = s + (bias?[j] ?? 0)
            }
        }
        return y
    }
}
