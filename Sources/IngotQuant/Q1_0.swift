import IngotCore

/// Q1_0 (18 bytes / 128 elements, 1-bit signs) = `d:f16 | qs:u8[16]`; element j is `+d` when bit `j % 8` of
/// `qs[j / 8]` is set, else `−d`. Bit-exact with `dequantize_row_q1_0` (`GGMLDecodeVectorTests`). Decode only.
///
/// Layout (`block_q1_0` in ggml-common.h): `{ ggml_half d; uint8_t qs[QK1_0/8]; }`, QK1_0 = 128.
public enum Q1_0: BlockDecoder {
    public static let type = ElementType.q1_0

    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + bytes * i
            let d = QuantMath.loadF16(b, 0)
            let negD = -d
            for j in 0..<qk {
                let bit = (b.load(fromByteOffset: 2 + j / 8, as: UInt8.self) >> (j % 8)) & 1
                y[qk * i + j] = bit != 0 ? d : negD
            }
        }
    }
}
