import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// The rounding and table helpers every codec relies on (shared/docs/gguf-and-quants.md §4.1).
@Suite struct QuantMathTests {
    @Test func nearestIntIsRoundHalfEvenInRange() {
        for v: Float in [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 7.5, -7.5, 4194303, -4194303, 0, -0.0] {
            #expect(QuantMath.nearestInt(v) == Int32(v.rounded(.toNearestOrEven)), "\(v)")
        }
        var rng = SeededRandom(seed: 3)
        for _ in 0..<10_000 {
            let v = (rng.unit() - 0.5) * 8_000_000
            #expect(QuantMath.nearestInt(v) == Int32(v.rounded(.toNearestOrEven)))
        }
    }

    @Test func laneNearestIntEqualsScalarForEveryInput() {
        var rng = SeededRandom(seed: 4)
        for _ in 0..<2_000 {
            // Any bit pattern, NaN and out-of-range included: the lanes must reproduce ggml's garbage exactly.
            let v = SIMD8<Float>((0..<8).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) })
            let l = KQuantLanes.nearestInt(v)
            for k in 0..<8 { #expect(l[k] == QuantMath.nearestInt(v[k])) }
        }
    }

    @Test func truncationFollowsX86() {
        #expect(QuantMath.truncToInt32(2.9) == 2)
        #expect(QuantMath.truncToInt32(-2.9) == -2)
        #expect(QuantMath.truncToInt32(.nan) == Int32.min)
        #expect(QuantMath.truncToInt32(.infinity) == Int32.min)
        #expect(QuantMath.truncToInt32(3e9) == Int32.min)
        #expect(QuantMath.truncToInt32(-2147483648) == Int32.min)
    }

    @Test func roundfIsHalfAwayFromZero() {
        #expect(QuantMath.roundf(0.5) == 1 && QuantMath.roundf(-0.5) == -1 && QuantMath.roundf(2.5) == 3)
        // The SIMD form used by Q8_0's fast encoder agrees on halves and neighbours.
        let v = SIMD8<Float>(0.5, -0.5, 2.5, -2.5, 126.5, -126.49998, 0.49999997, 127)
        let r = Q8_0.roundToInt8(v)
        for k in 0..<8 { #expect(Int32(r[k]) == Int32(QuantMath.roundf(v[k])), "\(v[k])") }
    }

    /// glibc's `lroundf` on x86-64 (checked with a C program: `lroundf(NAN)`, ±Inf and ±9.3e18 give LONG_MIN);
    /// the ternary encoders rely on it when a block's reciprocal scale overflows.
    @Test func lroundfIsHalfAwayFromZeroAndX86OutOfRange() {
        #expect(QuantMath.lroundf(0.5) == 1 && QuantMath.lroundf(-0.5) == -1 && QuantMath.lroundf(1.5) == 2)
        #expect(QuantMath.lroundf(-2.5) == -3 && QuantMath.lroundf(0.49999997) == 0 && QuantMath.lroundf(-0.0) == 0)
        for v: Float in [.nan, -.nan, .infinity, -.infinity, 9.3e18, -9.3e18] {
            #expect(QuantMath.lroundf(v) == Int64.min, "\(v)")
        }
        #expect(QuantMath.lroundf(-0x1p63) == Int64.min && QuantMath.lroundf(0x1.fffffep62) == 0x7FFF_FF80_0000_0000)
    }

    @Test func e8m0HalfIsExactPowerOfTwo() {
        for e in 0..<255 {
            #expect(QuantMath.e8m0ToFloatHalf(UInt8(e)) == Float(sign: .plus, exponent: e - 128, significand: 1), "e \(e)")
        }
    }

    @Test func bestIndexInt8IsNearestWithTiesUp() {
        IQ4_NL.values.withUnsafeBufferPointer { vals in
            var rng = SeededRandom(seed: 5)
            var probes: [Float] = (0..<5_000).map { _ in (rng.unit() - 0.5) * 300 }
            // Exact midpoints between neighbours must go to the upper entry.
            for k in 1..<16 { probes.append(Float(Int(vals[k - 1]) + Int(vals[k])) / 2) }
            for x in probes {
                let got = QuantMath.bestIndexInt8(16, vals.baseAddress!, x)
                var best = 0
                for k in 1..<16 where abs(Float(vals[k]) - x) <= abs(Float(vals[best]) - x) { best = k }
                #expect(got == best, "x \(x): got \(got) want \(best)")
            }
        }
    }
}
