import Foundation

/// Timings of one generation.
public struct GenerationStats: Sendable {
    public var promptTokens = 0
    public var promptSeconds = 0.0
    public var generatedTokens = 0
    public var generateSeconds = 0.0
    /// Why generation ended: "eos", "stop", "length" or "context".
    public var finishReason = "length"
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var generateTokensPerSecond: Double { generateSeconds > 0 ? Double(generatedTokens) / generateSeconds : 0 }
}

/// Autoregressive generation with a KV cache: the prompt in one batch, then one token per forward call.
public struct Generator {
    public let model: Transformer
    /// The bytes of a token (the tokenizer's `decodePiece`).
    public let piece: (Int32) -> [UInt8]
    /// Tokens that end generation (EOS, end-of-turn).
    public let endTokens: Set<Int32>

    public init(model: Transformer, endTokens: Set<Int32>, piece: @escaping (Int32) -> [UInt8]) {
        self.model = model
        self.endTokens = endTokens
        self.piece = piece
    }

    /// Generates up to `maxTokens` tokens after `prompt`, calling `emit` with printable text as it is produced.
    /// Returns the generated ids and the timings.
    public func generate(prompt: [Int32], maxTokens: Int, sampling: SamplingOptions, stops: [String] = [],
                         emit: (String) -> Void) throws -> (tokens: [Int32], stats: GenerationStats) {
        guard !prompt.isEmpty else { throw InferenceError.badInput("the prompt is empty (no tokens to start from)") }
        var stats = GenerationStats()
        let capacity = prompt.count + max(0, maxTokens)
        let cache = model.makeCache(capacity: capacity)
        var sampler = Sampler(sampling)
        var stream = TextStream(stops: stops)
        var history = prompt
        var out: [Int32] = []

        let t0 = Date()
        var logits = try model.forward(prompt, cache: cache, logitRows: (prompt.count - 1)..<prompt.count)
        stats.promptTokens = prompt.count
        stats.promptSeconds = Date().timeIntervalSince(t0)

        let t1 = Date()
        while out.count < maxTokens {
            let next = sampler.sample(logits, history: history)
            if endTokens.contains(next) { stats.finishReason = "eos"; break }
            out.append(next)
            history.append(next)
            let text = stream.push(piece(next))
            if !text.isEmpty { emit(text) }
            if stream.stopped { stats.finishReason = "stop"; break }
            if out.count >= maxTokens { break }
            guard cache.length < cache.capacity else { stats.finishReason = "context"; break }
            logits = try model.forward([next], cache: cache, logitRows: 0..<1)
        }
        let rest = stream.flush()
        if !rest.isEmpty { emit(rest) }
        stats.generatedTokens = out.count
        stats.generateSeconds = Date().timeIntervalSince(t1)
        return (out, stats)
    }
}
