import Foundation

/// What a perplexity run compares against, if anything.
public enum KLDBase {
    /// A second model run chunk by chunk on the same tokens.
    case model(Transformer)
    /// A base cache file written by `--save-base`.
    case file(KLDBaseReader)
}

/// The outcome of `ingot ppl`.
public struct PerplexityResult: Sendable {
    public let ppl: Double
    public let pplError: Double
    public let tokensScored: Int
    public let chunks: Int
    public let nCtx: Int
    /// Tokens run through the model (chunks × n_ctx).
    public let tokensEvaluated: Int
    /// Wall time of the forward passes and scoring (loading excluded).
    public let seconds: Double
    /// Running estimate after each chunk (llama-perplexity's `[i]` values).
    public let runningPPL: [Double]
    public let kld: KLDSummary?
    public var tokensPerSecond: Double { seconds > 0 ? Double(tokensEvaluated) / seconds : 0 }
}

/// Runs llama-perplexity's method over `tokens`, optionally against a base (KL-divergence) and optionally saving this
/// model's distributions as a base cache.
public enum PerplexityRun {
    /// - Parameters:
    ///   - progress: called after each chunk with its index and the running PPL.
    public static func run(model: Transformer, tokens: [Int32], plan: PerplexityPlan, base: KLDBase? = nil,
                           saveBase: KLDBaseWriter? = nil, saveTopK: Int = 32,
                           progress: (Int, Double) -> Void = { _, _ in }) throws -> PerplexityResult {
        let V = model.spec.vocabSize
        if case let .model(b)? = base, b.spec.vocabSize != V {
            throw InferenceError.badInput("the base model's vocabulary (\(b.spec.vocabSize)) differs from the model's (\(V))")
        }
        if case let .file(f)? = base {
            guard f.header.vocab == V else {
                throw InferenceError.badInput("the KLD base file's vocabulary (\(f.header.vocab)) differs from the model's (\(V))")
            }
            guard f.header.nCtx == plan.nCtx, f.header.chunks >= plan.chunks else {
                throw InferenceError.badInput("the KLD base file holds \(f.header.chunks) chunks of \(f.header.nCtx); this run needs \(plan.chunks) of \(plan.nCtx)")
            }
        }
        let cache = model.makeCache(capacity: plan.nCtx)
        let baseCache: KVCache? = { if case let .model(b)? = base { return b.makeCache(capacity: plan.nCtx) }; return nil }()
        var acc = PerplexityAccumulator()
        var kld = KLDAccumulator()
        var running: [Double] = []
        let t0 = Date()
        for c in 0..<plan.chunks {
            let (logits, targets) = try plan.scoredLogits(chunk: c, tokens: tokens, model: model, cache: cache)
            var baseRows: [BaseDistribution]? = nil
            var baseLogits: [Float]? = nil
            switch base {
            case let .model(b)?:
                baseLogits = try plan.scoredLogits(chunk: c, tokens: tokens, model: b, cache: baseCache!).logits
            case let .file(f)?:
                baseRows = try f.chunk(c)
            case nil:
                break
            }
            var saved: [BaseDistribution] = []
            logits.withUnsafeBufferPointer { lp in
                for (i, t) in targets.enumerated() {
                    let row = lp.baseAddress! + i * V
                    acc.add(nll: -LogSoftmax(row, count: V).logProb(row[Int(t)]))
                    if let baseRows { kld.add(base: baseRows[i], logits: row, vocab: V, target: t) }
                    if let baseLogits {
                        baseLogits.withUnsafeBufferPointer { kld.add(baseLogits: $0.baseAddress! + i * V, logits: row, vocab: V, target: t) }
                    }
                    if saveBase != nil { saved.append(BaseDistribution(logits: row, vocab: V, topK: saveTopK, target: t)) }
                }
            }
            try saveBase?.append(saved)
            running.append(acc.ppl)
            progress(c, acc.ppl)
        }
        let seconds = Date().timeIntervalSince(t0)
        return PerplexityResult(ppl: acc.ppl, pplError: acc.pplError, tokensScored: acc.count, chunks: plan.chunks,
                                nCtx: plan.nCtx, tokensEvaluated: plan.chunks * plan.nCtx * (base.map { if case .model = $0 { return 2 }; return 1 } ?? 1),
                                seconds: seconds, runningPPL: running, kld: base == nil ? nil : kld.summary)
    }
}
