import IngotCore

/// Q5_0: blocks of 32 five-bit codes with one F16 scale (22 bytes: d, 32 high bits, 16 nibble bytes);
/// value = `(q - 16) * d`.
///
/// Bit-exact with ggml's `quantize_row_q5_0_ref`, `quantize_row_q5_0_impl` (importance:
/// `make_qx_quants(32, 16, …, rmse 1)` with weights `qw * sqrt(sigma2 + x²)`) and `dequantize_row_q5_0`;
/// proved by `GGMLVectorTests`.
///
/// Layout (`block_q5_0` in ggml-common.h): `{ ggml_half d; uint8_t qh[4]; uint8_t qs[QK5_0 / 2]; }, QK5_0 = 32`.
public enum Q5_0: BlockCodec {
    public static let type = ElementType.q5_0

    /// `quantize_q5_0`: `quantize_row_q5_0_ref` without importance, `quantize_row_q5_0_impl` with it.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        if let w = importance {
            encodeWeighted(x, w, blocks: nb, into: y)
        } else {
            encodePlain(x, blocks: nb, into: y)
        }
    }

    /// Packs 32 five-bit codes as ggml does: low nibbles in qs (elem j low, j+16 high), bit 4 of elem j in qh bit j.
    @inline(__always)
    static func pack(_ code: (Int) -> UInt8, into yb: UnsafeMutableRawPointer, qhOffset: Int) {
        var qh: UInt32 = 0
        for j in 0..<16 {
            let xi0 = code(j), xi1 = code(j + 16)
            yb.storeBytes(of: (xi0 & 0x0F) | ((xi1 & 0x0F) << 4), toByteOffset: qhOffset + 4 + j, as: UInt8.self)
            qh |= (UInt32(xi0 & 0x10) >> 4) << UInt32(j)
            qh |= (UInt32(xi1 & 0x10) >> 4) << UInt32(j + 16)
        }
        yb.storeBytes(of: qh.littleEndian, toByteOffset: qhOffset, as: UInt32.self)
    }

    /// `quantize_row_q5_0_ref`.
    static func encodePlain(_ x: UnsafePointer<Float>, blocks nb: Int, into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let xb = x + i * qk, yb = y + i * bytes
            var amax: Float = 0, max: Float = 0
            for j in 0..<qk {
                let v = xb[j]
                if amax < abs(v) { amax = abs(v); max = v }
            }
            let d = max / -16
            let id: Float = d != 0 ? 1 / d : 0
            _ = QuantMath.storeF16(d, yb, 0)
            pack({ Q4_0.code(xb[$0] * id + 16.5, 31) }, into: yb, qhOffset: 2)
        }
    }

    /// `quantize_row_q5_0_impl` with importance `qw` (one row).
    static func encodeWeighted(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, blocks nb: Int,
                                      into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let n = nb * qk
        var sumX2: Float = 0
        for j in 0..<n { sumX2 += x[j] * x[j] }
        let sigma2 = sumX2 / Float(n)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: qk) { w in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: qk) { l in
                for ib in 0..<nb {
                    let xb = x + qk * ib, q = qw + qk * ib, yb = y + ib * bytes
                    for j in 0..<qk { w[j] = q[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
                    let d = QuantMath.makeQxQuants(qk, 16, xb, l.baseAddress!, rmseType: 1, UnsafePointer(w.baseAddress!))
                    _ = QuantMath.storeF16(d, yb, 0)
                    pack({ UInt8(bitPattern: l[$0]) }, into: yb, qhOffset: 2)
                }
            }
        }
    }

    /// `dequantize_row_q5_0`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, 0)
            let qh = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            for j in 0..<16 {
                let v = b.load(fromByteOffset: 6 + j, as: UInt8.self)
                let xh0 = UInt8(truncatingIfNeeded: (qh >> UInt32(j)) << 4) & 0x10
                let xh1 = UInt8(truncatingIfNeeded: qh >> UInt32(j + 12)) & 0x10
                y[i * qk + j] = Float(Int32((v & 0x0F) | xh0) - 16) * d
                y[i * qk + j + 16] = Float(Int32((v >> 4) | xh1) - 16) * d
            }
        }
    }

    /// The 32 high bits spread to lanes with a shift table; same `Float(q - 16) * d` per element.
    public static func decodeFast(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        let out = UnsafeMutableRawPointer(y)
        let shifts = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        for i in 0..<nb {
            let b = q + i * bytes
            let d = SIMD16<Float>(repeating: QuantMath.loadF16(b, 0))
            let qh = SIMD16<UInt32>(repeating: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 2, as: UInt32.self)))
            let v = SIMD16<UInt32>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: 6, as: SIMD16<UInt8>.self))
            let h0 = ((qh &>> shifts) & 1) &<< 4
            let h1 = ((qh &>> (shifts &+ 16)) & 1) &<< 4
            let lo = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: (v & 0x0F) | h0) &- 16)
            let hi = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: (v &>> 4) | h1) &- 16)
            out.storeBytes(of: lo * d, toByteOffset: i * qk * 4, as: SIMD16<Float>.self)
            out.storeBytes(of: hi * d, toByteOffset: (i * qk + 16) * 4, as: SIMD16<Float>.self)
        }
    }
}
