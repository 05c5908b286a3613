import Foundation

/// The one seeded generator of the test suite (SplitMix64, Steele et al. 2014), so no test depends on the system
/// RNG and every failure reproduces from the seed it prints.
///
/// `init(seed:)` starts the stream at `seed`; the first `next()` adds the increment before mixing (the reference
/// `splitmix64.c`). Every test that had its own copy now draws exactly the stream it drew before.
public struct SeededRandom: RandomNumberGenerator {
    /// The generator's whole state; the stream continues from here.
    public var state: UInt64

    public init(seed: UInt64) { state = seed }
    public init(_ seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: - Draws

    /// Uniform in 0..<n (0 when n ≤ 0); `next() % n`, the modulo bias is irrelevant at test sizes.
    public mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    /// Uniform in `range` (`next() % count`).
    public mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    /// Uniform in [0, 1), from the top 24 bits.
    public mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// Standard normal by Box–Muller on two `unit()` draws.
    public mutating func gaussian() -> Float {
        let u = max(unit(), 1e-7), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Float.pi * v)
    }

    /// `n` floats uniform in −scale…scale (`Float.random(in:using:)`).
    public mutating func floats(_ n: Int, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in Float.random(in: -scale...scale, using: &self) }
    }
}
