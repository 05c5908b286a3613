import Foundation

/// llama-perplexity's standard method (shared/docs/gguf-and-quants.md §7.1): the whole text tokenized with BOS,
/// chunks of `nCtx` tokens each starting over with an empty cache and its first token replaced by BOS, and only the
/// second half of each chunk scored (positions `nCtx/2 … nCtx−2` predicting the next token).
public struct PerplexityPlan: Sendable {
    public let nCtx: Int
    public let chunks: Int
    /// Tokens per forward call (≤ nCtx); the chunk is fed in pieces through the KV cache when smaller.
    public let batch: Int
    /// BOS id written over each chunk's first token, or nil when the model adds none.
    public let bos: Int32?

    /// First scored position in a chunk (`nCtx/2`).
    public var first: Int { nCtx / 2 }
    /// Tokens scored per chunk (`nCtx − 1 − nCtx/2`).
    public var scoredPerChunk: Int { nCtx - 1 - first }

    /// - Parameters:
    ///   - tokenCount: tokens in the text (BOS included).
    ///   - maxChunks: `--chunks`, or nil for as many as fit.
    public init(tokenCount: Int, nCtx: Int, maxChunks: Int?, batch: Int?, bos: Int32?) throws {
        guard nCtx >= 4 else { throw InferenceError.badInput("context \(nCtx) is too small (at least 4 tokens)") }
        guard tokenCount >= 2 * nCtx else {
            throw InferenceError.badInput("the text has \(tokenCount) tokens; perplexity with a context of \(nCtx) needs at least \(2 * nCtx)")
        }
        if let c = maxChunks, c <= 0 { throw InferenceError.badInput("--chunks must be positive") }
        self.nCtx = nCtx
        chunks = min(maxChunks ?? Int.max, tokenCount / nCtx)
        self.batch = max(1, min(batch ?? nCtx, nCtx))
        self.bos = bos
    }

    /// The tokens of chunk `i`, its first replaced by BOS.
    public func chunkTokens(_ i: Int, of tokens: [Int32]) -> [Int32] {
        var t = Array(tokens[(i * nCtx)..<((i + 1) * nCtx)])
        if let bos { t[0] = bos }
        return t
    }

    /// Runs chunk `i` through `model` and returns the logits of the scored positions `[scoredPerChunk, vocab]`
    /// and the tokens they predict.
    public func scoredLogits(chunk i: Int, tokens: [Int32], model: Transformer, cache: KVCache) throws -> (logits: [Float], targets: [Int32]) {
        let t = chunkTokens(i, of: tokens)
        cache.clear()
        var logits: [Float] = []
        logits.reserveCapacity(scoredPerChunk * model.spec.vocabSize)
        let want = first..<(nCtx - 1)
        var s = 0
        while s < nCtx {
            let e = min(nCtx, s + batch)
            let lo = max(s, want.lowerBound), hi = min(e, want.upperBound)
            let rows = lo < hi ? (lo - s)..<(hi - s) : 0..<0
            logits += try model.forward(Array(t[s..<e]), cache: cache, logitRows: rows)
            s = e
        }
        return (logits, Array(t[(first + 1)..<nCtx]))
    }
}

/// Running mean of negative log-likelihoods, and PPL ± its standard error by the delta method (as llama-perplexity).
public struct PerplexityAccumulator: Sendable {
    public private(set) var count = 0
    public private(set) var sum = 0.0
    public private(set) var sumSquares = 0.0

    public init() {}

    public mutating func add(nll: Double) {
        count += 1
        sum += nll
        sumSquares += nll * nll
    }

    public var meanNLL: Double { count > 0 ? sum / Double(count) : .nan }
    public var ppl: Double { Foundation.exp(meanNLL) }
    /// `PPL · sqrt((mean(nll²) − mean(nll)²)/(N−1))`; NaN when it cannot be estimated.
    public var pplError: Double {
        guard count > 1 else { return .nan }
        let m = meanNLL, v = sumSquares / Double(count) - m * m
        guard v > 0 else { return .nan }
        return ppl * (v / Double(count - 1)).squareRoot()
    }
}
