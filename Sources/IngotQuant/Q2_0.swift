import IngotCore

/// Q2_0 (18 bytes / 64 elements, ternary in 2 bits) = `d:f16 | qs:u8[16]`; element j is
/// `(((qs[j / 4] >> 2(j % 4)) & 3) − 1) * d` (codes 0, 1, 2 = −1, 0, +1; 3 decodes to +2).
/// Bit-exact with `dequantize_row_q2_0` (`GGMLDecodeVectorTests`). Decode only.
public enum Q2_0: BlockCodec {
    public static let type = ElementType.q2_0
    public static var supportsEncode: Bool { false }

    public static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                              into: UnsafeMutableRawBufferPointer) throws {
        _ = try validateEncode(x, importance: importance, into: into)
    }

    public static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) {
        let nb = validateDecode(q, into: into)
        for i in 0..<nb {
            let b = q.baseAddress! + 18 * i
            let d = QuantMath.loadF16(b, 0)
            for j in 0..<64 {
                let v = Int((b.load(fromByteOffset: 2 + j / 4, as: UInt8.self) >> (2 * (j % 4))) & 3) - 1
                into[64 * i + j] = Float(v) * d
            }
        }
    }
}
