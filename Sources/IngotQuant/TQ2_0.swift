import IngotCore

/// TQ2_0 (66 bytes / 256 elements, ternary in 2 bits) = `qs:u8[64] | d:f16`. For each 32-byte half h (0, 1), shift
/// l (0…3) and m (0…31), element `128h + 32l + m` is `(((qs[32h + m] >> 2l) & 3) − 1) * d`
/// (`dequantize_row_tq2_0`'s order).
///
/// Encoding is ggml's `quantize_row_tq2_0_ref` (which `quantize_tq2_0` calls, ignoring importance weights): d = the
/// block's max |x|, code `lroundf(x / d) + 1` in the two bits above. Bit-exact with it (`GGMLVectorTests`) and with
/// `dequantize_row_tq2_0` (`GGMLVectorTests`, `GGMLDecodeVectorTests`).
///
/// Layout (`block_tq2_0` in ggml-common.h): `{ uint8_t qs[QK_K/4]; ggml_half d; }`.
public enum TQ2_0: BlockCodec {
    public static let type = ElementType.tq2_0

    /// `quantize_row_tq2_0_ref` (importance is not used, as in `quantize_tq2_0`).
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let xb = x + qk * i, yb = y + bytes * i
            var amax: Float = 0
            for j in 0..<qk { amax = Swift.max(amax, abs(xb[j])) }
            let d = amax
            let id: Float = d != 0 ? 1 / d : 0
            _ = QuantMath.storeF16(d, yb, 64)
            for j in stride(from: 0, to: 64, by: 32) {
                for m in 0..<32 {
                    var q: UInt8 = 0
                    for n in 0..<4 {
                        // int xi = lroundf(x * id) + 1; q += (xi & 3) << 2n
                        let xi = Int32(truncatingIfNeeded: QuantMath.lroundf(xb[4 * j + m + n * 32] * id)) &+ 1
                        q = q &+ UInt8(truncatingIfNeeded: (xi & 3) << (2 * n))
                    }
                    yb.storeBytes(of: q, toByteOffset: j + m, as: UInt8.self)
                }
            }
        }
    }

    /// `dequantize_row_tq2_0`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + bytes * i
            let d = QuantMath.loadF16(b, 64)
            var o = qk * i
            for j in stride(from: 0, to: 64, by: 32) {
                for l in 0..<4 {
                    for m in 0..<32 {
                        let v = Int((b.load(fromByteOffset: j + m, as: UInt8.self) >> (2 * l)) & 3) - 1
                        y[o] = Float(v) * d
                        o += 1
                    }
                }
            }
        }
    }
}
