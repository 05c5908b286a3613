/// F16, BF16 and FP8 conversions to and from Float.
///
/// F32→F16 follows ggml's `ggml_compute_fp32_to_fp16` (the FP16 library's branch-free algorithm):
/// round to nearest even, subnormals kept, overflow to ±Inf, NaN → sign | 0x7E00.
/// F16→F32 is exact. Vector forms process 8 lanes with the same arithmetic, so they equal the scalar forms bit for bit
/// (tests hold them equal over all 65 536 half values and random floats).
public enum HalfPrecision {
    // MARK: - F16

    /// IEEE binary16 bits of `f`, round to nearest even (ggml's reference conversion).
    @inline(__always)
    public static func f16Bits(_ f: Float) -> UInt16 {
        let scaleToInf = Float(bitPattern: 0x7780_0000)   // 0x1.0p+112
        let scaleToZero = Float(bitPattern: 0x0880_0000)  // 0x1.0p-110
        var base = (abs(f) * scaleToInf) * scaleToZero
        let w = f.bitPattern
        let shl1W = w &+ w
        let sign = w & 0x8000_0000
        var bias = shl1W & 0xFF00_0000
        if bias < 0x7100_0000 { bias = 0x7100_0000 }
        base = Float(bitPattern: (bias >> 1) &+ 0x0780_0000) + base
        let bits = base.bitPattern
        let expBits = (bits >> 13) & 0x0000_7C00
        let mantissaBits = bits & 0x0000_0FFF
        let nonsign = expBits &+ mantissaBits
        return UInt16(truncatingIfNeeded: (sign >> 16) | (shl1W > 0xFF00_0000 ? 0x7E00 : nonsign))
    }

    /// The exact Float value of binary16 bits `h`.
    @inline(__always)
    public static func float(fromF16 h: UInt16) -> Float {
        let w = UInt32(h) << 16
        let sign = w & 0x8000_0000
        let twoW = w &+ w
        let expOffset: UInt32 = 0xE0 << 23
        let expScale = Float(bitPattern: 0x0780_0000)  // 0x1.0p-112
        let normalized = Float(bitPattern: (twoW >> 4) &+ expOffset) * expScale
        let magicMask: UInt32 = 126 << 23
        let denormalized = Float(bitPattern: (twoW >> 17) | magicMask) - 0.5
        let denormCutoff: UInt32 = 1 << 27
        let result = sign | (twoW < denormCutoff ? denormalized.bitPattern : normalized.bitPattern)
        return Float(bitPattern: result)
    }

    /// Eight halves to eight floats with the scalar's arithmetic in SIMD lanes.
    @inline(__always)
    public static func float(fromF16 h: SIMD8<UInt16>) -> SIMD8<Float> {
        let w = SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16
        let sign = w & 0x8000_0000
        let twoW = w &+ w
        let normalized = SIMD8<Float>(bitPattern: (twoW &>> 4) &+ (0xE0 << 23)) * Float(bitPattern: 0x0780_0000)
        let denormalized = SIMD8<Float>(bitPattern: (twoW &>> 17) | (126 << 23)) - 0.5
        let isDenorm = twoW .< SIMD8<UInt32>(repeating: 1 << 27)
        let magnitude = denormalized.bitPattern.replacing(with: normalized.bitPattern, where: .!isDenorm)
        return SIMD8<Float>(bitPattern: sign | magnitude)
    }

    /// Eight floats to eight halves with the scalar's arithmetic in SIMD lanes.
    @inline(__always)
    public static func f16Bits(_ f: SIMD8<Float>) -> SIMD8<UInt16> {
        let scaleToInf = Float(bitPattern: 0x7780_0000)
        let scaleToZero = Float(bitPattern: 0x0880_0000)
        var base = ((f.bitPattern & 0x7FFF_FFFF).asFloat * scaleToInf) * scaleToZero
        let w = f.bitPattern
        let shl1W = w &+ w
        let sign = w & 0x8000_0000
        var bias = shl1W & 0xFF00_0000
        bias.replace(with: 0x7100_0000, where: bias .< 0x7100_0000)
        base = SIMD8<Float>(bitPattern: (bias &>> 1) &+ 0x0780_0000) + base
        let bits = base.bitPattern
        let nonsign = ((bits &>> 13) & 0x7C00) &+ (bits & 0x0FFF)
        var out = (sign &>> 16) | nonsign
        out.replace(with: (sign &>> 16) | 0x7E00, where: shl1W .> 0xFF00_0000)
        return SIMD8<UInt16>(truncatingIfNeeded: out)
    }

    // MARK: - BF16

