import IngotCore

/// Q8_1 (36 bytes / 32 elements) = `d:f16 | s:f16 | qs:int8[32]`, value `qs[j] * d` (`s = d·Σqs` is only a dot-product
/// helper). ggml uses it for activations and has no dequantizer for it; Ingot decodes it as the Q8_0 it extends,
/// which `GGMLDecodeVectorTests` checks against ggml's `dequantize_row_q8_0` of the same blocks without `s`.
/// Decode only.
///
/// Layout (`block_q8_1` in ggml-common.h): `{ ggml_half d; ggml_half s; int8_t qs[QK8_1]; }`, QK8_1 = 32.
public enum Q8_1: BlockDecoder {
    public static let type = ElementType.q8_1

    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + bytes * i
            let d = QuantMath.loadF16(b, 0)
            for j in 0..<qk { y[qk * i + j] = Float(b.load(fromByteOffset: 4 + j, as: Int8.self)) * d }
        }
    }
}
