import IngotCore

/// Q1_0 (18 bytes / 128 elements, 1-bit signs) = `d:f16 | qs:u8[16]`; element j is `+d` when bit `j % 8` of
/// `qs[j / 8]` is set, else `−d`. Bit-exact with `dequantize_row_q1_0` (`GGMLDecodeVectorTests`). Decode only.
public enum Q1_0: BlockCodec {
    public static let type = ElementType.q1_0
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
            let negD = -d
            for j in 0..<128 {
                let bit = (b.load(fromByteOffset: 2 + j / 8, as: UInt8.self) >> (j % 8)) & 1
                into[128 * i + j] = bit != 0 ? d : negD
            }
        }
    }
}
