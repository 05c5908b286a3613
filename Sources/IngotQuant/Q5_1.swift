import IngotCore

/// Q5_1: blocks of 32 five-bit codes with F16 scale and minimum (24 bytes); value = `q * d + m`.
///
/// Bit-exact with ggml's `quantize_row_q5_1_ref`, `quantize_row_q5_1_impl` (importance:
/// `make_qkx3_quants(32, 31, …, -0.9, 0.05, 36)`) and `dequantize_row_q5_1`; proved by `GGMLVectorTests`.
///
/// Layout (`block_q5_1` in ggml-common.h): `{ ggml_half d; ggml_half m; uint8_t qh[4]; uint8_t qs[QK5_1 / 2]; }, QK5_1 = 32`.
public enum Q5_1: BlockCodec {
    public static let type = ElementType.q5_1

    /// `quantize_q5_1`: `quantize_row_q5_1_ref` without importance, `quantize_row_q5_1_impl` with it.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        if let w = importance {
            encodeWeighted(x, w, blocks: nb, into: y)
        } else {
            encodePlain(x, blocks: nb, into: y)
        }
    }

    /// `quantize_row_q5_1_ref`.
    static func encodePlain(_ x: UnsafePointer<Float>, blocks nb: Int, into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let xb = x + i * qk, yb = y + i * bytes
            var min = Float.greatestFiniteMagnitude, max = -Float.greatestFiniteMagnitude
            for j in 0..<qk {
                let v = xb[j]
                if v < min { min = v }
                if v > max { max = v }
            }
            let d = (max - min) / 31
            let id: Float = d != 0 ? 1 / d : 0
            _ = QuantMath.storeF16(d, yb, 0)
            _ = QuantMath.storeF16(min, yb, 2)
            // `(uint8_t)(x0 + 0.5f)`, no clamp.
            Q5_0.pack({ UInt8(truncatingIfNeeded: QuantMath.truncToInt32((xb[$0] - min) * id + 0.5)) }, into: yb, qhOffset: 4)
        }
    }

    /// `quantize_row_q5_1_impl` with importance `qw` (one row).
    static func encodeWeighted(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, blocks nb: Int,
                                      into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let n = nb * qk
        var sumX2: Float = 0
        for j in 0..<n { sumX2 += x[j] * x[j] }
        let sigma2 = sumX2 / Float(n)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: qk) { w in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * qk) { codes in
                let L = codes.baseAddress!, Laux = L + qk
                for ib in 0..<nb {
                    let xb = x + qk * ib, q = qw + qk * ib, yb = y + ib * bytes
                    for j in 0..<qk { w[j] = q[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
                    var min: Float = 0
                    let d = QuantMath.makeQkx3Quants(qk, 31, xb, UnsafePointer(w.baseAddress!), L, &min, Laux,
                                                     rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false)
                    _ = QuantMath.storeF16(d, yb, 0)
                    _ = QuantMath.storeF16(-min, yb, 2)
                    Q5_0.pack({ L[$0] }, into: yb, qhOffset: 4)
                }
            }
        }
    }

    /// `dequantize_row_q5_1`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, 0), m = QuantMath.loadF16(b, 2)
            let qh = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            for j in 0..<16 {
                let v = b.load(fromByteOffset: 8 + j, as: UInt8.self)
                let xh0 = UInt8(truncatingIfNeeded: (qh >> UInt32(j)) << 4) & 0x10
                let xh1 = UInt8(truncatingIfNeeded: qh >> UInt32(j + 12)) & 0x10
                y[i * qk + j] = Float((v & 0x0F) | xh0) * d + m
                y[i * qk + j + 16] = Float((v >> 4) | xh1) * d + m
            }
        }
    }

    /// Lanes as in ``Q5_0/decodeFast(_:blocks:into:)``; same `Float(q) * d + m` per element.
    public static func decodeFast(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        let out = UnsafeMutableRawPointer(y)
        let shifts = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        for i in 0..<nb {
            let b = q + i * bytes
            let d = SIMD16<Float>(repeating: QuantMath.loadF16(b, 0))
            let m = SIMD16<Float>(repeating: QuantMath.loadF16(b, 2))
            let qh = SIMD16<UInt32>(repeating: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            let v = SIMD16<UInt32>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: 8, as: SIMD16<UInt8>.self))
            let h0 = ((qh &>> shifts) & 1) &<< 4
            let h1 = ((qh &>> (shifts &+ 16)) & 1) &<< 4
            let lo = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: (v & 0x0F) | h0))
            let hi = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: (v &>> 4) | h1))
            out.storeBytes(of: lo * d + m, toByteOffset: i * qk * 4, as: SIMD16<Float>.self)
            out.storeBytes(of: hi * d + m, toByteOffset: (i * qk + 16) * 4, as: SIMD16<Float>.self)
        }
    }
}
