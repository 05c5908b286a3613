#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngotCore

/// ggml's shared quantization searches (`ggml/src/ggml-quants.c`), transcribed so that every float32 operation
/// happens in the same order as the C source (no fused multiply-add, sums left to right, integer → float where C
/// converts), which is what makes the codecs byte-identical with ggml. See shared/docs/gguf-and-quants.md §4.1–4.2.
///
/// Pointers: `x` has `n` readable floats; `L`/`Laux` have `n` writable codes. Proved by the fixture tests in
/// `GGMLVectorTests` (every type that uses a helper) and `QuantMathTests`.
public enum QuantMath {
    /// `GROUP_MAX_EPS`.
    public static let groupMaxEps: Float = 1e-15

    /// ggml's `nearest_int`: add 1.5·2²³ and read the low mantissa bits. Round-half-to-even for |x| ≤ 4194303;
    /// outside that range it returns the same garbage ggml does (kept so odd inputs still match byte for byte).
    @inline(__always)
    public static func nearestInt(_ f: Float) -> Int32 {
        let v = f + 12582912.0
        let i = Int32(bitPattern: v.bitPattern)
        return (i & 0x007F_FFFF) &- 0x0040_0000
    }

    /// C's float → int conversion as x86-64 performs it (`cvttss2si`): truncation toward zero, and the
    /// "integer indefinite" value `Int32.min` for NaN and out-of-range inputs (where C says undefined).
    /// Narrowing casts such as `(int8_t)f` then keep the low bits.
    @inline(__always)
    public static func truncToInt32(_ f: Float) -> Int32 {
        guard f > -2147483904.0 && f < 2147483648.0 else { return Int32.min }  // also false for NaN
        return Int32(f)
    }

    /// C's `lroundf` as glibc computes it on x86-64: half away from zero; for NaN, ±Inf and |x| ≥ 2⁶³ glibc returns
    /// `(long)x`, which `cvttss2si` makes `Int64.min` (kept so a row whose reciprocal scale overflows still matches).
    @inline(__always)
    public static func lroundf(_ f: Float) -> Int64 {
        guard f >= -0x1p63 && f < 0x1p63 else { return Int64.min }  // also false for NaN
        return Int64(f.rounded(.toNearestOrAwayFromZero))
    }

    /// C's `roundf`: half away from zero.
    @inline(__always)
    public static func roundf(_ f: Float) -> Float { f.rounded(.toNearestOrAwayFromZero) }

    /// ggml's `GGML_E8M0_TO_FP32_HALF`: 2^(e-128) exactly, including the two subnormal results for e < 2.
    @inline(__always)
    public static func e8m0ToFloatHalf(_ e: UInt8) -> Float {
        let bits: UInt32 = e < 2 ? UInt32(0x0020_0000) << UInt32(e) : UInt32(e &- 1) << 23
        return Float(bitPattern: bits)
    }

    /// glibc's `log2f` (the same function ggml calls, so MXFP4's exponent choice matches near powers of two).
    @inline(__always)
    public static func log2f(_ x: Float) -> Float {
        #if canImport(Glibc)
        return Glibc.log2f(x)
        #else
        return Darwin.log2f(x)
        #endif
    }

    // MARK: - make_qx_quants