    /// bfloat16 bits of `f`: round to nearest even; NaN stays NaN (quiet bit set), ±Inf stays ±Inf.
    @inline(__always)
    public static func bf16Bits(_ f: Float) -> UInt16 {
        let u = f.bitPattern
        if (u & 0x7FFF_FFFF) > 0x7F80_0000 { return UInt16(truncatingIfNeeded: (u >> 16) | 0x0040) }
        return UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    /// The exact Float value of bfloat16 bits `b`.
    @inline(__always)
    public static func float(fromBF16 b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    // MARK: - FP8

    /// The 256 values of F8_E4M3 (OCP "fn": no infinities, 0x7F/0xFF are NaN, max 448).
    public static let e4m3Table: [Float] = (0..<256).map { decodeMinifloat(UInt8($0), exponentBits: 4, mantissaBits: 3, bias: 7, ieeeSpecials: false) }
    /// The 256 values of F8_E5M2 (IEEE-like: infinities and NaNs, max 57344).
    public static let e5m2Table: [Float] = (0..<256).map { decodeMinifloat(UInt8($0), exponentBits: 5, mantissaBits: 2, bias: 15, ieeeSpecials: true) }

    @inline(__always) public static func float(fromE4M3 b: UInt8) -> Float { e4m3Table[Int(b)] }
    @inline(__always) public static func float(fromE5M2 b: UInt8) -> Float { e5m2Table[Int(b)] }

    /// F8_E4M3 bits of `f`, round to nearest even; values beyond 448 after rounding and NaN become NaN (0x7F | sign),
    /// as PyTorch's `float8_e4m3fn` cast does.
    public static func e4m3Bits(_ f: Float) -> UInt8 {
        encodeMinifloat(f, exponentBits: 4, mantissaBits: 3, bias: 7, ieeeSpecials: false)
    }
    /// F8_E5M2 bits of `f`, round to nearest even; overflow to ±Inf, NaN kept.
    public static func e5m2Bits(_ f: Float) -> UInt8 {
        encodeMinifloat(f, exponentBits: 5, mantissaBits: 2, bias: 15, ieeeSpecials: true)
    }

    private static func decodeMinifloat(_ b: UInt8, exponentBits: Int, mantissaBits: Int, bias: Int, ieeeSpecials: Bool) -> Float {
        let sign: Float = (b & 0x80) != 0 ? -1 : 1
        let e = Int(b >> UInt8(mantissaBits)) & ((1 << exponentBits) - 1)
        let m = Int(b) & ((1 << mantissaBits) - 1)
        let maxE = (1 << exponentBits) - 1
        if ieeeSpecials && e == maxE { return m == 0 ? sign * .infinity : .nan }
        if !ieeeSpecials && e == maxE && m == (1 << mantissaBits) - 1 { return .nan }
        if e == 0 { return sign * Float(m) * Float(sign: .plus, exponent: 1 - bias - mantissaBits, significand: 1) }
        return sign * (1 + Float(m) / Float(1 << mantissaBits)) * Float(sign: .plus, exponent: e - bias, significand: 1)
    }

    private static func encodeMinifloat(_ f: Float, exponentBits: Int, mantissaBits: Int, bias: Int, ieeeSpecials: Bool) -> UInt8 {
        let signBit: UInt8 = f.sign == .minus ? 0x80 : 0
        let maxE = (1 << exponentBits) - 1
        let nanCode = UInt8((maxE << mantissaBits) | ((1 << mantissaBits) - 1))
        if f.isNaN { return signBit | (ieeeSpecials ? UInt8((maxE << mantissaBits) | 1) : nanCode) }
        let a = abs(f)
        // Largest finite: e4m3fn uses the top exponent except its all-ones mantissa.
        let maxFinite: Float = ieeeSpecials
            ? (2 - Float(sign: .plus, exponent: -mantissaBits, significand: 1)) * Float(sign: .plus, exponent: maxE - 1 - bias, significand: 1)
            : (2 - Float(sign: .plus, exponent: 1 - mantissaBits, significand: 1)) * Float(sign: .plus, exponent: maxE - bias, significand: 1)
        if a.isInfinite { return signBit | (ieeeSpecials ? UInt8(maxE << mantissaBits) : nanCode) }
        let minNormalExp = 1 - bias
        let exp = a == 0 ? minNormalExp : max(minNormalExp, Int(a.exponent))
        let quantum = Float(sign: .plus, exponent: exp - mantissaBits, significand: 1)
        let q = (a / quantum).rounded(.toNearestOrEven) * quantum
        if q > maxFinite { return signBit | (ieeeSpecials ? UInt8(maxE << mantissaBits) : nanCode) }
        if q == 0 { return signBit }
        let qe = Int(q.exponent)
        if qe < minNormalExp {
            return signBit | UInt8(Int(q / Float(sign: .plus, exponent: minNormalExp - mantissaBits, significand: 1)))
        }
        let mant = Int((q / Float(sign: .plus, exponent: qe, significand: 1) - 1) * Float(1 << mantissaBits))
        return signBit | UInt8(((qe + bias) << mantissaBits) | mant)
    }
}

extension SIMD8 where Scalar == UInt32 {
    @inline(__always) var asFloat: SIMD8<Float> { SIMD8<Float>(bitPattern: self) }
}

extension SIMD8 where Scalar == Float {
    @inline(__always) init(bitPattern b: SIMD8<UInt32>) {
        self = unsafeBitCast(b, to: SIMD8<Float>.self)
    }
    @inline(__always) var bitPattern: SIMD8<UInt32> { unsafeBitCast(self, to: SIMD8<UInt32>.self) }
}
