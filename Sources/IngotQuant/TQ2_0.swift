import IngotCore

/// TQ2_0 (66 bytes / 256 elements, ternary in 2 bits) = `qs:u8[64] | d:f16`. For each 32-byte half h (0, 1), shift
/// l (0…3) and m (0…31), element `128h + 32l + m` is `(((qs[32h + m] >> 2l) & 3) − 1) * d`
/// (`dequantize_row_tq2_0`'s order).
/// Bit-exact with it (`GGMLDecodeVectorTests`). Decode only.
public enum TQ2_0: BlockCodec {
    public static let type = ElementType.tq2_0
    public static var supportsEncode: Bool { false }

    public static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                              into: UnsafeMutableRawBufferPointer) throws {
        _ = try validateEncode(x, importance: importance, into: into)
    }

    public static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) {
        let nb = validateDecode(q, into: into)
        for i in 0..<nb {
            let b = q.baseAddress! + 66 * i
            let d = QuantMath.loadF16(b, 64)
            var y = 256 * i
            for j in stride(from: 0, to: 64, by: 32) {
                for l in 0..<4 {
                    for m in 0..<32 {
                        let v = Int((b.load(fromByteOffset: j + m, as: UInt8.self) >> (2 * l)) & 3) - 1
                        into[y] = Float(v) * d
                        y += 1
                    }
                }
            }
        }
    }
}
