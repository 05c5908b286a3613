import IngotCore

/// TQ1_0 (54 bytes / 256 elements, ternary, 1.6875 bpw) = `qs:u8[48] | qh:u8[4] | d:f16`.
///
/// Each byte holds five (qs) or four (qh) base-3 digits as a fixed-point fraction: digit n of byte `b` is
/// `((b * 3ⁿ mod 256) * 3) >> 8`, value `(digit − 1) * d`. Output order follows `dequantize_row_tq1_0`: digits 0…4 of
/// qs[0..<32] (32 at a time), then of qs[32..<48] (16 at a time), then digits 0…3 of qh[0..<4].
/// Bit-exact with it (`GGMLDecodeVectorTests`). Decode only (ggml's ternary models are produced elsewhere).
public enum TQ1_0: BlockCodec {
    public static let type = ElementType.tq1_0
    public static var supportsEncode: Bool { false }
    static let pow3: [UInt8] = [1, 3, 9, 27, 81, 243]

    public static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                              into: UnsafeMutableRawBufferPointer) throws {
        _ = try validateEncode(x, importance: importance, into: into)
    }

    @inline(__always)
    static func digit(_ byte: UInt8, _ n: Int) -> Float {
        let q = byte &* pow3[n]
        return Float(Int16((UInt16(q) * 3) >> 8) - 1)
    }

    public static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) {
        let nb = validateDecode(q, into: into)
        for i in 0..<nb {
            let b = q.baseAddress! + 54 * i
            let d = QuantMath.loadF16(b, 52)
            var y = 256 * i
            for n in 0..<5 {
                for m in 0..<32 { into[y] = digit(b.load(fromByteOffset: m, as: UInt8.self), n) * d; y += 1 }
            }
            for n in 0..<5 {
                for m in 0..<16 { into[y] = digit(b.load(fromByteOffset: 32 + m, as: UInt8.self), n) * d; y += 1 }
            }
            for n in 0..<4 {
                for j in 0..<4 { into[y] = digit(b.load(fromByteOffset: 48 + j, as: UInt8.self), n) * d; y += 1 }
            }
        }
    }
}
