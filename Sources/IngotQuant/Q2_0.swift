import IngotCore

/// Q2_0 (18 bytes / 64 elements, ternary in 2 bits) = `d:f16 | qs:u8[16]`; element j is
/// `(((qs[j / 4] >> 2(j % 4)) & 3) − 1) * d` (codes 0, 1, 2 = −1, 0, +1; 3 decodes to +2).
/// Bit-exact with `dequantize_row_q2_0` (`GGMLDecodeVectorTests`). Decode only.
///
/// Layout (`block_q2_0` in ggml-common.h): `{ ggml_half d; uint8_t qs[QK2_0/4]; }`, QK2_0 = 64.
public enum Q2_0: BlockDecoder {
    public static let type = ElementType.q2_0

    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + bytes * i
            let d = QuantMath.loadF16(b, 0)
            for j in 0..<qk {
                let v = Int((b.load(fromByteOffset: 2 + j / 4, as: UInt8.self) >> (2 * (j % 4))) & 3) - 1
                y[qk * i + j] = Float(v) * d
            }
        }
    }
}
