import IngotCore

/// Q4_K: super-blocks of 256 (144 bytes): 8 sub-blocks of 32 four-bit codes, each with a 6-bit scale and 6-bit
/// min, F16 super-scales `d` and `dmin`; value = `d*sc*q - dmin*m`.
///
/// Bit-exact with ggml's `quantize_row_q4_K_ref` (no importance: `make_qkx2_quants(32, 15, …, -1, 0.1, 20)` with
/// weights `av_x + |x|`), `quantize_row_q4_K_impl` (importance: `make_qkx3_quants` + `make_qp_quants` for the
/// scales) and `dequantize_row_q4_K`; proved by `GGMLVectorTests`. `Q4_KFast` holds the lane-parallel encoder and
/// the vectorized decoder, tested equal to these references by `FastPathTests`.
public enum Q4_K: BlockCodec {
    public static let type = ElementType.q4_K
    static let oD = 0, oDmin = 2, oScales = 4, oQs = 16

    /// The lane-parallel encoder (``KQuant45Fast``), bytes equal to ``encodeReference(_:_:blocks:into:)``.
    public static func encodeFast(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                  into y: UnsafeMutableRawPointer) {
        KQuant45Fast.encode(x, importance, blocks: nb, into: y, nmax: 15, qk: blockElements, bytes: blockBytes, highBits: false)
    }

    /// The vectorized decoder (``Q4_KFast/decode(_:blocks:into:)``).
    public static func decodeFast(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        Q4_KFast.decode(q, blocks: nb, into: y)
    }

    /// `quantize_row_q4_K_ref` when `qw` is nil, `quantize_row_q4_K_impl` otherwise.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        KQuant45.encode(x, qw, blocks: nb, into: y, nmax: 15, qk: blockElements, bytes: blockBytes, highBits: false)
    }

    /// `dequantize_row_q4_K`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into out: UnsafeMutablePointer<Float>) {
        let bytes = blockBytes
        var y = out
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, oD), min = QuantMath.loadF16(b, oDmin)
            for c in 0..<4 {
                let (sc1, m1) = KQuantPacking.scaleMinK4(2 * c, b, oScales)
                let (sc2, m2) = KQuantPacking.scaleMinK4(2 * c + 1, b, oScales)
                let d1 = d * Float(sc1), mm1 = min * Float(m1)
                let d2 = d * Float(sc2), mm2 = min * Float(m2)
                for l in 0..<32 { y[l] = d1 * Float(b.load(fromByteOffset: oQs + 32 * c + l, as: UInt8.self) & 0xF) - mm1 }
                for l in 0..<32 { y[32 + l] = d2 * Float(b.load(fromByteOffset: oQs + 32 * c + l, as: UInt8.self) >> 4) - mm2 }
                y += 64
            }
        }
    }
}

