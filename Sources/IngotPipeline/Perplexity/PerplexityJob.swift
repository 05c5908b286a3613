import Foundation
import IngotCore
import IngotFormats
import IngotInference

/// What `ingot ppl` is asked to do.
public struct PerplexityOptions: Sendable {
    /// The model (any path `ModelOpener` opens: a GGUF or split set, a checkpoint).
    public var model: String
    /// Text file to score; not needed with `kldBase`, whose tokens are used.
    public var text: String?
    /// Context length per chunk (ignored with `kldBase`, whose own is used).
    public var nCtx: Int = 512
    /// Score at most this many chunks (nil: as many as the text holds).
    public var maxChunks: Int?
    /// Tokens per forward call (nil: the context length).
    public var batch: Int?
    public var threads: Int = Parallel.coreCount
    /// A base model run chunk by chunk beside this one (exact KL-divergence).
    public var kldAgainst: String?
    /// Write this model's top-k log-probabilities to a KLD base file.
    public var saveBase: String?
    /// Compare against a base file written by `saveBase`.
    public var kldBase: String?
    /// Log-probabilities kept per token in a `saveBase` file.
    public var saveTopK: Int = 32

    public init(model: String, text: String? = nil, nCtx: Int = 512, maxChunks: Int? = nil, batch: Int? = nil,
                threads: Int = Parallel.coreCount, kldAgainst: String? = nil, saveBase: String? = nil,
                kldBase: String? = nil, saveTopK: Int = 32) {
        self.model = model
        self.text = text
        self.nCtx = nCtx
        self.maxChunks = maxChunks
        self.batch = batch
        self.threads = threads
        self.kldAgainst = kldAgainst
        self.saveBase = saveBase
        self.kldBase = kldBase
        self.saveTopK = saveTopK
    }

    /// The paths the run reads and writes, the model first (for error attribution).
    public var files: [String] { [model] + [kldBase, kldAgainst, text, saveBase].compactMap { $0 } }

    /// Checks the combination before anything is opened; the error says which option is wrong.
    public func validate() throws {
        func bad(_ s: String) -> IngotFailure { IngotFailure(s) }
        guard nCtx >= 4 else { throw bad("--ctx must be at least 4") }
        if let c = maxChunks, c < 1 { throw bad("--chunks must be at least 1") }
        if let b = batch, b < 1 { throw bad("--batch must be at least 1") }
        guard threads >= 1 else { throw bad("--threads must be at least 1") }
        guard saveTopK >= 1 && saveTopK <= 1024 else { throw bad("--top-k must be between 1 and 1024") }
        if kldAgainst != nil && kldBase != nil { throw bad("use either --kld-against or --kld-base, not both") }
        if text == nil && kldBase == nil { throw bad("--text FILE is required (or --kld-base F, whose tokens are used)") }
    }
}

/// `ingot ppl`: perplexity by llama-perplexity's method, and KL-divergence against a base model or base file.
/// Models open through `ModelOpener`, so a gguf-split set is scored from its first file.
public enum PerplexityJob {
    /// What the run reports while it works.
    public enum Event {
        /// Tokenized and planned: about to run.
        case started(tokens: Int, plan: PerplexityPlan, threads: Int)
        /// Chunk `index` (0-based) is done; `ppl` is the running estimate.
        case chunk(index: Int, ppl: Double)
        /// Every chunk is done.
        case finished
    }

    /// Runs `o`; `events` receives progress (the CLI prints it on stderr).
    public static func run(_ o: PerplexityOptions, events: (Event) -> Void = { _ in }) throws -> PerplexityReport {
        try o.validate()
        let loaded = try ModelLoader.open(o.model, threads: o.threads)
        let m = loaded.transformer
        var nCtx = o.nCtx
        var tokens: [Int32]
        var bos = loaded.chunkBOS
        var base: KLDBase? = nil
        if let kldBase = o.kldBase {
            let r = try KLDBaseReader(path: kldBase)
            tokens = r.header.tokens
            nCtx = r.header.nCtx
            bos = r.header.bos
            base = .file(r)
        } else {
            let tok = try loaded.requireTokenizer()
            let path = o.text!
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FileError(path: path, operation: "read", message: "cannot read the text file")
            }
            tokens = tok.encode32(Array(data), addSpecial: true)
        }
        if let kldAgainst = o.kldAgainst {
            let b = try ModelLoader.open(kldAgainst, threads: o.threads, tokenizer: false)
            base = .model(b.transformer)
        }
        let plan = try PerplexityPlan(tokenCount: tokens.count, nCtx: nCtx,
                                      maxChunks: o.kldBase != nil ? min(o.maxChunks ?? Int.max, tokens.count / nCtx) : o.maxChunks,
                                      batch: o.batch, bos: bos)
        let topK = min(o.saveTopK, m.spec.vocabSize)
        var writer: KLDBaseWriter? = nil
        if let saveBase = o.saveBase {
            writer = try KLDBaseWriter(path: saveBase, header: KLDBaseHeader(
                nCtx: plan.nCtx, vocab: m.spec.vocabSize, chunks: plan.chunks, topK: topK,
                bos: plan.bos, tokens: Array(tokens.prefix(plan.chunks * plan.nCtx))))
        }
        events(.started(tokens: tokens.count, plan: plan, threads: m.threads))
        let result: PerplexityResult
        do {
            result = try PerplexityRun.run(model: m, tokens: tokens, plan: plan, base: base, saveBase: writer,
                                           saveTopK: topK) { c, ppl in events(.chunk(index: c, ppl: ppl)) }
            events(.finished)
            try writer?.commit()
        } catch {
            writer?.abandon()
            throw error
        }
        return PerplexityReport(result)
    }
}
