import IngotCore

/// Dot products of one stored row with a float vector, without materialising the decoded row:
/// `Σ decode(q)[i] · x[i]` for `count` elements (a multiple of the type's block).
///
/// The fast kernels (F16, Q8_0, Q4_K, Q6_K) keep SIMD16 accumulators and fold each block's scale in once per
/// (sub-)block, so their float rounding differs from a left-to-right sum: `BlockDotTests` holds both them and
/// ``dotReference(_:_:_:count:)`` within the worst-case summation bound n·2⁻²⁴·Σ|qᵢxᵢ| of the exact (Double) dot.
/// Other types decode into a small scratch buffer block run by block run and use the same accumulation.
public enum BlockDot {
    /// The dot product of `count` elements of `type` at `q` with `x`.
    /// - Precondition: `count` is a multiple of `type.blockElements` and `type` is F32, F16, BF16 or has a codec.
    public static func dot(_ type: ElementType, _ q: UnsafeRawPointer, _ x: UnsafePointer<Float>, count n: Int) -> Float {
        precondition(n % type.blockElements == 0, "dot: \(n) elements are not whole \(type.displayName) blocks")
        switch type {
        case .f16: return dotF16(q, x, n)
        case .q8_0: return dotQ8_0(q, x, n)
        case .q4_K: return dotQ4_K(q, x, n)
        case .q6_K: return dotQ6_K(q, x, n)
        default: return dotByDecoding(type, q, x, n)
        }
    }

    /// The plain reference: decode the row with the scalar reference decoder, then sum left to right.
    public static func dotReference(_ type: ElementType, _ q: UnsafeRawPointer, _ x: UnsafePointer<Float>, count n: Int) -> Float {
        var y = [Float](repeating: 0, count: n)
        y.withUnsafeMutableBufferPointer { yb in
            if !ElementConversion.toFloat(type, q, yb.baseAddress!, count: n) {
                Codecs.codec(for: type)!.decodeReference(q, blocks: n / type.blockElements, into: yb.baseAddress!)
            }
        }
        var s: Float = 0
        for i in 0..<n { s += y[i] * x[i] }
        return s
    }

    // MARK: - Kernels

