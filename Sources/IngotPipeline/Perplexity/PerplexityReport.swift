import Foundation
import IngotCore
import IngotFormats
import IngotInference

/// What `ingot ppl` reports: the result, its text rendering (llama-perplexity's final lines and KLD table) and its
/// JSON rendering; plus the progress lines printed on stderr while it runs.
public struct PerplexityReport: Sendable {
    public let result: PerplexityResult

    public init(_ result: PerplexityResult) { self.result = result }

    // MARK: - Progress (stderr)

    /// The line printed once the text is tokenized and the chunks planned.
    public static func startLine(tokens: Int, plan: PerplexityPlan, threads: Int) -> String {
        "ppl: \(tokens) tokens, \(plan.chunks) chunks of \(plan.nCtx), \(plan.scoredPerChunk) scored per chunk, \(threads) threads\n"
    }

    /// llama-perplexity's running estimate after a chunk: `[1]12.3456,`.
    public static func chunkText(index: Int, ppl: Double) -> String {
        "[\(index + 1)]\(String(format: "%.4f", ppl)),"
    }

    // MARK: - Renderings

    static func num(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }

    /// One JSON object: `ppl`, `ppl_error`, counts, timing, `ppl_by_chunk`, and a `kld` object when compared.
    public func json() -> JSONValue {
        let r = result
        let num = PerplexityReport.num
        var o = JSONObject()
        o.set("ppl", num(r.ppl))
        o.set("ppl_error", num(r.pplError))
        o.set("tokens_scored", .int(r.tokensScored))
        o.set("tokens_evaluated", .int(r.tokensEvaluated))
        o.set("chunks", .int(r.chunks))
        o.set("n_ctx", .int(r.nCtx))
        o.set("seconds", num(r.seconds))
        o.set("tokens_per_second", num(r.tokensPerSecond))
        o.set("ppl_by_chunk", .array(r.runningPPL.map(num)))
        if let k = r.kld {
            var d = JSONObject()
            d.set("mean", num(k.mean))
            d.set("mean_error", num(k.meanError))
            d.set("median", num(k.median))
            d.set("p90", num(k.p90))
            d.set("p99", num(k.p99))
            d.set("max", num(k.max))
            d.set("same_top_p", num(k.sameTopPercent))
            d.set("same_top_p_error", num(k.sameTopError))
            d.set("rms_delta_p", num(k.rmsDeltaPPercent))
            d.set("rms_delta_p_error", num(k.rmsDeltaPError))
            d.set("mean_delta_p", num(k.meanDeltaPPercent))
            d.set("base_ppl", num(k.basePPL))
            d.set("tokens", .int(k.tokens))
            o.set("kld", .object(d))
        }
        return .object(o)
    }

    /// llama-perplexity's "Final estimate" line, the run's size and speed, and llama.cpp's KL-divergence table.
    public func text() -> String {
        let r = result
        var s = "Final estimate: PPL = \(String(format: "%.4f", r.ppl)) +/- \(String(format: "%.5f", r.pplError))\n"
        s += "\(r.tokensScored) tokens scored in \(r.chunks) chunks of \(r.nCtx); "
        s += "\(String(format: "%.2f", r.seconds)) s, \(String(format: "%.1f", r.tokensPerSecond)) tokens/s\n"
        if let k = r.kld {
            func f(_ x: Double, _ d: Int = 6) -> String { String(format: "%.\(d)f", x) }
            s += "\n====== KL divergence statistics ======\n"
            s += "Mean PPL(base)  : \(f(k.basePPL, 4))\n"
            s += "Mean    KLD     : \(f(k.mean)) ± \(f(k.meanError))\n"
            s += "Maximum KLD     : \(f(k.max))\n"
            s += "99.0%   KLD     : \(f(k.p99))\n"
            s += "90.0%   KLD     : \(f(k.p90))\n"
            s += "Median  KLD     : \(f(k.median))\n"
            s += "RMS Δp          : \(f(k.rmsDeltaPPercent, 3)) ± \(f(k.rmsDeltaPError, 3)) %\n"
            s += "Same top p      : \(f(k.sameTopPercent, 3)) ± \(f(k.sameTopError, 3)) %\n"
        }
        return s
    }
}
