import Foundation

/// Sampling settings, with llama.cpp's defaults.
public struct SamplingOptions: Sendable {
    /// 0 (or less) means greedy: always the most likely token.
    public var temperature: Float = 0.8
    /// Keep only the k most likely tokens (0: all).
    public var topK: Int = 40
    /// Keep the smallest set of tokens whose probability reaches p (1: all).
    public var topP: Float = 0.95
    /// Drop tokens less likely than `minP ×` the most likely one (0: off).
    public var minP: Float = 0.05
    /// Divide positive logits (multiply negative ones) of recently seen tokens by this (1: off).
    public var repeatPenalty: Float = 1.0
    /// How many of the latest tokens the repeat penalty looks at.
    public var repeatLastN: Int = 64
    public var seed: UInt64 = 0

    public init() {}
}

/// Picks the next token from a row of logits: repeat penalty → top-k → top-p → min-p → temperature → draw,
/// the order of llama.cpp's default sampler chain.
public struct Sampler {
    public let options: SamplingOptions
    var rng: SplitMix64

    public init(_ options: SamplingOptions) {
        self.options = options
        rng = SplitMix64(seed: options.seed)
    }

    /// - Parameters:
    ///   - history: tokens so far (prompt and generated), for the repeat penalty.
    public mutating func sample(_ logits: [Float], history: [Int32]) -> Int32 {
        var l = logits
        if options.repeatPenalty != 1, options.repeatLastN != 0 {
            let n = options.repeatLastN < 0 ? history.count : min(options.repeatLastN, history.count)
            for t in Set(history.suffix(n)) where t >= 0 && Int(t) < l.count {
                let v = l[Int(t)]
                l[Int(t)] = v > 0 ? v / options.repeatPenalty : v * options.repeatPenalty
            }
        }
        if options.temperature <= 0 { return Int32(Sampler.argmax(l)) }

        // Candidates sorted by logit (ties: lower id first).
        var ids = Array(0..<l.count)
        ids.sort { l[$0] != l[$1] ? l[$0] > l[$1] : $0 < $1 }
        if options.topK > 0 && options.topK < ids.count { ids.removeSubrange(options.topK...) }
        // Probabilities of the survivors (at temperature 1, as llama.cpp's top-p and min-p see them).
        func probs(_ ids: [Int], temp: Float) -> [Double] {
            let m = l[ids[0]]
            let e = ids.map { Foundation.exp(Double((l[$0] - m) / temp)) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
        if options.topP < 1 {
            let p = probs(ids, temp: 1)
            var cum = 0.0, keep = ids.count
            for (i, x) in p.enumerated() {
                cum += x
                if cum >= Double(options.topP) { keep = i + 1; break }
            }
            ids.removeSubrange(keep...)
        }
        if options.minP > 0 && ids.count > 1 {
            let p = probs(ids, temp: 1)
            let floor = p[0] * Double(options.minP)
            let keep = max(1, p.firstIndex { $0 < floor } ?? ids.count)
            ids.removeSubrange(keep...)
        }
        let p = probs(ids, temp: options.temperature)
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        var cum = 0.0
        for (i, x) in p.enumerated() {
            cum += x
            if u < cum { return Int32(ids[i]) }
        }
        return Int32(ids[ids.count - 1])
    }

    /// First index of the largest value.
    public static func argmax(_ v: [Float]) -> Int {
        var a = 0
        for i in 1..<v.count where v[i] > v[a] { a = i }
        return a
    }
}

/// SplitMix64: a small, fast, seedable generator, so `--seed` reproduces a run exactly on any platform.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
