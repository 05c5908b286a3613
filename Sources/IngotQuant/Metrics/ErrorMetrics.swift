#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngotCore

/// Per-tensor reconstruction error: RMSE, max abs error with its position, relative Frobenius error, SNR and cosine
/// similarity, optionally weighted per column by an importance vector (see ``ErrorReport``).
///
/// Rows are processed in parallel; every partial sum is Double, accumulated left to right within fixed chunks of
/// ``rowsPerChunk`` rows, and the chunk partials are combined in chunk order, so the result is the same bit for bit
/// whatever the thread count (`ErrorMetricsTests` checks 1 vs many threads).
public enum ErrorMetrics {
    /// Rows per reduction chunk (fixed, so the summation order never depends on threads).
    public static let rowsPerChunk = 8

    /// Measures `reconstructed` against `original` (both row-major, rows of `rowLength`).
    /// - Parameters:
    ///   - importance: nil, or `rowLength` finite non-negative weights (one per column).
    ///   - name: tensor name for error messages and the report.
    /// - Throws: ``MetricsError/nonFinite(tensor:input:row:column:value:)`` for the first NaN/Inf (row-major order,
    ///   `original` checked before `reconstructed`); ``MetricsError/sizeMismatch(_:)``; ``MetricsError/badImportance(index:value:)``.
    public static func measure(original: UnsafeBufferPointer<Float>, reconstructed: UnsafeBufferPointer<Float>,
                               rowLength: Int, importance: UnsafeBufferPointer<Float>? = nil, name: String? = nil,
                               threads: Int = Parallel.coreCount) throws -> ErrorReport {
        let n = original.count
        guard reconstructed.count == n else {
            throw MetricsError.sizeMismatch("\(name.map { "'\($0)': " } ?? "")original has \(n) values, reconstructed \(reconstructed.count)")
        }
        guard rowLength > 0, n % rowLength == 0 else {
            throw MetricsError.sizeMismatch("\(name.map { "'\($0)': " } ?? "")\(n) values do not split into rows of \(rowLength)")
        }
        if let w = importance {
            guard w.count == rowLength else {
                throw MetricsError.sizeMismatch("importance has \(w.count) weights for rows of \(rowLength)")
            }
            for (i, v) in w.enumerated() where !(v.isFinite && v >= 0) { throw MetricsError.badImportance(index: i, value: v) }
        }
        for (label, buf) in [("original", original), ("reconstructed", reconstructed)] {
            if let i = FiniteCheck.firstNonFinite(buf) {
                throw MetricsError.nonFinite(tensor: name, input: label, row: i / rowLength, column: i % rowLength, value: buf[i])
            }
        }
        let rows = n / rowLength
        let chunks = (rows + rowsPerChunk - 1) / rowsPerChunk
        var partials = [Partial](repeating: Partial(), count: chunks)
        partials.withUnsafeMutableBufferPointer { p in
            Parallel.forEachChunk(chunks, threads: threads, minChunk: max(1, 65536 / max(1, rowLength * rowsPerChunk))) { range in
                for c in range {
                    let lo = c * rowsPerChunk, hi = min(rows, lo + rowsPerChunk)
                    p[c] = accumulate(original, reconstructed, rowLength: rowLength, rows: lo..<hi, importance: importance)
                }
            }
        }
        var total = Partial()
        for p in partials { total.merge(p) }
        let weighted: ErrorReport.Metrics?
        if let w = importance {
            var wsum = 0.0
            for v in w { wsum += Double(v) }
            weighted = total.weighted.metrics(weightTotal: wsum * Double(rows), rowLength: rowLength)
        } else {
            weighted = nil
        }
        return ErrorReport(name: name, count: n, rows: rows, rowLength: rowLength,
                           plain: total.plain.metrics(weightTotal: Double(n), rowLength: rowLength), weighted: weighted)
    }

    /// Array convenience.
    public static func measure(original: [Float], reconstructed: [Float], rowLength: Int, importance: [Float]? = nil,
                               name: String? = nil, threads: Int = Parallel.coreCount) throws -> ErrorReport {
        try original.withUnsafeBufferPointer { o in
            try reconstructed.withUnsafeBufferPointer { r in
                if let importance {
                    return try importance.withUnsafeBufferPointer { w in
                        try measure(original: o, reconstructed: r, rowLength: rowLength, importance: w, name: name, threads: threads)
                    }
                }
                return try measure(original: o, reconstructed: r, rowLength: rowLength, importance: nil, name: name, threads: threads)
            }
        }
    }

    // MARK: - Accumulation

    /// Running sums of one metric set.
    struct Sums {
        var ee = 0.0, xx = 0.0, yy = 0.0, xy = 0.0
        /// Largest |e| (or sqrt(w)·|e|) and its flat index; ties keep the lower index.
        var maxErr = -1.0, maxIndex = 0

        mutating func merge(_ o: Sums) {
            ee += o.ee; xx += o.xx; yy += o.yy; xy += o.xy
            if o.maxErr > maxErr { maxErr = o.maxErr; maxIndex = o.maxIndex }
        }

        func metrics(weightTotal: Double, rowLength: Int) -> ErrorReport.Metrics {
            let rmse = weightTotal > 0 ? (ee / weightTotal).squareRoot() : 0
            let rel: Double = xx > 0 ? (ee / xx).squareRoot() : (ee > 0 ? .infinity : 0)
            let snr: Double
            if ee == 0 { snr = .infinity } else if xx == 0 { snr = -.infinity } else { snr = 10 * log10(xx / ee) }
            let cos: Double
            if xx == 0 && yy == 0 { cos = 1 } else if xx == 0 || yy == 0 { cos = 0 } else { cos = xy / (xx * yy).squareRoot() }
            return ErrorReport.Metrics(rmse: rmse, maxAbsError: max(0, maxErr), maxAbsRow: maxIndex / rowLength,
                                       maxAbsColumn: maxIndex % rowLength, relativeFrobenius: rel, snrDB: snr, cosine: cos)
        }
    }

    struct Partial {
        var plain = Sums(), weighted = Sums()
        mutating func merge(_ o: Partial) { plain.merge(o.plain); weighted.merge(o.weighted) }
    }

    /// Scalar accumulation of `rows`, element by element in row-major order.
    static func accumulate(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, rowLength: Int,
                           rows: Range<Int>, importance: UnsafeBufferPointer<Float>?) -> Partial {
        var p = Partial()
        for r in rows {
            let base = r * rowLength
            for c in 0..<rowLength {
                let xv = Double(x[base + c]), yv = Double(y[base + c])
                let e = xv - yv
                p.plain.ee += e * e; p.plain.xx += xv * xv; p.plain.yy += yv * yv; p.plain.xy += xv * yv
                if abs(e) > p.plain.maxErr { p.plain.maxErr = abs(e); p.plain.maxIndex = base + c }
                if let w = importance {
                    let wv = Double(w[c])
                    p.weighted.ee += wv * e * e; p.weighted.xx += wv * xv * xv
                    p.weighted.yy += wv * yv * yv; p.weighted.xy += wv * xv * yv
                    let we = wv.squareRoot() * abs(e)
                    if we > p.weighted.maxErr { p.weighted.maxErr = we; p.weighted.maxIndex = base + c }
                }
            }
        }
        return p
    }
}
