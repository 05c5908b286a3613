import IngotCore

/// Q8_K (292 bytes / 256 elements) = `d:f32 | qs:int8[256] | bsums:int16[16]`, value `d * qs[j]`; ggml's intermediate
/// format for K-quant dot products. Bit-exact with `dequantize_row_q8_K` (`GGMLDecodeVectorTests`). Decode only.
///
/// Layout (`block_q8_K` in ggml-common.h): `{ float d; int8_t qs[QK_K]; int16_t bsums[QK_K/16]; }`, QK_K = 256.
public enum Q8_K: BlockDecoder {
    public static let type = ElementType.q8_K

    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + bytes * i
            let d = Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(as: UInt32.self)))
            for j in 0..<qk { y[qk * i + j] = d * Float(b.load(fromByteOffset: 4 + j, as: Int8.self)) }
        }
    }
}