/// The shared body of Q4_K and Q5_K's reference quantizers (they differ only in nmax, search parameters and the
/// packing of the fifth bit).
enum KQuant45 {
    static func encode(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                       into y: UnsafeMutableRawPointer, nmax: Int32, qk: Int, bytes: Int, highBits: Bool) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: qk + 32 + 8 + 8 + 12) { u8 in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 3 * 8) { f in
                let L = u8.baseAddress!, Laux = L + qk, Ls = Laux + 32, Lm = Ls + 8, sc12 = Lm + 8
                let weights = f.baseAddress!, mins = weights + 32, scales = mins + 8, sw = scales + 8
                for i in 0..<nb {
                    let xs = x + i * qk, yb = y + i * bytes
                    for k in 0..<12 { sc12[k] = 0 }
                    var d: Float, dmin: Float
                    if let qw {
                        let qb = qw + i * qk
                        var sumX2: Float = 0
                        for l in 0..<qk { sumX2 += xs[l] * xs[l] }
                        let sigma2 = 2 * sumX2 / Float(qk)
                        for j in 0..<8 {
                            let q = qb + 32 * j
                            for l in 0..<32 { weights[l] = q[l] * (sigma2 + xs[32 * j + l] * xs[32 * j + l]).squareRoot() }
                            var sumw: Float = 0
                            for l in 0..<32 { sumw += weights[l] }
                            sw[j] = sumw
                            scales[j] = QuantMath.makeQkx3Quants(32, nmax, xs + 32 * j, UnsafePointer(weights), L + 32 * j,
                                                                 &mins[j], Laux, rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false)
                        }
                        d = QuantMath.makeQpQuants(8, 63, scales, Ls, sw)
                        dmin = QuantMath.makeQpQuants(8, 63, mins, Lm, sw)
                        if highBits {  // Q5_K's impl clamps; Q4_K's does not (make_qp_quants already caps at 63)
                            for j in 0..<8 { Ls[j] = Swift.min(63, Ls[j]); Lm[j] = Swift.min(63, Lm[j]) }
                        }
                    } else {
                        var maxScale: Float = 0, maxMin: Float = 0
                        for j in 0..<8 {
                            var sumX2: Float = 0
                            for l in 0..<32 { sumX2 += xs[32 * j + l] * xs[32 * j + l] }
                            let avX = (sumX2 / 32).squareRoot()
                            for l in 0..<32 { weights[l] = avX + abs(xs[32 * j + l]) }
                            scales[j] = nmax == 15
                                ? QuantMath.makeQkx2Quants(32, 15, xs + 32 * j, weights, L + 32 * j, &mins[j], Laux,
                                                           rmin: -1, rdelta: 0.1, nstep: 20, useMAD: false)
                                : QuantMath.makeQkx2Quants(32, 31, xs + 32 * j, weights, L + 32 * j, &mins[j], Laux,
                                                           rmin: -0.5, rdelta: 0.1, nstep: 15, useMAD: false)
                            if scales[j] > maxScale { maxScale = scales[j] }
                            if mins[j] > maxMin { maxMin = mins[j] }
                        }
                        let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
                        let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
                        for j in 0..<8 {
                            Ls[j] = Swift.min(63, UInt8(truncatingIfNeeded: QuantMath.nearestInt(invScale * scales[j])))
                            Lm[j] = Swift.min(63, UInt8(truncatingIfNeeded: QuantMath.nearestInt(invMin * mins[j])))
                        }
                        d = maxScale / 63
                        dmin = maxMin / 63
                    }
                    KQuantPacking.packScaleMinK4({ Ls[$0] }, { Lm[$0] }, into: sc12)
                    let dh = QuantMath.storeF16(d, yb, 0)
                    let mh = QuantMath.storeF16(dmin, yb, 2)
                    for k in 0..<12 { yb.storeBytes(of: sc12[k], toByteOffset: 4 + k, as: UInt8.self) }
                    let dAll = HalfPrecision.float(fromF16: dh), mAll = HalfPrecision.float(fromF16: mh)
                    for j in 0..<8 {
                        let (sc, m) = KQuantPacking.scaleMinK4(j, UnsafePointer(sc12))
                        let dj = dAll * Float(sc)
                        if dj == 0 { continue }
                        let dm = mAll * Float(m)
                        for ii in 0..<32 {
                            let l = QuantMath.nearestInt((xs[32 * j + ii] + dm) / dj)
                            L[32 * j + ii] = UInt8(Swift.max(0, Swift.min(nmax, l)))
                        }
                    }
                    if highBits {
                        packQ5(L, into: yb)
                    } else {
                        for c in 0..<4 {
                            for l in 0..<32 {
                                yb.storeBytes(of: L[64 * c + l] | (L[64 * c + l + 32] << 4), toByteOffset: 16 + 32 * c + l, as: UInt8.self)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Q5_K packing: qh (32 bytes at 16) gets bit 2c / 2c+1 for codes above 15, qs (128 bytes at 48) the nibbles.
    @inline(__always)
    static func packQ5(_ L: UnsafePointer<UInt8>, into yb: UnsafeMutableRawPointer) {
        for j in 0..<32 { yb.storeBytes(of: 0, toByteOffset: 16 + j, as: UInt8.self) }
        var m1: UInt8 = 1, m2: UInt8 = 2
        for c in 0..<4 {
            for j in 0..<32 {
                var l1 = L[64 * c + j], l2 = L[64 * c + j + 32]
                var qh = yb.load(fromByteOffset: 16 + j, as: UInt8.self)
                if l1 > 15 { l1 -= 16; qh |= m1 }
                if l2 > 15 { l2 -= 16; qh |= m2 }
                yb.storeBytes(of: qh, toByteOffset: 16 + j, as: UInt8.self)
                yb.storeBytes(of: l1 | (l2 << 4), toByteOffset: 48 + 32 * c + j, as: UInt8.self)
            }
            m1 <<= 2; m2 <<= 2
        }
    }
}