    /// `make_qx_quants(n, nmax, x, L, rmse_type, qw)`: symmetric scale search; `L` gets codes `l + nmax`.
    public static func makeQxQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                                    rmseType: Int, _ qw: UnsafePointer<Float>?) -> Float {
        var max: Float = 0
        var amax: Float = 0
        for i in 0..<n {
            let ax = abs(x[i])
            if ax > amax { amax = ax; max = x[i] }
        }
        if amax < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let fnmax = Float(nmax)
        var iscale = Float(-nmax) / max
        if rmseType == 0 {
            for i in 0..<n {
                let l = nearestInt(iscale * x[i])
                L[i] = Int8(truncatingIfNeeded: nmax + Swift.max(-nmax, Swift.min(nmax - 1, l)))
            }
            return 1 / iscale
        }
        var rmse = rmseType
        var returnEarly = false
        if rmse < 0 { rmse = -rmse; returnEarly = true }
        @inline(__always) func weight(_ i: Int) -> Float {
            if let qw { return qw[i] }
            switch rmse {
            case 1: return x[i] * x[i]
            case 2: return 1
            case 3: return abs(x[i])
            default: return abs(x[i]).squareRoot()
            }
        }
        var sumlx: Float = 0
        var suml2: Float = 0
        for i in 0..<n {
            var l = nearestInt(iscale * x[i])
            l = Swift.max(-nmax, Swift.min(nmax - 1, l))
            L[i] = Int8(truncatingIfNeeded: l + nmax)
            let w = weight(i)
            let fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
        if returnEarly { return suml2 > 0 ? 0.5 * (scale + 1 / iscale) : 1 / iscale }
        var best = scale * sumlx
        for isi in -9...9 where isi != 0 {
            iscale = -(fnmax + 0.1 * Float(isi)) / max
            sumlx = 0; suml2 = 0
            for i in 0..<n {
                var l = nearestInt(iscale * x[i])
                l = Swift.max(-nmax, Swift.min(nmax - 1, l))
                let w = weight(i)
                let fl = Float(l)
                sumlx += w * x[i] * fl
                suml2 += w * fl * fl
            }
            if suml2 > 0 && sumlx * sumlx > best * suml2 {
                for i in 0..<n {
                    let l = nearestInt(iscale * x[i])
                    L[i] = Int8(truncatingIfNeeded: nmax + Swift.max(-nmax, Swift.min(nmax - 1, l)))
                }
                scale = sumlx / suml2; best = scale * sumlx
            }
        }
        return scale
    }

    // MARK: - make_q3_quants

    /// `make_q3_quants(n, nmax, x, L, do_rmse)`: x²-weighted start plus up to 5 coordinate-descent passes;
    /// `L` gets codes `l + nmax`.
    public static func makeQ3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                                    doRMSE: Bool) -> Float {
        var max: Float = 0
        var amax: Float = 0
        for i in 0..<n {
            let ax = abs(x[i])
            if ax > amax { amax = ax; max = x[i] }
        }
        if amax < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let iscale = Float(-nmax) / max
        if doRMSE {
            var sumlx: Float = 0
            var suml2: Float = 0
            for i in 0..<n {
                var l = nearestInt(iscale * x[i])
                l = Swift.max(-nmax, Swift.min(nmax - 1, l))
                L[i] = Int8(truncatingIfNeeded: l)
                let w = x[i] * x[i]
                sumlx += w * x[i] * Float(l)
                suml2 += w * Float(l) * Float(l)
            }
            for _ in 0..<5 {
                var changed = 0
                for i in 0..<n {
                    let w = x[i] * x[i]
                    let li = Float(L[i])
                    var slx = sumlx - w * x[i] * li
                    if slx > 0 {
                        var sl2 = suml2 - w * li * li
                        var newL = nearestInt(x[i] * sl2 / slx)
                        newL = Swift.max(-nmax, Swift.min(nmax - 1, newL))
                        if newL != Int32(L[i]) {
                            slx += w * x[i] * Float(newL)
                            sl2 += w * Float(newL) * Float(newL)
                            if sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
                                L[i] = Int8(truncatingIfNeeded: newL); sumlx = slx; suml2 = sl2
                                changed += 1
                            }
                        }
                    }
                }
                if changed == 0 { break }
            }
            for i in 0..<n { L[i] = L[i] &+ Int8(truncatingIfNeeded: nmax) }
            return suml2 > 0 ? sumlx / suml2 : 0
        }
        for i in 0..<n {
            var l = nearestInt(iscale * x[i])
            l = Swift.max(-nmax, Swift.min(nmax - 1, l))
            L[i] = Int8(truncatingIfNeeded: l + nmax)
        }
        return 1 / iscale
    }

    // MARK: - make_qkx2_quants / make_qkx3_quants

    /// `make_qkx2_quants`: asymmetric (scale, min) search used by the reference K-quants.
    /// Returns the scale; `theMin` gets −min (a non-negative offset). `weights` has `n` floats.
    public static func makeQkx2Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
                                      _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float,
                                      _ Laux: UnsafeMutablePointer<UInt8>, rmin: Float, rdelta: Float, nstep: Int,
                                      useMAD: Bool) -> Float {
        var min = x[0]
        var max = x[0]
        var sumW = weights[0]
        var sumX = sumW * x[0]
        for i in 1..<n {
            if x[i] < min { min = x[i] }
            if x[i] > max { max = x[i] }
            let w = weights[i]
            sumW += w
            sumX += w * x[i]
        }
        if min > 0 { min = 0 }
        if max == min {
            for i in 0..<n { L[i] = 0 }
            theMin = -min
            return 0
        }
        let fnmax = Float(nmax)
        var iscale = fnmax / (max - min)
        var scale = 1 / iscale
        var bestError: Float = 0
        for i in 0..<n {
            let l = nearestInt(iscale * (x[i] - min))
            L[i] = UInt8(truncatingIfNeeded: Swift.max(0, Swift.min(nmax, l)))
            var diff = scale * Float(L[i]) + min - x[i]
            diff = useMAD ? abs(diff) : diff * diff
            bestError += weights[i] * diff
        }
        if nstep < 1 { theMin = -min; return scale }
        for isi in 0...nstep {
            iscale = (rmin + rdelta * Float(isi) + fnmax) / (max - min)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0..<n {
                var l = nearestInt(iscale * (x[i] - min))
                l = Swift.max(0, Swift.min(nmax, l))
                Laux[i] = UInt8(truncatingIfNeeded: l)
                let w = weights[i]
                let fl = Float(l)
                sumL += w * fl
                sumL2 += w * fl * fl
                sumXL += w * fl * x[i]
            }
            let D = sumW * sumL2 - sumL * sumL
            if D > 0 {
                var thisScale = (sumW * sumXL - sumX * sumL) / D
                var thisMin = (sumL2 * sumX - sumL * sumXL) / D
                if thisMin > 0 {
                    thisMin = 0
                    thisScale = sumXL / sumL2
                }
                var curError: Float = 0
                for i in 0..<n {
                    var diff = thisScale * Float(Laux[i]) + thisMin - x[i]
                    diff = useMAD ? abs(diff) : diff * diff
                    curError += weights[i] * diff
                }
                if curError < bestError {
                    for i in 0..<n { L[i] = Laux[i] }
                    bestError = curError
                    scale = thisScale
                    min = thisMin
                }
            }
        }
        theMin = -min
        return scale
    }

    /// `make_qkx3_quants`: as ``makeQkx2Quants`` with `weights == nil` meaning x², a `max <= min` degenerate test,
    /// and codes clamped before rounding (`v > 0 ? nearest_int(min(v, nmax)) : 0`), used by the imatrix variants.
    public static func makeQkx3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>?,
                                      _ L: UnsafeMutablePointer<UInt8>, _ theMin: inout Float,
                                      _ Laux: UnsafeMutablePointer<UInt8>, rmin: Float, rdelta: Float, nstep: Int,
                                      useMAD: Bool) -> Float {
        @inline(__always) func weight(_ i: Int) -> Float { weights.map { $0[i] } ?? x[i] * x[i] }
        var min = x[0]
        var max = x[0]
        var sumW = weight(0)
        var sumX = sumW * x[0]
        for i in 1..<n {
            if x[i] < min { min = x[i] }
            if x[i] > max { max = x[i] }
            let w = weight(i)
            sumW += w
            sumX += w * x[i]
        }
        if min > 0 { min = 0 }
        if max <= min {
            for i in 0..<n { L[i] = 0 }
            theMin = -min
            return 0
        }
        let fnmax = Float(nmax)
        var iscale = fnmax / (max - min)
        var scale = 1 / iscale
        var bestMAD: Float = 0
        for i in 0..<n {
            let l = nearestInt(iscale * (x[i] - min))
            L[i] = UInt8(truncatingIfNeeded: Swift.max(0, Swift.min(nmax, l)))
            var diff = scale * Float(L[i]) + min - x[i]
            diff = useMAD ? abs(diff) : diff * diff
            bestMAD += weight(i) * diff
        }
        if nstep < 1 { theMin = -min; return scale }
        for isi in 0...nstep {
            iscale = (rmin + rdelta * Float(isi) + fnmax) / (max - min)
            var sumL: Float = 0, sumL2: Float = 0, sumXL: Float = 0
            for i in 0..<n {
                // ggml: min is the best fit so far and can be near max, so v may be huge, inf or NaN.
                let v = iscale * (x[i] - min)
                let l: Int32 = v > 0 ? nearestInt(v < fnmax ? v : fnmax) : 0
                Laux[i] = UInt8(truncatingIfNeeded: l)
                let w = weight(i)
                let fl = Float(l)
                sumL += w * fl
                sumL2 += w * fl * fl
                sumXL += w * fl * x[i]
            }
            let D = sumW * sumL2 - sumL * sumL
            if D > 0 {
                var thisScale = (sumW * sumXL - sumX * sumL) / D
                var thisMin = (sumL2 * sumX - sumL * sumXL) / D
                if thisMin > 0 {
                    thisMin = 0
                    thisScale = sumXL / sumL2
                }
                var mad: Float = 0
                for i in 0..<n {
                    var diff = thisScale * Float(Laux[i]) + thisMin - x[i]
                    diff = useMAD ? abs(diff) : diff * diff
                    mad += weight(i) * diff
                }
                if mad < bestMAD {
                    for i in 0..<n { L[i] = Laux[i] }
                    bestMAD = mad
                    scale = thisScale
                    min = thisMin
                }
            }
        }
        theMin = -min
        return scale
    }

    // MARK: - make_qp_quants

    /// `make_qp_quants(n, nmax, x, L, quant_weights)`: quantizes non-negative sub-block scales (or mins) to
    /// integers 0…nmax with weights; returns the super-block scale.
    public static func makeQpQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<UInt8>,
                                    _ qw: UnsafePointer<Float>) -> Float {
        var max: Float = 0
        for i in 0..<n { max = max > x[i] ? max : x[i] }
        if max < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let fnmax = Float(nmax)
        var iscale = fnmax / max
        for i in 0..<n { L[i] = UInt8(truncatingIfNeeded: nearestInt(iscale * x[i])) }
        let scale = 1 / iscale
        var bestMSE: Float = 0
        for i in 0..<n {
            let diff = x[i] - scale * Float(L[i])
            bestMSE += qw[i] * diff * diff
        }
        for isi in -4...4 where isi != 0 {
            let iscaleIs = (0.1 * Float(isi) + fnmax) / max
            let scaleIs = 1 / iscaleIs
            var mse: Float = 0
            for i in 0..<n {
                let l = Swift.min(nmax, nearestInt(iscaleIs * x[i]))
                let diff = x[i] - scaleIs * Float(l)
                mse += qw[i] * diff * diff
            }
            if mse < bestMSE { bestMSE = mse; iscale = iscaleIs }
        }
        var sumlx: Float = 0
        var suml2: Float = 0
        for i in 0..<n {
            let l = Swift.min(nmax, nearestInt(iscale * x[i]))
            L[i] = UInt8(truncatingIfNeeded: l)
            let w = qw[i]
            sumlx += w * x[i] * Float(l)
            suml2 += w * Float(l) * Float(l)
        }
        for _ in 0..<5 {
            var changed = 0
            for i in 0..<n {
                let w = qw[i]
                let li = Float(L[i])
                var slx = sumlx - w * x[i] * li
                var sl2 = suml2 - w * li * li
                if slx > 0 && sl2 > 0 {
                    let newL = Swift.min(nmax, nearestInt(x[i] * sl2 / slx))
                    if newL != Int32(L[i]) {
                        slx += w * x[i] * Float(newL)
                        sl2 += w * Float(newL) * Float(newL)
                        if slx * slx * suml2 > sumlx * sumlx * sl2 {
                            L[i] = UInt8(truncatingIfNeeded: newL); sumlx = slx; suml2 = sl2
                            changed += 1
                        }
                    }
                }
            }
            if changed == 0 { break }
        }
        return suml2 > 0 ? sumlx / suml2 : 0
    }

    // MARK: - Non-linear codes

    /// `best_index_int8(n, val, x)`: index of the nearest entry of the sorted table `val` (n a power of two),
    /// with ties going up. ggml compares `x + x` with the exact integer sum of neighbours, branch-free.
    @inline(__always)
    public static func bestIndexInt8(_ n: Int, _ val: UnsafePointer<Int8>, _ x: Float) -> Int {
        let x2 = x + x
        var idx = 0
        var step = n >> 1
        while step > 0 {
            let j = idx + step
            idx = x2 >= Float(Int32(val[j - 1]) + Int32(val[j])) ? j : idx
            step >>= 1
        }
        return idx
    }

    // MARK: - Little-endian block fields

    @inline(__always)
    static func loadF16(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfPrecision.float(fromF16: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    @inline(__always)
    static func storeF16(_ v: Float, _ p: UnsafeMutableRawPointer, _ offset: Int) -> UInt16 {
        let h = HalfPrecision.f16Bits(v)
        p.storeBytes(of: h.littleEndian, toByteOffset: offset, as: UInt16.self)
        return h
    }
}
