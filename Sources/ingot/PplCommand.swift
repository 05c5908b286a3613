import ArgumentParser
import Foundation
import IngotCore
import IngotFormats
import IngotInference
import IngotPipeline

/// `ingot ppl MODEL --text FILE`: perplexity by llama-perplexity's method, and KL-divergence against a base.
struct PplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppl",
        abstract: "Perplexity of a model on a text, and KL-divergence against a base model.",
        discussion: """
        The method is llama-perplexity's: the whole text is tokenized with BOS, cut into chunks of --ctx tokens, \
        each chunk starts with an empty cache and BOS as its first token, and only the second half of each chunk \
        is scored. The running estimate is printed per chunk on stderr; the final PPL ± its standard error on stdout.

        KL-divergence: --kld-against BASE runs both models chunk by chunk (exact, over the whole vocabulary). \
        Or run the base once with --save-base F (keeps its top-k log-probabilities and tail mass per scored token, \
        see Formats/kld-base.md), then the other model with --kld-base F (tokens and context come from the file).
        """
    )

    @Argument(help: "Model: a .gguf file or a Hugging Face checkpoint directory.")
    var model: String

    @Option(name: .long, help: "Text file to score (not needed with --kld-base, whose tokens are used).")
    var text: String?

    @Option(name: .long, help: "Context length per chunk.")
    var ctx: Int = 512

    @Option(name: .long, help: "Score at most this many chunks (default: as many as the text holds).")
    var chunks: Int?

    @Option(name: .long, help: "Tokens per forward call (default: the context length).")
    var batch: Int?

    @Option(name: .long, help: "Threads (default: all cores).")
    var threads: Int = Parallel.coreCount

    @Option(name: .customLong("kld-against"), help: "Base model to compare against, run chunk by chunk.")
    var kldAgainst: String?

    @Option(name: .customLong("save-base"), help: "Write this model's top-k log-probabilities to a KLD base file.")
    var saveBase: String?

    @Option(name: .customLong("kld-base"), help: "Compare against a base file written by --save-base.")
    var kldBase: String?

    @Option(name: .customLong("top-k"), help: "Log-probabilities kept per token in a --save-base file.")
    var topK: Int = 32

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard ctx >= 4 else { throw ValidationError("--ctx must be at least 4") }
        if let c = chunks, c < 1 { throw ValidationError("--chunks must be at least 1") }
        if let b = batch, b < 1 { throw ValidationError("--batch must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard topK >= 1 && topK <= 1024 else { throw ValidationError("--top-k must be between 1 and 1024") }
        if kldAgainst != nil && kldBase != nil { throw ValidationError("use either --kld-against or --kld-base, not both") }
        if text == nil && kldBase == nil { throw ValidationError("--text FILE is required (or --kld-base F, whose tokens are used)") }
    }

    func run() throws {
        BLASKernel.reexecIfGeneric()
        try runReporting(files: [model] + [kldBase, kldAgainst, text, saveBase].compactMap { $0 }) {
            let loaded = try ModelLoader.open(model, threads: threads)
            let m = loaded.transformer
            var nCtx = ctx
            var tokens: [Int32]
            var bos = loaded.chunkBOS
            var base: KLDBase? = nil
            if let kldBase {
                let r = try KLDBaseReader(path: kldBase)
                tokens = r.header.tokens
                nCtx = r.header.nCtx
                bos = r.header.bos
                base = .file(r)
            } else {
                let tok = try loaded.requireTokenizer()
                guard let data = FileManager.default.contents(atPath: text!) else {
                    throw FileError(path: text!, operation: "read", message: "cannot read the text file")
                }
                tokens = tok.encode32(Array(data), addSpecial: true)
            }
            if let kldAgainst {
                let b = try ModelLoader.open(kldAgainst, threads: threads, tokenizer: false)
                base = .model(b.transformer)
            }
            let plan = try PerplexityPlan(tokenCount: tokens.count, nCtx: nCtx,
                                          maxChunks: kldBase != nil ? min(chunks ?? Int.max, tokens.count / nCtx) : chunks,
                                          batch: batch, bos: bos)
            var writer: KLDBaseWriter? = nil
            if let saveBase {
                writer = try KLDBaseWriter(path: saveBase, header: KLDBaseHeader(
                    nCtx: plan.nCtx, vocab: m.spec.vocabSize, chunks: plan.chunks, topK: min(topK, m.spec.vocabSize),
                    bos: plan.bos, tokens: Array(tokens.prefix(plan.chunks * plan.nCtx))))
            }
            fputs("ppl: \(tokens.count) tokens, \(plan.chunks) chunks of \(plan.nCtx), \(plan.scoredPerChunk) scored per chunk, \(m.threads) threads\n", stderr)
            let result: PerplexityResult
            do {
                result = try PerplexityRun.run(model: m, tokens: tokens, plan: plan, base: base, saveBase: writer,
                                               saveTopK: min(topK, m.spec.vocabSize)) { c, ppl in
                    fputs("[\(c + 1)]\(String(format: "%.4f", ppl)),", stderr)
                }
                fputs("\n", stderr)
                try writer?.commit()
            } catch {
                writer?.abandon()
                throw error
            }
            if json {
                print(PplReport.json(result).serialized(pretty: true))
            } else {
                print(PplReport.text(result), terminator: "")
            }
        }
    }
}

/// Text and JSON renderings of a perplexity result.
enum PplReport {
    static func num(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }

    static func json(_ r: PerplexityResult) -> JSONValue {
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

    static func text(_ r: PerplexityResult) -> String {
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
