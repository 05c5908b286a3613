import IngotCore

/// Q8_K (292 bytes / 256 elements) = `d:f32 | qs:int8[256] | bsums:int16[16]`, value `d * qs[j]`; ggml's intermediate
/// format for K-quant dot products. Bit-exact with `dequantize_row_q8_K` (`GGMLDecodeVectorTests`). Decode only.
public enum Q8_K: BlockCodec {
    public static let type = ElementType.q8_K
    public static var supportsEncode: Bool { false }

    public static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                              into: UnsafeMutableRawBufferPointer) throws {
        _ = try validateEncode(x, importance: importance, into: into)
    }

    public static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) {
        let nb = validateDecode(q, into: into)
        for i in 0..<nb {
            let b = q.baseAddress! + 292 * i
            let d = Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(as: UInt32.self)))
            for j in 0..<256 { into[256 * i + j] = d * Float(b.load(fromByteOffset: 4 + j, as: Int8.self)) }
        }
    }
}
