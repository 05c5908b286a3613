import IngotCore

/// TQ1_0 (54 bytes / 256 elements, ternary, 1.6875 bpw) = `qs:u8[48] | qh:u8[4] | d:f16`.
///
/// Each byte holds five (qs) or four (qh) base-3 digits as a fixed-point fraction: digit n of byte `b` is
/// `((b * 3ⁿ mod 256) * 3) >> 8`, value `(digit − 1) * d`. Output order follows `dequantize_row_tq1_0`: digits 0…4 of
/// qs[0..<32] (32 at a time), then of qs[32..<48] (16 at a time), then digits 0…3 of qh[0..<4].
/// Bit-exact with it (`GGMLDecodeVectorTests`). Decode only (ggml's ternary models are produced elsewhere).
///
/// Layout (`block_tq1_0` in ggml-common.h): `{ uint8_t qs[(QK_K - 4 * QK_K / 64) / 5]; uint8_t qh[QK_K/64]; ggml_half d; }`.
public enum TQ1_0: BlockDecoder {
    public static let type = ElementType.tq1_0
    static let pow3: [UInt8] = [1, 3, 9, 27, 81, 243]

    @inline(__always)
    static func digit(_ byte: UInt8, _ n: Int) -> Float {
        let q = byte &* pow3[n]
        return Float(Int16((UInt16(q) * 3) >> 8) - 1)
    }

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
