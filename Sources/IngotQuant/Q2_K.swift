import IngotCore

/// Q2_K: super-blocks of 256 (84 bytes): 16 groups of 16 two-bit codes, each group with a 4-bit scale and 4-bit
/// min, F16 super-scales `d` and `dmin`; value = `d*(sc&15)*q - dmin*(sc>>4)`.
///
/// Bit-exact with ggml's `quantize_row_q2_K_ref` (no importance), `quantize_row_q2_K_impl` (importance) and
/// `dequantize_row_q2_K`; proved by `GGMLVectorTests`.
public enum Q2_K: BlockCodec {
    public static let type = ElementType.q2_K
    static let oScales = 0, oQs = 16, oD = 80, oDmin = 82

    /// `quantize_row_q2_K_ref` when `qw` is nil, `quantize_row_q2_K_impl` otherwise.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: qk + 16 + 16 + 16 + bytes) { u8 in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * 4) { f in
                let L = u8.baseAddress!, Laux = L + qk, Ls = Laux + 16, Lm = Ls + 16, blk = Lm + 16
                let weights = f.baseAddress!, mins = weights + 16, scales = mins + 16, sw = scales + 16
                for i in 0..<nb {
                    let xs = x + i * qk
                    blk.initialize(repeating: 0, count: bytes)
                    if let qw {
                        encodeWeightedBlock(xs, qw + i * qk, L, Laux, Ls, Lm, weights, mins, scales, sw, blk)
                    } else {
                        encodeReferenceBlock(xs, L, Laux, weights, mins, scales, blk)
                    }
                    (y + i * bytes).copyMemory(from: blk, byteCount: bytes)
                }
            }
        }
    }

    static func encodeReferenceBlock(_ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<UInt8>,
                                     _ Laux: UnsafeMutablePointer<UInt8>, _ weights: UnsafeMutablePointer<Float>,
                                     _ mins: UnsafeMutablePointer<Float>, _ scales: UnsafeMutablePointer<Float>,
                                     _ blk: UnsafeMutablePointer<UInt8>) {
        let q4scale: Float = 15
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<16 {
            for l in 0..<16 { weights[l] = abs(x[16 * j + l]) }
            scales[j] = QuantMath.makeQkx2Quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux,
                                                 rmin: -0.5, rdelta: 0.1, nstep: 15, useMAD: true)
            if scales[j] > maxScale { maxScale = scales[j] }
            if mins[j] > maxMin { maxMin = mins[j] }
        }
        let raw = UnsafeMutableRawPointer(blk)
        if maxScale > 0 {
            let iscale = q4scale / maxScale
            for j in 0..<16 { blk[oScales + j] = UInt8(truncatingIfNeeded: QuantMath.nearestInt(iscale * scales[j])) }
            _ = QuantMath.storeF16(maxScale / q4scale, raw, oD)
        } else {
            for j in 0..<16 { blk[oScales + j] = 0 }
            _ = QuantMath.storeF16(0, raw, oD)
        }
        if maxMin > 0 {
            let iscale = q4scale / maxMin
            for j in 0..<16 {
                let l = QuantMath.nearestInt(iscale * mins[j])
                blk[oScales + j] |= UInt8(truncatingIfNeeded: l << 4)
            }
            _ = QuantMath.storeF16(maxMin / q4scale, raw, oDmin)
        } else {
            _ = QuantMath.storeF16(0, raw, oDmin)
        }
        requantize(x, L, blk)
    }

    static func encodeWeightedBlock(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, _ L: UnsafeMutablePointer<UInt8>,
                                    _ Laux: UnsafeMutablePointer<UInt8>, _ Ls: UnsafeMutablePointer<UInt8>,
                                    _ Lm: UnsafeMutablePointer<UInt8>, _ weight: UnsafeMutablePointer<Float>,
                                    _ mins: UnsafeMutablePointer<Float>, _ scales: UnsafeMutablePointer<Float>,
                                    _ sw: UnsafeMutablePointer<Float>, _ blk: UnsafeMutablePointer<UInt8>) {
        let qk = blockElements
        for j in 0..<16 { sw[j] = 0 }
        var sumx2: Float = 0
        for j in 0..<qk { sumx2 += x[j] * x[j] }
        let sigma2 = sumx2 / Float(qk)
        for j in 0..<16 {
            let q = qw + 16 * j
            for l in 0..<16 { weight[l] = q[l] * (sigma2 + x[16 * j + l] * x[16 * j + l]).squareRoot() }
            for l in 0..<16 { sw[j] += weight[l] }
            scales[j] = QuantMath.makeQkx3Quants(16, 3, x + 16 * j, UnsafePointer(weight), L + 16 * j, &mins[j], Laux,
                                                 rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false)
        }
        let dm = QuantMath.makeQpQuants(16, 15, scales, Ls, sw)
        let mm = QuantMath.makeQpQuants(16, 15, mins, Lm, sw)
        let raw = UnsafeMutableRawPointer(blk)
        _ = QuantMath.storeF16(dm, raw, oD)
        _ = QuantMath.storeF16(mm, raw, oDmin)
        for j in 0..<16 { blk[oScales + j] = Ls[j] | (Lm[j] << 4) }
        requantize(x, L, blk)
    }

    /// Codes from the stored (F16-rounded) scales; groups whose scale is zero keep the search's codes. Then packs.
    @inline(__always)
    static func requantize(_ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<UInt8>, _ blk: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeRawPointer(blk)
        let dAll = QuantMath.loadF16(raw, oD), mAll = QuantMath.loadF16(raw, oDmin)
        for j in 0..<16 {
            let sc = blk[oScales + j]
            let d = dAll * Float(sc & 0xF)
            if d == 0 { continue }
            let dm = mAll * Float(sc >> 4)
            for ii in 0..<16 {
                let l = QuantMath.nearestInt((x[16 * j + ii] + dm) / d)
                L[16 * j + ii] = UInt8(Swift.max(0, Swift.min(3, l)))
            }
        }
        KQuantPacking.pack2Bit(L, into: blk + oQs)
    }

    /// `dequantize_row_q2_K`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into out: UnsafeMutablePointer<Float>) {
        let bytes = blockBytes
        var y = out
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, oD), min = QuantMath.loadF16(b, oDmin)
            var isc = 0
            for n in 0..<2 {
                let qo = oQs + 32 * n
                var shift: UInt8 = 0
                for _ in 0..<4 {
                    for half in 0..<2 {
                        let sc = b.load(fromByteOffset: oScales + isc, as: UInt8.self); isc += 1
                        let dl = d * Float(sc & 0xF), ml = min * Float(sc >> 4)
                        for l in 0..<16 {
                            let v = (b.load(fromByteOffset: qo + 16 * half + l, as: UInt8.self) >> shift) & 3
                            y.pointee = dl * Float(v) - ml
                            y += 1
                        }
                    }
                    shift += 2
                }
            }
        }
    }
}
