import IngotCore

/// Options for ``Int8Quantizer``.
public struct Int8Options: Sendable {
    public var scheme: Int8Scheme
    /// `.f16` or `.f32` scales.
    public var scaleType: ElementType
    /// Worker threads (results never depend on it).
    public var threads: Int

    public init(scheme: Int8Scheme = .perRow, scaleType: ElementType = .f32, threads: Int = Parallel.coreCount) {
        self.scheme = scheme
        self.scaleType = scaleType
        self.threads = threads
    }
}

/// Symmetric INT8 weight quantization, per output row or per group of columns.
///
/// For each row (or group) with largest magnitude `amax`:
/// - `scale = amax / 127` in float32, then rounded to the stored scale type (F16: round to nearest even); the codes
///   are computed from the *stored* scale, so decoding with what is in the file is what the error bound describes;
/// - `q = clamp(roundHalfEven(x / scale), −127, 127)` (torch's `round`, as compressed-tensors quantizes); a stored
///   scale of 0 (an all-zero group, or an F16 scale that underflows below 2⁻²⁴) gives `q = 0`;
/// - decoded `x' = Float(q) * scale`, so `|x − x'| ≤ scale / 2` whenever the stored scale is the exact `amax / 127`
///   rounded (F16 rounding can push one extreme value to the clamp, adding at most `amax · 2⁻¹¹`).
/// An F16 scale above 65504 (|w| > 8.3 million) is refused rather than stored as Inf.
public enum Int8Quantizer {
    /// Quantizes `x`, a row-major `[rows, columns]` matrix.
    /// - Throws: ``QuantError/nonFinite(value:index:rowLength:)``, ``QuantError/rowLengthNotMultiple(type:rowLength:blockSize:)``
    ///   for a row not divisible into groups, ``WeightLayoutError`` for a bad group size, scale type or scale overflow.
    public static func quantize(_ x: UnsafeBufferPointer<Float>, rows: Int, columns: Int,
                                options: Int8Options = Int8Options()) throws -> Int8Tensor {
        guard rows >= 0, columns > 0, !rows.multipliedReportingOverflow(by: columns).overflow else {
            throw QuantError.badShape("INT8 needs a [rows, columns] matrix with columns > 0, got [\(rows), \(columns)]")
        }
        guard x.count == rows * columns else {
            throw QuantError.bufferSize(what: "INT8 input of [\(rows), \(columns)]", expected: rows * columns, found: x.count)
        }
        guard options.scaleType == .f16 || options.scaleType == .f32 else {
            throw WeightLayoutError.wrongDType(tensor: "weight_scale", expected: "F16 or F32",
                                              found: options.scaleType.safetensorsName ?? options.scaleType.displayName)
        }
        if case .group(let g) = options.scheme {
            guard Int8Scheme.groupSizes.contains(g) else {
                throw WeightLayoutError.unsupportedBlockSize(what: "INT8 group size", found: g, supported: Int8Scheme.groupSizes)
            }
            guard columns % g == 0 else { throw QuantError.rowLengthNotMultiple(type: .int8Row, rowLength: columns, blockSize: g) }
        }
        if let i = FiniteCheck.firstNonFinite(x) { throw QuantError.nonFinite(value: x[i], index: i, rowLength: columns) }
        let g = options.scheme.groupSize(columns: columns)
        let groups = columns / g
        var weights = [Int8](repeating: 0, count: rows * columns)
        var scales = [Float](repeating: 0, count: rows * groups)
        let f16 = options.scaleType == .f16
        // Scales first (cheap, and an overflow must be reported before any work is wasted).
        for r in 0..<rows {
            for k in 0..<groups {
                let s = storedScale(x.baseAddress! + r * columns + k * g, count: g, f16: f16)
                guard s.isFinite else { throw WeightLayoutError.scaleOverflow(row: r, group: k, scale: s, scaleType: "F16") }
                scales[r * groups + k] = s
            }
        }
        weights.withUnsafeMutableBufferPointer { w in
            scales.withUnsafeBufferPointer { sc in
                Parallel.forEachChunk(rows, threads: options.threads, minChunk: max(1, 16384 / columns)) { range in
                    for r in range {
                        for k in 0..<groups {
                            let off = r * columns + k * g
                            encodeGroupFast(x.baseAddress! + off, count: g, scale: sc[r * groups + k], into: w.baseAddress! + off)
                        }
                    }
                }
            }
        }
        return Int8Tensor(rows: rows, columns: columns, scheme: options.scheme, scaleType: options.scaleType,
                          weights: weights, scales: scales)
    }

    /// Array convenience.
    public static func quantize(_ x: [Float], rows: Int, columns: Int, options: Int8Options = Int8Options()) throws -> Int8Tensor {
        try x.withUnsafeBufferPointer { try quantize($0, rows: rows, columns: columns, options: options) }
    }

