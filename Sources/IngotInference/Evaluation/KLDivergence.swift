import Foundation

/// What KL-divergence needs to know about the base model at one scored position: its `k` most likely tokens with
/// their log-probabilities, the probability mass of all the others (the tail), and the log-probability of the token
/// that actually follows. Formats/kld-base.md describes how these are stored in a `--save-base` file.
public struct BaseDistribution: Sendable, Equatable {
    /// Token ids, most likely first (ties: lower id first).
    public var ids: [Int32]
    /// Their log-probabilities (natural log).
    public var logProbs: [Float]
    /// log of the base probability outside `ids` (−∞ when the top-k hold all of it).
    public var logTail: Float
    /// log p_base(next token).
    public var targetLogProb: Float

    public init(ids: [Int32], logProbs: [Float], logTail: Float, targetLogProb: Float) {
        self.ids = ids
        self.logProbs = logProbs
        self.logTail = logTail
        self.targetLogProb = targetLogProb
    }

    /// The summary of one row of base logits.
    public init(logits row: UnsafePointer<Float>, vocab n: Int, topK k: Int, target: Int32) {
        let ls = LogSoftmax(row, count: n)
        let k = min(k, n)
        // Partial selection of the top k: a min-ordered buffer, replacing its weakest entry.
        var top: [(Float, Int32)] = []
        top.reserveCapacity(k + 1)
        func better(_ a: (Float, Int32), _ b: (Float, Int32)) -> Bool { a.0 != b.0 ? a.0 > b.0 : a.1 < b.1 }
        for i in 0..<n {
            let c = (row[i], Int32(i))
            if top.count < k { top.append(c); if top.count == k { top.sort(by: better) }; continue }
            if better(c, top[k - 1]) {
                var j = k - 1
                while j > 0 && better(c, top[j - 1]) { top[j] = top[j - 1]; j -= 1 }
                top[j] = c
            }
        }
        if top.count < k { top.sort(by: better) }
        ids = top.map(\.1)
        logProbs = top.map { Float(ls.logProb($0.0)) }
        let inTop = logProbs.reduce(0.0) { $0 + Foundation.exp(Double($1)) }
        let tail = max(0, 1 - inTop)
        logTail = tail > 0 ? Float(Foundation.log(tail)) : -.infinity
        targetLogProb = Float(ls.logProb(row[Int(target)]))
    }
}

/// Per-token comparison of a model against its base, and the statistics llama-perplexity reports
/// (shared/docs/gguf-and-quants.md §7.2).
public struct KLDAccumulator: Sendable {
    public private(set) var kld: [Double] = []
    public private(set) var deltaP: [Double] = []
    public private(set) var sameTop = 0
    public private(set) var base = PerplexityAccumulator()
    public private(set) var model = PerplexityAccumulator()

    public init() {}

    public var count: Int { kld.count }

    /// Adds one scored position: the model's logits row against the base's summary.
    /// KL(base ‖ model) is taken over the base's top-k tokens plus one bucket for everything else, which equals the
    /// full sum when the top-k hold all the base's mass and is otherwise a (tight) lower bound of it.
    public mutating func add(base b: BaseDistribution, logits row: UnsafePointer<Float>, vocab n: Int, target: Int32) {
        let ls = LogSoftmax(row, count: n)
        var k = 0.0, qTop = 0.0
        for (i, id) in b.ids.enumerated() {
            let lp = Double(b.logProbs[i]), lq = ls.logProb(row[Int(id)])
            k += Foundation.exp(lp) * (lp - lq)
            qTop += Foundation.exp(lq)
        }
        if b.logTail > -.infinity {
            let lpT = Double(b.logTail), qT = max(1e-30, 1 - qTop)
            k += Foundation.exp(lpT) * (lpT - Foundation.log(qT))
        }
        kld.append(k)
        let lqTarget = ls.logProb(row[Int(target)])
        deltaP.append(Foundation.exp(lqTarget) - Foundation.exp(Double(b.targetLogProb)))
        // Model's argmax: first maximum.
        var arg = 0
        for i in 1..<n where row[i] > row[arg] { arg = i }
        if let top = b.ids.first, Int(top) == arg { sameTop += 1 }
        base.add(nll: -Double(b.targetLogProb))
        model.add(nll: -lqTarget)
    }

