import IngotCore

/// MXFP4 (OCP microscaling FP4): blocks of 32 E2M1 codes with one E8M0 exponent (17 bytes);
/// value = `kvalues_mxfp4[nib] * 2^(e-128)` (E2M1 values doubled, so the net scale is the OCP `2^(e-127)`).
///
/// Bit-exact with ggml's `quantize_row_mxfp4_ref` (the importance vector is ignored, as in `quantize_mxfp4`) and
/// `dequantize_row_mxfp4`; proved by `GGMLVectorTests`. gpt-oss checkpoints store the same codes and exponents.
public enum MXFP4: BlockCodec {
    public static let type = ElementType.mxfp4

    /// `kvalues_mxfp4`: E2M1 values ×2, index bit 3 is the sign.
    public static let values: [Int8] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]

    /// `best_index_mxfp4(x, e)`: the first index minimising `|kvalues[i]*e - x|` (strict `<`).
    @inline(__always)
    static func bestIndex(_ x: Float, _ e: Float) -> UInt8 {
        var best = 0
        var bestErr = abs(Float(values[0]) * e - x)
        for i in 1..<16 {
            let err = abs(Float(values[i]) * e - x)
            if err < bestErr { best = i; bestErr = err }
        }
        return UInt8(best)
    }

    /// The shared exponent ggml picks: `floor(log2(amax)) - 2 + 127`, as a byte (x86 conversion of the float).
    @inline(__always)
    static func exponent(amax: Float) -> UInt8 {
        guard amax > 0 else { return 0 }
        return UInt8(truncatingIfNeeded: QuantMath.truncToInt32((QuantMath.log2f(amax).rounded(.down) - 2) + 127))
    }

    /// `quantize_mxfp4`: `quantize_row_mxfp4_ref` (ggml ignores the importance vector for MXFP4).
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let xb = x + i * qk, yb = y + i * bytes
            var amax: Float = 0
            for j in 0..<qk where amax < abs(xb[j]) { amax = abs(xb[j]) }
            let e = exponent(amax: amax)
            let d = QuantMath.e8m0ToFloatHalf(e)
            yb.storeBytes(of: e, toByteOffset: 0, as: UInt8.self)
            for j in 0..<16 {
                yb.storeBytes(of: bestIndex(xb[j], d) | (bestIndex(xb[j + 16], d) << 4), toByteOffset: 1 + j, as: UInt8.self)
            }
        }
    }

    /// `dequantize_row_mxfp4`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.e8m0ToFloatHalf(b.load(as: UInt8.self))
            for j in 0..<16 {
                let v = b.load(fromByteOffset: 1 + j, as: UInt8.self)
                y[i * qk + j] = Float(values[Int(v & 0x0F)]) * d
                y[i * qk + j + 16] = Float(values[Int(v >> 4)]) * d
            }
        }
    }

}