    @inline(__always) static func load16(_ x: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    static func dotF16(_ q: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            let h0 = HalfPrecision.float(fromF16: q.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self))
            let h1 = HalfPrecision.float(fromF16: q.loadUnaligned(fromByteOffset: 2 * i + 16, as: SIMD8<UInt16>.self))
            acc0 += h0 * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            acc1 += h1 * UnsafeRawPointer(x + i + 8).loadUnaligned(as: SIMD8<Float>.self)
            i += 16
        }
        var s = (acc0 + acc1).sum()
        while i < n {
            s += HalfPrecision.float(fromF16: q.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) * x[i]
            i += 1
        }
        return s
    }

    /// Two SIMD16 loads per block: written for Q8_0's 32-element blocks.
    static func dotQ8_0(_ q: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let qk = Q8_0.blockElements, bytes = Q8_0.blockBytes
        var acc = SIMD16<Float>()
        for b in 0..<(n / qk) {
            let blk = q + bytes * b
            let d = QuantMath.loadF16(blk, 0)
            let q0 = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: blk.loadUnaligned(fromByteOffset: Q8_0.oQs, as: SIMD16<Int8>.self)))
            let q1 = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: blk.loadUnaligned(fromByteOffset: Q8_0.oQs + 16, as: SIMD16<Int8>.self)))
            let part = q0 * load16(x, qk * b) + q1 * load16(x, qk * b + 16)
            acc += part * d
        }
        return acc.sum()
    }

    static func dotQ4_K(_ q: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let qk = Q4_K.blockElements, bytes = Q4_K.blockBytes
        var acc = SIMD16<Float>()
        for b in 0..<(n / qk) {
            let blk = q + bytes * b
            let d = QuantMath.loadF16(blk, Q4_K.oD), dmin = QuantMath.loadF16(blk, Q4_K.oDmin)
            let xb = x + qk * b
            for c in 0..<4 {
                let (sc1, m1) = KQuantPacking.scaleMinK4(2 * c, blk, Q4_K.oScales)
                let (sc2, m2) = KQuantPacking.scaleMinK4(2 * c + 1, blk, Q4_K.oScales)
                var qx1 = SIMD16<Float>(), qx2 = SIMD16<Float>(), sx1 = SIMD16<Float>(), sx2 = SIMD16<Float>()
                for h in 0..<2 {
                    let v = blk.loadUnaligned(fromByteOffset: Q4_K.oQs + 32 * c + 16 * h, as: SIMD16<UInt8>.self)
                    let lo = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v & 0x0F))
                    let hi = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v &>> 4))
                    let x1 = load16(xb, 64 * c + 16 * h), x2 = load16(xb, 64 * c + 32 + 16 * h)
                    qx1 += lo * x1; sx1 += x1
                    qx2 += hi * x2; sx2 += x2
                }
                acc += qx1 * (d * Float(sc1)) - sx1 * (dmin * Float(m1))
                acc += qx2 * (d * Float(sc2)) - sx2 * (dmin * Float(m2))
            }
        }
        return acc.sum()
    }

    static func dotQ6_K(_ q: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let qk = Q6_K.blockElements, bytes = Q6_K.blockBytes
        var acc = SIMD16<Float>()
        for b in 0..<(n / qk) {
            let blk = q + bytes * b
            let d = QuantMath.loadF16(blk, Q6_K.oD)
            let xb = x + qk * b
            for h in 0..<2 {
                let ql = Q6_K.oQl + 64 * h, qh = Q6_K.oQh + 32 * h, sc = Q6_K.oScales + 8 * h
                for half in 0..<2 {
                    let a = SIMD16<Int32>(truncatingIfNeeded: blk.loadUnaligned(fromByteOffset: ql + 16 * half, as: SIMD16<UInt8>.self))
                    let c = SIMD16<Int32>(truncatingIfNeeded: blk.loadUnaligned(fromByteOffset: ql + 32 + 16 * half, as: SIMD16<UInt8>.self))
                    let hb = SIMD16<Int32>(truncatingIfNeeded: blk.loadUnaligned(fromByteOffset: qh + 16 * half, as: SIMD16<UInt8>.self))
                    let q1 = SIMD16<Float>(((a & 0xF) | ((hb & 3) &<< 4)) &- 32)
                    let q2 = SIMD16<Float>(((c & 0xF) | (((hb &>> 2) & 3) &<< 4)) &- 32)
                    let q3 = SIMD16<Float>(((a &>> 4) | (((hb &>> 4) & 3) &<< 4)) &- 32)
                    let q4 = SIMD16<Float>(((c &>> 4) | (((hb &>> 6) & 3) &<< 4)) &- 32)
                    @inline(__always) func s(_ k: Int) -> Float { d * Float(blk.load(fromByteOffset: sc + half + k, as: Int8.self)) }
                    let o = 128 * h + 16 * half
                    acc += (q1 * load16(xb, o)) * s(0)
                    acc += (q2 * load16(xb, o + 32)) * s(2)
                    acc += (q3 * load16(xb, o + 64)) * s(4)
                    acc += (q4 * load16(xb, o + 96)) * s(6)
                }
            }
        }
        return acc.sum()
    }

    /// Any other type: decode 256-element runs into a stack buffer and accumulate in SIMD16 lanes.
    static func dotByDecoding(_ type: ElementType, _ q: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let qk = type.blockElements
        let run = max(qk, 256 / qk * qk)
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: run) { tmp in
            var acc = SIMD16<Float>()
            var tail: Float = 0
            var i = 0
            while i < n {
                let m = min(run, n - i)
                let blocks = m / qk
                let src = q + i / qk * type.blockBytes
                if !ElementConversion.toFloat(type, src, tmp.baseAddress!, count: m) {
                    Codecs.codec(for: type)!.decode(UnsafeRawBufferPointer(start: src, count: blocks * type.blockBytes),
                                                    into: UnsafeMutableBufferPointer(rebasing: tmp[0..<m]))
                }
                var j = 0
                while j + 16 <= m { acc += load16(tmp.baseAddress!, j) * load16(x, i + j); j += 16 }
                while j < m { tail += tmp[j] * x[i + j]; j += 1 }
                i += m
            }
            return acc.sum() + tail
        }
    }
}
