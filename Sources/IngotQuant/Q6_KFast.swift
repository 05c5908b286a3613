import IngotCore

/// Fast paths for Q6_K: the 16 groups of a super-block in SIMD16 lanes (``KQuantLanes/makeQx``), each lane doing
/// `make_qx_quants`'s exact sequence; and a vectorized decoder. Held equal to ``Q6_K``'s references by `FastPathTests`.
enum Q6_KFast {
    typealias V16 = SIMD16<Float>

    static func encode(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int, into y: UnsafeMutableRawPointer) {
        withUnsafeTemporaryAllocation(of: V16.self, capacity: 16 * 3) { vb in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Q6_K.blockElements) { cb in
                let X = vb.baseAddress!, QW = X + 16, L = QW + 16, codes = cb.baseAddress!
                let qk = Q6_K.blockElements, bytes = Q6_K.blockBytes
                for i in 0..<nb {
                    encodeBlock(x + qk * i, qw.map { $0 + qk * i }, y + bytes * i, bytes, X, QW, L, codes)
                }
            }
        }
    }

    /// `dst[l][g] = src[16g + l]`.
    @inline(__always)
    static func transpose(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<V16>) {
        let d = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self)
        for g in 0..<16 {
            for l in 0..<16 { d[16 * l + g] = src[16 * g + l] }
        }
    }

    @inline(__always)
    static func encodeBlock(_ xs: UnsafePointer<Float>, _ qb: UnsafePointer<Float>?, _ yb: UnsafeMutableRawPointer, _ bytes: Int,
                            _ X: UnsafeMutablePointer<V16>, _ QW: UnsafeMutablePointer<V16>, _ L: UnsafeMutablePointer<V16>,
                            _ codes: UnsafeMutablePointer<UInt8>) {
        transpose(xs, into: X)
        let scales: V16
        if let qb {
            transpose(qb, into: QW)
            scales = KQuantLanes.makeQx(16, 32, X, UnsafePointer(QW), L)
        } else {
            scales = KQuantLanes.makeQx(16, 32, X, nil, L)
        }
        // Strict `>` over groups in order: the first group with the largest |scale| gives the signed max.
        var maxScale: Float = 0, maxAbsScale: Float = 0
        for g in 0..<16 {
            let a = abs(scales[g])
            if a > maxAbsScale { maxAbsScale = a; maxScale = scales[g] }
        }
        if maxAbsScale < QuantMath.groupMaxEps {
            yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            return
        }
        let iscale = -128 / maxScale
        let dh = QuantMath.storeF16(1 / iscale, yb, Q6_K.oD)
        let dAll = HalfPrecision.float(fromF16: dh)
        var dg = V16()
        for g in 0..<16 {
            let s = Int8(truncatingIfNeeded: Swift.min(127, QuantMath.nearestInt(iscale * scales[g])))
            yb.storeBytes(of: s, toByteOffset: Q6_K.oScales + g, as: Int8.self)
            dg[g] = dAll * Float(s)
        }
        let keep = dg .== 0
        let lo = SIMD16<Int32>(repeating: -32), hi = SIMD16<Int32>(repeating: 31)
        for l in 0..<16 {
            var c = pointwiseMax(lo, pointwiseMin(hi, KQuantLanes.nearestInt(X[l] / dg))) &+ 32
            c.replace(with: KQuantLanes.exactInt(L[l]), where: keep)
            for g in 0..<16 { codes[16 * g + l] = UInt8(truncatingIfNeeded: c[g]) }
        }
        Q6_K.pack(codes, into: yb)
    }

    /// `(d * sc) * q` per element as the reference, 32 lanes per step.
    static func decode(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = Q6_K.blockElements, bytes = Q6_K.blockBytes
        let out = UnsafeMutableRawPointer(y)
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, Q6_K.oD)
            for h in 0..<2 {
                let ql = Q6_K.oQl + 64 * h, qh = Q6_K.oQh + 32 * h, sc = Q6_K.oScales + 8 * h
                for half in 0..<2 {
                    let a = SIMD16<Int32>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: ql + 16 * half, as: SIMD16<UInt8>.self))
                    let c = SIMD16<Int32>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: ql + 32 + 16 * half, as: SIMD16<UInt8>.self))
                    let hb = SIMD16<Int32>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: qh + 16 * half, as: SIMD16<UInt8>.self))
                    let q1 = SIMD16<Float>(((a & 0xF) | ((hb & 3) &<< 4)) &- 32)
                    let q2 = SIMD16<Float>(((c & 0xF) | (((hb &>> 2) & 3) &<< 4)) &- 32)
                    let q3 = SIMD16<Float>(((a &>> 4) | (((hb &>> 4) & 3) &<< 4)) &- 32)
                    let q4 = SIMD16<Float>(((c &>> 4) | (((hb &>> 6) & 3) &<< 4)) &- 32)
                    @inline(__always) func s(_ k: Int) -> SIMD16<Float> {
                        SIMD16<Float>(repeating: d * Float(b.load(fromByteOffset: sc + half + k, as: Int8.self)))
                    }
                    let base = (i * qk + 128 * h + 16 * half) * 4
                    out.storeBytes(of: s(0) * q1, toByteOffset: base, as: SIMD16<Float>.self)
                    out.storeBytes(of: s(2) * q2, toByteOffset: base + 128, as: SIMD16<Float>.self)
                    out.storeBytes(of: s(4) * q3, toByteOffset: base + 256, as: SIMD16<Float>.self)
                    out.storeBytes(of: s(6) * q4, toByteOffset: base + 384, as: SIMD16<Float>.self)
                }
            }
        }
    }
}
