import IngotCore

/// Q4_0: blocks of 32 four-bit codes with one F16 scale (18 bytes); value = `(q - 8) * d`.
///
/// Bit-exact with ggml's `quantize_row_q4_0_ref` (no importance), `quantize_row_q4_0_impl` (importance: weights
/// `qw * sqrt(sigma2 + x²)` with sigma2 = mean x² of the whole row, `make_qx_quants(32, 8, …, rmse 1)`) and
/// `dequantize_row_q4_0`; proved by `GGMLVectorTests`.
///
/// Layout (`block_q4_0` in ggml-common.h): `{ ggml_half d; uint8_t qs[QK4_0 / 2]; }, QK4_0 = 32`.
public enum Q4_0: BlockCodec {
    public static let type = ElementType.q4_0

    /// `quantize_q4_0`: `quantize_row_q4_0_ref` without importance, `quantize_row_q4_0_impl` with it.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        if let w = importance {
            encodeWeighted(x, w, blocks: nb, into: y)
        } else {
            encodePlain(x, blocks: nb, into: y)
        }
    }

    /// `quantize_row_q4_0_ref`.
    static func encodePlain(_ x: UnsafePointer<Float>, blocks nb: Int, into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let xb = x + i * qk, yb = y + i * bytes
            var amax: Float = 0, max: Float = 0
            for j in 0..<qk {
                let v = xb[j]
                if amax < abs(v) { amax = abs(v); max = v }
            }
            let d = max / -8
            let id: Float = d != 0 ? 1 / d : 0
            _ = QuantMath.storeF16(d, yb, 0)
            for j in 0..<16 {
                let xi0 = code(xb[j] * id + 8.5, 15)
                let xi1 = code(xb[j + 16] * id + 8.5, 15)
                yb.storeBytes(of: xi0 | (xi1 << 4), toByteOffset: 2 + j, as: UInt8.self)
            }
        }
    }

    /// `MIN(limit, (int8_t)(v))` stored as `uint8_t`, with x86's conversion of out-of-range values.
    @inline(__always) static func code(_ v: Float, _ limit: Int32) -> UInt8 {
        let i8 = Int32(Int8(truncatingIfNeeded: QuantMath.truncToInt32(v)))
        return UInt8(truncatingIfNeeded: Swift.min(limit, i8))
    }

    /// `quantize_row_q4_0_impl` with importance `qw` (one row).
    static func encodeWeighted(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, blocks nb: Int,
                                      into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let n = nb * qk
        var sumX2: Float = 0
        for j in 0..<n { sumX2 += x[j] * x[j] }
        let sigma2 = sumX2 / Float(n)
        var weight = [Float](repeating: 0, count: qk)
        var L = [Int8](repeating: 0, count: qk)
        weight.withUnsafeMutableBufferPointer { w in
            L.withUnsafeMutableBufferPointer { l in
                for ib in 0..<nb {
                    let xb = x + qk * ib, q = qw + qk * ib, yb = y + ib * bytes
                    for j in 0..<qk { w[j] = q[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
                    let d = QuantMath.makeQxQuants(qk, 8, xb, l.baseAddress!, rmseType: 1, UnsafePointer(w.baseAddress!))
                    _ = QuantMath.storeF16(d, yb, 0)
                    for j in 0..<16 {
                        let b = UInt8(bitPattern: l[j]) | (UInt8(bitPattern: l[j + 16]) << 4)
                        yb.storeBytes(of: b, toByteOffset: 2 + j, as: UInt8.self)
                    }
                }
            }
        }
    }

    /// `dequantize_row_q4_0`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, 0)
            for j in 0..<16 {
                let v = b.load(fromByteOffset: 2 + j, as: UInt8.self)
                y[i * qk + j] = Float(Int32(v & 0x0F) - 8) * d
                y[i * qk + j + 16] = Float(Int32(v >> 4) - 8) * d
            }
        }
    }

    /// Sixteen codes at a time; the same `Float(q - 8) * d` per element.
    public static func decodeFast(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        let out = UnsafeMutableRawPointer(y)
        for i in 0..<nb {
            let b = q + i * bytes
            let d = SIMD16<Float>(repeating: QuantMath.loadF16(b, 0))
            let v = b.loadUnaligned(fromByteOffset: 2, as: SIMD16<UInt8>.self)
            let lo = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v & 0x0F) &- 8)
            let hi = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v &>> 4) &- 8)
            out.storeBytes(of: lo * d, toByteOffset: i * qk * 4, as: SIMD16<Float>.self)
            out.storeBytes(of: hi * d, toByteOffset: (i * qk + 16) * 4, as: SIMD16<Float>.self)
        }
    }
}
