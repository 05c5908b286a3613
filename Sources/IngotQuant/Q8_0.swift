import IngotCore

/// Q8_0: blocks of 32 int8 codes with one F16 scale (34 bytes). `d = max|x| / 127`, `q = roundf(x / d)`.
///
/// Bit-exact with ggml's `quantize_row_q8_0_ref` (the importance vector is ignored, as in `quantize_q8_0`) and
/// `dequantize_row_q8_0`; proved by `GGMLVectorTests.bytesMatchGGML` / `decodeMatchesGGML` on the fixture vectors.
/// The fast encoder works on eight blocks at once, one block per SIMD8 lane, with each lane doing the reference's
/// arithmetic; `FastPathTests` holds it equal to ``encodeReference(_:_:blocks:into:)``.
///
/// Layout (`block_q8_0` in ggml-common.h): `{ ggml_half d; int8_t qs[QK8_0]; }`, QK8_0 = 32.
public enum Q8_0: BlockCodec {
    public static let type = ElementType.q8_0
    /// Byte offset of `qs` in a block.
    static let oQs = 2

    /// Overridden so the finiteness check runs inside the fast encoder's max pass.
    public static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                              into: UnsafeMutableRawBufferPointer) throws {
        // The finiteness check is fused into the fast encoder's max pass (one read of the row instead of two).
        let nb = try validateEncode(x, importance: importance, into: into, checkFinite: false)
        guard nb > 0 else { return }
        if !encodeFastCheckingFinite(x.baseAddress!, blocks: nb, into: into.baseAddress!) { throw nonFiniteError(x) }
    }

    // MARK: - Reference

    /// `quantize_q8_0`: `quantize_row_q8_0_ref`, block by block (ggml ignores the importance vector for Q8_0).
    public static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let xb = x + i * qk
            let yb = y + i * bytes
            var amax: Float = 0
            for j in 0..<qk {
                let a = abs(xb[j])
                amax = amax > a ? amax : a
            }
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            _ = QuantMath.storeF16(d, yb, 0)
            for j in 0..<qk {
                let x0 = xb[j] * id
                let q = Int8(truncatingIfNeeded: QuantMath.truncToInt32(QuantMath.roundf(x0)))
                yb.storeBytes(of: q, toByteOffset: oQs + j, as: Int8.self)
            }
        }
    }

    /// `dequantize_row_q8_0`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, 0)
            for j in 0..<qk {
                y[i * qk + j] = Float(b.load(fromByteOffset: oQs + j, as: Int8.self)) * d
            }
        }
    }

    // MARK: - Fast paths

    /// ``encodeFastCheckingFinite(_:blocks:into:)`` for callers that checked finiteness themselves.
    public static func encodeFast(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                  into y: UnsafeMutableRawPointer) {
        _ = encodeFastCheckingFinite(x, blocks: nb, into: y)
    }

    /// Vectorized per block: the max is exact in any order, and each element's multiply and `roundf` are the
    /// reference's own operations, so the bytes equal ``encodeReference(_:_:blocks:into:)``.
    /// Four SIMD8 loads cover one block: this kernel is written for QK8_0 = 32 (the reference is not).
    /// Returns false when the input holds NaN or ±Inf (the bytes written are then meaningless).
    public static func encodeFastCheckingFinite(_ x: UnsafePointer<Float>, blocks nb: Int, into y: UnsafeMutableRawPointer) -> Bool {
        let qk = blockElements, bytes = blockBytes
        precondition(qk == 32, "Q8_0's fast encoder is written for 32-element blocks")
        let expMask = SIMD8<UInt32>(repeating: 0x7F80_0000)
        var topExponent = SIMD8<UInt32>()  // the largest exponent field seen; all ones only for NaN/Inf
        for i in 0..<nb {
            let b = UnsafeRawPointer(x + i * qk)
            let v0 = b.loadUnaligned(fromByteOffset: 0, as: SIMD8<Float>.self)
            let v1 = b.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            let v2 = b.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
            let v3 = b.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            let a0 = unsafeBitCast(v0, to: SIMD8<UInt32>.self), a1 = unsafeBitCast(v1, to: SIMD8<UInt32>.self)
            let a2 = unsafeBitCast(v2, to: SIMD8<UInt32>.self), a3 = unsafeBitCast(v3, to: SIMD8<UInt32>.self)
            topExponent = pointwiseMax(topExponent, pointwiseMax(pointwiseMax(a0 & expMask, a1 & expMask),
                                                                 pointwiseMax(a2 & expMask, a3 & expMask)))
            let m = pointwiseMax(pointwiseMax(v0.magnitude8, v1.magnitude8), pointwiseMax(v2.magnitude8, v3.magnitude8))
            let amax = m.max()
            let d = amax / 127
            let id: Float = d != 0 ? 1 / d : 0
            // A subnormal d makes id infinite; only the reference's x86 conversion rules know what to store then.
            guard id.isFinite else { encodeReference(x + i * qk, nil, blocks: 1, into: y + i * bytes); continue }
            let yb = y + i * bytes
            _ = QuantMath.storeF16(d, yb, 0)
            let s = SIMD8<Float>(repeating: id)
            yb.storeBytes(of: roundToInt8(v0 * s), toByteOffset: oQs, as: SIMD8<Int8>.self)
            yb.storeBytes(of: roundToInt8(v1 * s), toByteOffset: oQs + 8, as: SIMD8<Int8>.self)
            yb.storeBytes(of: roundToInt8(v2 * s), toByteOffset: oQs + 16, as: SIMD8<Int8>.self)
            yb.storeBytes(of: roundToInt8(v3 * s), toByteOffset: oQs + 24, as: SIMD8<Int8>.self)
        }
        return !any(topExponent .== expMask)
    }

    /// Whole blocks with SIMD8 conversions; `Float(q) * d` per element as the reference (four loads per 32-element block).
    public static func decodeFast(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        precondition(qk == 32, "Q8_0's fast decoder is written for 32-element blocks")
        let out = UnsafeMutableRawPointer(y)
        for i in 0..<nb {
            let b = q + i * bytes
            let d = SIMD8<Float>(repeating: QuantMath.loadF16(b, 0))
            for c in 0..<4 {
                let v = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: oQs + 8 * c, as: SIMD8<Int8>.self)))
                out.storeBytes(of: v * d, toByteOffset: (i * qk + 8 * c) * 4, as: SIMD8<Float>.self)
            }
        }
    }

    /// `roundf` then `(int8_t)` per lane, for |v| < 2²² (|v| ≤ 127.5 when id is finite), using exact operations
    /// only: round half to even with ggml's 1.5·2²³ trick, push exact halves that went down back up (half away
    /// from zero, like `roundf`), restore the sign, and read the integer from the mantissa. (Swift's SIMD
    /// float→int conversion is element-wise and ~30× slower.)
    @inline(__always) static func roundToInt8(_ v: SIMD8<Float>) -> SIMD8<Int8> {
        let bits = unsafeBitCast(v, to: SIMD8<UInt32>.self)
        let a = v.magnitude8
        var r = (a + 12582912) - 12582912
        r.replace(with: r + 1, where: a - r .== 0.5)
        let signed = unsafeBitCast(unsafeBitCast(r, to: SIMD8<UInt32>.self) | (bits & 0x8000_0000), to: SIMD8<Float>.self)
        return SIMD8<Int8>(truncatingIfNeeded: KQuantLanes.nearestInt(signed))
    }
}
