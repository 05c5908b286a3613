import IngotCore

/// Q4_1: blocks of 32 four-bit codes with F16 scale and F16 minimum (20 bytes); value = `q * d + m`.
///
/// Bit-exact with ggml's `quantize_row_q4_1_ref` (no importance), `quantize_row_q4_1_impl` (importance:
/// `make_qkx3_quants(32, 15, …, -0.9, 0.05, 36)` with weights `qw * sqrt(sigma2 + x²)`, sigma2 = row mean of x²)
/// and `dequantize_row_q4_1`; proved by `GGMLVectorTests`.
///
/// Layout (`block_q4_1` in ggml-common.h): `{ ggml_half d; ggml_half m; uint8_t qs[QK4_1 / 2]; }, QK4_1 = 32`.
public enum Q4_1: BlockCodec {
    public static let type = ElementType.q4_1

    /// `quantize_q4_1`: `quantize_row_q4_1_ref` without importance, `quantize_row_q4_1_impl` with it.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        if let w = importance {
            encodeWeighted(x, w, blocks: nb, into: y)
        } else {
            encodePlain(x, blocks: nb, into: y)
        }
    }

    /// `quantize_row_q4_1_ref`.
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
            let d = (max - min) / 15
            let id: Float = d != 0 ? 1 / d : 0
            _ = QuantMath.storeF16(d, yb, 0)
            _ = QuantMath.storeF16(min, yb, 2)
            for j in 0..<16 {
                let xi0 = Q4_0.code((xb[j] - min) * id + 0.5, 15)
                let xi1 = Q4_0.code((xb[j + 16] - min) * id + 0.5, 15)
                yb.storeBytes(of: xi0 | (xi1 << 4), toByteOffset: 4 + j, as: UInt8.self)
            }
        }
    }

    /// `quantize_row_q4_1_impl` with importance `qw` (one row).
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
                    let d = QuantMath.makeQkx3Quants(qk, 15, xb, UnsafePointer(w.baseAddress!), L, &min, Laux,
                                                     rmin: -0.9, rdelta: 0.05, nstep: 36, useMAD: false)
                    _ = QuantMath.storeF16(d, yb, 0)
                    _ = QuantMath.storeF16(-min, yb, 2)
                    for j in 0..<16 { yb.storeBytes(of: L[j] | (L[j + 16] << 4), toByteOffset: 4 + j, as: UInt8.self) }
                }
            }
        }
    }

    /// `dequantize_row_q4_1`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, 0), m = QuantMath.loadF16(b, 2)
            for j in 0..<16 {
                let v = b.load(fromByteOffset: 4 + j, as: UInt8.self)
                y[i * qk + j] = Float(v & 0x0F) * d + m
                y[i * qk + j + 16] = Float(v >> 4) * d + m
            }
        }
    }

    /// Sixteen codes at a time; the same `Float(q) * d + m` per element (two roundings, no fusion).
    public static func decodeFast(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        let out = UnsafeMutableRawPointer(y)
        for i in 0..<nb {
            let b = q + i * bytes
            let d = SIMD16<Float>(repeating: QuantMath.loadF16(b, 0))
            let m = SIMD16<Float>(repeating: QuantMath.loadF16(b, 2))
            let v = b.loadUnaligned(fromByteOffset: 4, as: SIMD16<UInt8>.self)
            let lo = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v & 0x0F))
            let hi = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v &>> 4))
            out.storeBytes(of: lo * d + m, toByteOffset: i * qk * 4, as: SIMD16<Float>.self)
            out.storeBytes(of: hi * d + m, toByteOffset: (i * qk + 16) * 4, as: SIMD16<Float>.self)
        }
    }
}