    /// Adds one scored position from the full logits of both models: the exact KL(base ‖ model) over the vocabulary.
    public mutating func add(baseLogits b: UnsafePointer<Float>, logits row: UnsafePointer<Float>, vocab n: Int, target: Int32) {
        let lb = LogSoftmax(b, count: n), lq = LogSoftmax(row, count: n)
        var k = 0.0
        var argB = 0, argQ = 0
        for i in 0..<n {
            let lp = lb.logProb(b[i])
            k += Foundation.exp(lp) * (lp - lq.logProb(row[i]))
            if b[i] > b[argB] { argB = i }
            if row[i] > row[argQ] { argQ = i }
        }
        kld.append(k)
        let lpT = lb.logProb(b[Int(target)]), lqT = lq.logProb(row[Int(target)])
        deltaP.append(Foundation.exp(lqT) - Foundation.exp(lpT))
        if argB == argQ { sameTop += 1 }
        base.add(nll: -lpT)
        model.add(nll: -lqT)
    }

    /// `(S/N, sqrt((S2/N − mean²)/(N−1)))`, error 0 when N ≤ 10 (llama-perplexity's `mean_and_uncertainty`).
    static func meanAndError(_ v: [Double]) -> (Double, Double) {
        let n = Double(v.count)
        guard !v.isEmpty else { return (.nan, .nan) }
        let s = v.reduce(0, +), s2 = v.reduce(0) { $0 + $1 * $1 }
        let m = s / n
        guard v.count > 10 else { return (m, 0) }
        return (m, max(0, (s2 / n - m * m) / (n - 1)).squareRoot())
    }

    /// Linear interpolation at `f·(N−1)` of the sorted values.
    static func percentile(_ sorted: [Double], _ f: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let x = f * Double(sorted.count - 1)
        let i = Int(x.rounded(.down)), frac = x - Double(i)
        return i + 1 < sorted.count ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i]
    }

    /// The summary statistics. Δp values and same-top are in percent, as llama-perplexity prints them.
    public var summary: KLDSummary {
        let (mean, err) = Self.meanAndError(kld)
        let sorted = kld.sorted()
        let sq = deltaP.map { $0 * $0 }
        let (msq, msqErr) = Self.meanAndError(sq)
        let rms = msq.squareRoot()
        let n = Double(count)
        let p = n > 0 ? Double(sameTop) / n : .nan
        return KLDSummary(
            tokens: count, mean: mean, meanError: err,
            median: Self.percentile(sorted, 0.5), p90: Self.percentile(sorted, 0.90), p99: Self.percentile(sorted, 0.99),
            max: sorted.last ?? .nan,
            sameTopPercent: 100 * p, sameTopError: n > 1 ? 100 * (p * (1 - p) / (n - 1)).squareRoot() : .nan,
            rmsDeltaPPercent: 100 * rms, rmsDeltaPError: rms > 0 ? 100 * 0.5 / rms * msqErr : 0,
            meanDeltaPPercent: 100 * Self.meanAndError(deltaP).0,
            basePPL: base.ppl, modelPPL: model.ppl)
    }
}

/// KL-divergence statistics of one run.
public struct KLDSummary: Sendable {
    public let tokens: Int
    public let mean: Double, meanError: Double
    public let median: Double, p90: Double, p99: Double, max: Double
    public let sameTopPercent: Double, sameTopError: Double
    public let rmsDeltaPPercent: Double, rmsDeltaPError: Double
    public let meanDeltaPPercent: Double
    public let basePPL: Double, modelPPL: Double
}
