import IngotTestSupport

/// The data shapes the quantizer tests draw from the shared seeded generator.
extension SeededRandom {
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
