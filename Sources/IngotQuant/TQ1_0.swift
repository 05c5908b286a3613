import IngotCore

/// TQ1_0 (54 bytes / 256 elements, ternary, 1.6875 bpw) = `qs:u8[48] | qh:u8[4] | d:f16`.
///
/// Each byte holds five (qs) or four (qh) base-3 digits as a fixed-point fraction: digit n of byte `b` is
/// `((b * 3ⁿ mod 256) * 3) >> 8`, value `(digit − 1) * d`. Output order follows `dequantize_row_tq1_0`: digits 0…4 of
/// qs[0..<32] (32 at a time), then of qs[32..<48] (16 at a time), then digits 0…3 of qh[0..<4].
///
/// Encoding is ggml's `quantize_row_tq1_0_ref` (which `quantize_tq1_0` calls, ignoring importance weights): d = the
/// block's max |x|, each digit `lroundf(x / d) + 1`, the base-3 number of a byte stored as `⌈q · 256 / 243⌉`.
/// Bit-exact with it (`GGMLVectorTests`) and with `dequantize_row_tq1_0` (`GGMLVectorTests`, `GGMLDecodeVectorTests`).
///
/// Layout (`block_tq1_0` in ggml-common.h): `{ uint8_t qs[(QK_K - 4 * QK_K / 64) / 5]; uint8_t qh[QK_K/64]; ggml_half d; }`.
public enum TQ1_0: BlockCodec {
    public static let type = ElementType.tq1_0
    static let pow3: [UInt8] = [1, 3, 9, 27, 81, 243]

    @inline(__always)
    static func digit(_ byte: UInt8, _ n: Int) -> Float {
        let q = byte &* pow3[n]
        return Float(Int16((UInt16(q) * 3) >> 8) - 1)
    }

    /// One ternary digit as ggml forms it: `int xi = lroundf(x * id) + 1` (0, 1, 2 for −1, 0, 1).
    @inline(__always)
    static func trit(_ x: Float, _ id: Float) -> UInt8 {
        UInt8(truncatingIfNeeded: Int32(truncatingIfNeeded: QuantMath.lroundf(x * id)) &+ 1)
    }

    /// ggml's "ceiling division": the base-3 number `q` (< 243) as the byte `(q · 256 + 242) / 243`.
    @inline(__always)
    static func fixedPoint(_ q: UInt8) -> UInt8 { UInt8(truncatingIfNeeded: (Int(q) * 256 + 242) / 243) }

    /// `quantize_row_tq1_0_ref` (importance is not used, as in `quantize_tq1_0`).
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let xb = x + qk * i, yb = y + bytes * i
            var amax: Float = 0
            for j in 0..<qk { amax = Swift.max(amax, abs(xb[j])) }
            let d = amax
            let id: Float = d != 0 ? 1 / d : 0
            _ = QuantMath.storeF16(d, yb, 52)
            // qs[0..<32]: five digits x[m + 32n]; qs[32..<48]: five digits x[160 + m + 16n]; qh: four x[240 + j + 4m].
            for m in 0..<32 {
                var q: UInt8 = 0
                for n in 0..<5 { q = q &* 3 &+ trit(xb[m + n * 32], id) }
                yb.storeBytes(of: fixedPoint(q), toByteOffset: m, as: UInt8.self)
            }
            for m in 0..<16 {
                var q: UInt8 = 0
                for n in 0..<5 { q = q &* 3 &+ trit(xb[160 + m + n * 16], id) }
                yb.storeBytes(of: fixedPoint(q), toByteOffset: 32 + m, as: UInt8.self)
            }
            for j in 0..<4 {
                var q: UInt8 = 0
                for m in 0..<4 { q = q &* 3 &+ trit(xb[240 + j + m * 4], id) }
                q = q &* 3  // the first value goes to the most significant trit of five
                yb.storeBytes(of: fixedPoint(q), toByteOffset: 48 + j, as: UInt8.self)
            }
        }
    }

    /// `dequantize_row_tq1_0`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + bytes * i
            let d = QuantMath.loadF16(b, 52)
            var o = qk * i
            for n in 0..<5 {
                for m in 0..<32 { y[o] = digit(b.load(fromByteOffset: m, as: UInt8.self), n) * d; o += 1 }
            }
            for n in 0..<5 {
                for m in 0..<16 { y[o] = digit(b.load(fromByteOffset: 32 + m, as: UInt8.self), n) * d; o += 1 }
            }
            for n in 0..<4 {
                for j in 0..<4 { y[o] = digit(b.load(fromByteOffset: 48 + j, as: UInt8.self), n) * d; o += 1 }
            }
        }
    }
}
