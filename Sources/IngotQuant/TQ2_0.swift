import IngotCore

/// TQ2_0 (66 bytes / 256 elements, ternary in 2 bits) = `qs:u8[64] | d:f16`. For each 32-byte half h (0, 1), shift
/// l (0…3) and m (0…31), element `128h + 32l + m` is `(((qs[32h + m] >> 2l) & 3) − 1) * d`
/// (`dequantize_row_tq2_0`'s order).
/// Bit-exact with it (`GGMLDecodeVectorTests`). Decode only.
///
/// Layout (`block_tq2_0` in ggml-common.h): `{ uint8_t qs[QK_K/4]; ggml_half d; }`.
public enum TQ2_0: BlockDecoder {
    public static let type = ElementType.tq2_0

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
