import IngotCore

/// Q8_1 (36 bytes / 32 elements) = `d:f16 | s:f16 | qs:int8[32]`, value `qs[j] * d` (`s = d·Σqs` is only a dot-product
/// helper). ggml uses it for activations and has no dequantizer for it; Ingot decodes it as the Q8_0 it extends,
/// which `GGMLDecodeVectorTests` checks against ggml's `dequantize_row_q8_0` of the same blocks without `s`.
/// Decode only.
public enum Q8_1: BlockCodec {
    public static let type = ElementType.q8_1
    public static var supportsEncode: Bool { false }

    public static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                              into: UnsafeMutableRawBufferPointer) throws {
        _ = try validateEncode(x, importance: importance, into: into)
    }

    public static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) {
        let nb = validateDecode(q, into: into)
        for i in 0..<nb {
            let b = q.baseAddress! + 36 * i
            let d = QuantMath.loadF16(b, 0)
            for j in 0..<32 { into[32 * i + j] = Float(b.load(fromByteOffset: 4 + j, as: Int8.self)) * d }
        }
    }
}
