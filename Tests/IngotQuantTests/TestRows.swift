/// A small deterministic generator for tests (SplitMix64), so failures reproduce from the printed seed.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    /// Approximately N(0, 1) (sum of uniforms; enough for quantizer tests).
    mutating func normal() -> Float {
        var s: Float = 0
        for _ in 0..<6 { s += unit() }
        return (s - 3) * 1.41421356
    }

    /// Rows in one of several shapes of data: gaussian, uniform, heavy tails with outliers, tiny, huge, sparse,
    /// and values near the bottom of float32 (subnormal scales, infinite reciprocals).
    mutating func rows(_ n: Int, kind: Int) -> [Float] {
        (0..<n).map { _ in
            switch kind % 7 {
            case 0: return normal() * 0.02
            case 1: return unit() * 2 - 1
            case 2: let v = normal() * 0.01; return unit() < 0.01 ? v * 80 : v
            case 3: return normal() * 1e-7
            case 4: return normal() * 3000
            case 5: return unit() < 0.7 ? 0 : normal()
            default: return normal() * 1e-38
            }
        }
    }
}