    /// Decodes to float32 (`into.count == rows * columns`), validating the tensor first.
    public static func dequantize(_ t: Int8Tensor, into: UnsafeMutableBufferPointer<Float>, threads: Int = Parallel.coreCount) throws {
        try t.validate()
        guard into.count == t.rows * t.columns else {
            throw QuantError.bufferSize(what: "INT8 output", expected: t.rows * t.columns, found: into.count)
        }
        let g = t.scheme.groupSize(columns: t.columns), groups = t.groupsPerRow
        t.weights.withUnsafeBufferPointer { w in
            t.scales.withUnsafeBufferPointer { sc in
                Parallel.forEachChunk(t.rows, threads: threads, minChunk: max(1, 16384 / max(1, t.columns))) { range in
                    for r in range {
                        for k in 0..<groups {
                            let off = r * t.columns + k * g
                            decodeGroupFast(w.baseAddress! + off, count: g, scale: sc[r * groups + k], into: into.baseAddress! + off)
                        }
                    }
                }
            }
        }
    }

    /// Array convenience.
    public static func dequantize(_ t: Int8Tensor, threads: Int = Parallel.coreCount) throws -> [Float] {
        try t.validate()   // before allocating: rows × columns is checked for overflow there
        var out = [Float](repeating: 0, count: t.rows * t.columns)
        try out.withUnsafeMutableBufferPointer { try dequantize(t, into: $0, threads: threads) }
        return out
    }

    // MARK: - Kernels (scalar reference and vectorized path, identical arithmetic)

    /// `amax / 127`, rounded to the stored type (Inf when an F16 scale overflows; the caller refuses it).
    static func storedScale(_ x: UnsafePointer<Float>, count: Int, f16: Bool) -> Float {
        var amax: Float = 0
        var i = 0
        if count >= 8 {
            var vmax = SIMD8<Float>(repeating: 0)
            let raw = UnsafeRawPointer(x)
            while i + 8 <= count {
                let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                let a = unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
                vmax.replace(with: a, where: a .> vmax)
                i += 8
            }
            amax = vmax.max()
        }
        while i < count { amax = max(amax, abs(x[i])); i += 1 }
        let s = amax / 127
        return f16 ? HalfPrecision.float(fromF16: HalfPrecision.f16Bits(s)) : s
    }

    /// Scalar reference: `q = clamp(rint(x / scale), −127, 127)`, 0 when the scale is 0.
    static func encodeGroupReference(_ x: UnsafePointer<Float>, count: Int, scale: Float, into q: UnsafeMutablePointer<Int8>) {
        for i in 0..<count {
            guard scale > 0 else { q[i] = 0; continue }
            let v = (x[i] / scale).rounded(.toNearestOrEven)
            q[i] = Int8(min(max(v, -127), 127))
        }
    }

    /// Fast path, eight lanes at a time: the reference's division, round-half-even by adding and subtracting
    /// 1.5·2²³ (exact for |v| < 2²²; here |v| ≤ 127·2), the clamp to ±127, then the integer read from the low
    /// mantissa bits of the rounded sum. Tails shorter than 8 go to the reference.
    static func encodeGroupFast(_ x: UnsafePointer<Float>, count: Int, scale: Float, into q: UnsafeMutablePointer<Int8>) {
        guard scale > 0 else { encodeGroupReference(x, count: count, scale: scale, into: q); return }
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let s = SIMD8<Float>(repeating: scale)
        let raw = UnsafeRawPointer(x)
        var j = 0
        while j + 8 <= count {
            var v = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self) / s
            v.replace(with: -127, where: v .< -127)   // clamping before rounding is the same: ±127 are integers
            v.replace(with: 127, where: v .> 127)
            let t = v + magic   // 1.5·2²³ + q exactly, q in the low mantissa bits
            let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
            for l in 0..<8 { q[j + l] = Int8(truncatingIfNeeded: bits[l]) }
            j += 8
        }
        if j < count { encodeGroupReference(x + j, count: count - j, scale: scale, into: q + j) }
    }

    /// Scalar reference: `Float(q) * scale`.
    static func decodeGroupReference(_ q: UnsafePointer<Int8>, count: Int, scale: Float, into y: UnsafeMutablePointer<Float>) {
        for i in 0..<count { y[i] = Float(q[i]) * scale }
    }

    /// Eight lanes per step.
    static func decodeGroupFast(_ q: UnsafePointer<Int8>, count: Int, scale: Float, into y: UnsafeMutablePointer<Float>) {
        guard count % 8 == 0 else { decodeGroupReference(q, count: count, scale: scale, into: y); return }
        let s = SIMD8<Float>(repeating: scale)
        let raw = UnsafeRawPointer(q)
        for j in stride(from: 0, to: count, by: 8) {
            let i = raw.loadUnaligned(fromByteOffset: j, as: SIMD8<Int8>.self)
            UnsafeMutableRawPointer(y + j).storeBytes(of: SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: i)) * s, as: SIMD8<Float>.self)
        }
    }
}
