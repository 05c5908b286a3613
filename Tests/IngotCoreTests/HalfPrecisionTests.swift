import Testing
@testable import IngotCore
import IngotTestSupport

@Suite struct HalfPrecisionTests {
    /// Every binary16 value decodes to Swift's own exact Float16 → Float conversion, scalar and SIMD alike.
    @Test func f16DecodeAllValues() {
        for h in 0...UInt16.max {
            let ours = HalfPrecision.float(fromF16: h)
            let ref = Float(Float16(bitPattern: h))
            if ref.isNaN { #expect(ours.isNaN, "0x\(String(h, radix: 16))") } else {
                #expect(ours.bitPattern == ref.bitPattern, "0x\(String(h, radix: 16))")
            }
        }
        var lanes = SIMD8<UInt16>()
        for base in stride(from: 0, to: 65536, by: 8) {
            for l in 0..<8 { lanes[l] = UInt16(base + l) }
            let v = HalfPrecision.float(fromF16: lanes)
            for l in 0..<8 {
                let s = HalfPrecision.float(fromF16: lanes[l])
                #expect(v[l].bitPattern == s.bitPattern || (v[l].isNaN && s.isNaN))
            }
        }
    }

    /// F32 → F16 is round-to-nearest-even: equal to Float16's own conversion (IEEE RNE) for finite values,
    /// ±Inf on overflow, NaN to sign | 0x7E00 (ggml). SIMD equals scalar.
    @Test func f16EncodeMatchesIEEE() {
        var rng = SeededRandom(seed: 42)
        var inputs: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e-8, 5.96e-8, 2.98e-8, 2.9802322e-8,
                               6.1035156e-5, 6.1035156e-5 * 0.999, .infinity, -.infinity, .greatestFiniteMagnitude,
                               .leastNonzeroMagnitude, 0.33333334, 1.0009765625, 1.00048828125, 1.000732421875]
        for _ in 0..<200_000 { inputs.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
        for x in inputs {
            let ours = HalfPrecision.f16Bits(x)
            if x.isNaN {
                #expect(ours & 0x7FFF == 0x7E00)
                continue
            }
            #expect(ours == Float16(x).bitPattern, "x = \(x) bits 0x\(String(x.bitPattern, radix: 16))")
        }
        for i in stride(from: 0, to: inputs.count - 8, by: 8) {
            let v = SIMD8<Float>(inputs[i..<(i + 8)])
            let bits = HalfPrecision.f16Bits(v)
            for l in 0..<8 { #expect(bits[l] == HalfPrecision.f16Bits(v[l])) }
        }
    }

    @Test func bf16RoundTrip() {
        #expect(HalfPrecision.bf16Bits(1.0) == 0x3F80)
        // 1 + 2^-8 is a tie between 0x3F80 and 0x3F81: even wins.
        #expect(HalfPrecision.bf16Bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)
        #expect(HalfPrecision.bf16Bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)
        #expect(HalfPrecision.bf16Bits(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(HalfPrecision.bf16Bits(.infinity) == 0x7F80)
        #expect(HalfPrecision.bf16Bits(-.infinity) == 0xFF80)
        #expect(HalfPrecision.float(fromBF16: HalfPrecision.bf16Bits(.nan)).isNaN)
        #expect(HalfPrecision.bf16Bits(Float(bitPattern: 0x7F7F_FFFF)) == 0x7F80) // rounds to Inf
        for b in 0...UInt16.max {
            let f = HalfPrecision.float(fromBF16: b)
            if f.isNaN { continue }
            #expect(HalfPrecision.bf16Bits(f) == b)
        }
    }

    @Test func fp8Tables() {
        // OCP / PyTorch reference points.
        #expect(HalfPrecision.float(fromE4M3: 0x7E) == 448)
        #expect(HalfPrecision.float(fromE4M3: 0x7F).isNaN)
        #expect(HalfPrecision.float(fromE4M3: 0x01) == 0.001953125)   // 2^-9, smallest subnormal
        #expect(HalfPrecision.float(fromE4M3: 0x08) == 0.015625)      // 2^-6, smallest normal
        #expect(HalfPrecision.float(fromE5M2: 0x7B) == 57344)
        #expect(HalfPrecision.float(fromE5M2: 0x7C) == .infinity)
        #expect(HalfPrecision.float(fromE5M2: 0x01) == 1.52587890625e-05) // 2^-16
        // Every finite code round-trips.
        for b in 0...UInt8.max {
            let a = HalfPrecision.float(fromE4M3: b)
            if !a.isNaN { #expect(HalfPrecision.e4m3Bits(a) == b || (a == 0 && HalfPrecision.e4m3Bits(a) & 0x7F == 0)) }
            let c = HalfPrecision.float(fromE5M2: b)
            if !c.isNaN { #expect(HalfPrecision.e5m2Bits(c) == b) }
        }
        // Ties to even, overflow behaviour.
        #expect(HalfPrecision.e4m3Bits(1.0625) == 0x38)    // between 1.0 (0x38) and 1.125 (0x39): even
        #expect(HalfPrecision.e4m3Bits(1.1875) == 0x3A)    // between 1.125 and 1.25: even is 0x3A
        #expect(HalfPrecision.e4m3Bits(500) & 0x7F == 0x7F) // beyond 448 → NaN, as torch's e4m3fn cast
        #expect(HalfPrecision.e5m2Bits(1e6) == 0x7C)
        #expect(HalfPrecision.e5m2Bits(-1e6) == 0xFC)
    }

    @Test func bufferConversionsMatchScalar() {
        var rng = SeededRandom(seed: 7)
        let n = 1003
        let xs = (0..<n).map { _ in Float(Double(rng.next() % 2_000_000) / 1000.0 - 1000.0) }
        for type in [ElementType.f32, .f16, .bf16, .f64, .f8E4M3, .f8E5M2] {
            var raw = [UInt8](repeating: 0, count: n * type.blockBytes)
            var back = [Float](repeating: 0, count: n)
            raw.withUnsafeMutableBytes { r in
                #expect(ElementConversion.fromFloat(type, xs, r.baseAddress!, count: n))
                #expect(ElementConversion.toFloat(type, r.baseAddress!, &back, count: n))
            }
            for i in 0..<n {
                let expected: Float
                switch type {
                case .f16: expected = HalfPrecision.float(fromF16: HalfPrecision.f16Bits(xs[i]))
                case .bf16: expected = HalfPrecision.float(fromBF16: HalfPrecision.bf16Bits(xs[i]))
                case .f8E4M3: expected = HalfPrecision.float(fromE4M3: HalfPrecision.e4m3Bits(xs[i]))
                case .f8E5M2: expected = HalfPrecision.float(fromE5M2: HalfPrecision.e5m2Bits(xs[i]))
                default: expected = xs[i]
                }
                #expect(back[i].bitPattern == expected.bitPattern || (back[i].isNaN && expected.isNaN), "\(type) at \(i)")
            }
        }
    }
}
