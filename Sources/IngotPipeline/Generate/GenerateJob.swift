import Foundation
import IngotCore
import IngotInference
import IngotModel

/// What `ingot generate` is asked to do.
public struct GenerateOptions: Sendable {
    /// The model (any path `ModelOpener` opens: a GGUF or split set, a checkpoint).
    public var model: String
    public var prompt: String
    /// Wrap the prompt as one user message in the model's chat template.
    public var chat = false
    public var maxTokens = 128
    /// Temperature, top-k, top-p, min-p, repeat penalty; its `seed` is replaced by `seed` below.
    public var sampling = SamplingOptions()
    /// Random seed; nil picks one (reported through `GenerateJob.Event.seed` when sampling is random).
    public var seed: UInt64?
    /// Stop when the output contains one of these texts.
    public var stops: [String] = []
    public var threads = Parallel.coreCount

    public init(model: String, prompt: String, chat: Bool = false, maxTokens: Int = 128,
                sampling: SamplingOptions = SamplingOptions(), seed: UInt64? = nil, stops: [String] = [],
                threads: Int = Parallel.coreCount) {
        self.model = model
        self.prompt = prompt
        self.chat = chat
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.seed = seed
        self.stops = stops
        self.threads = threads
    }

    /// Checks the numbers before anything is opened; the error names the option.
    public func validate() throws {
        let s = sampling
        guard maxTokens >= 0 else { throw IngotFailure("--max-tokens must not be negative") }
        guard s.temperature >= 0, s.temperature.isFinite else { throw IngotFailure("--temperature must be 0 or more") }
        guard s.topK >= 0 else { throw IngotFailure("--top-k must not be negative") }
        guard s.topP > 0 && s.topP <= 1 else { throw IngotFailure("--top-p must be in (0, 1]") }
        guard s.minP >= 0 && s.minP <= 1 else { throw IngotFailure("--min-p must be in [0, 1]") }
        guard s.repeatPenalty > 0, s.repeatPenalty.isFinite else { throw IngotFailure("--repeat-penalty must be positive") }
        guard s.repeatLastN >= -1 else { throw IngotFailure("--repeat-last-n must be -1 or more") }
        guard threads >= 1 else { throw IngotFailure("--threads must be at least 1") }
    }
}

/// `ingot generate`: the prompt (through the chat template when asked), the end-token set, sampling, and text
/// streamed as it is produced. Models open through `ModelOpener`, so a gguf-split set runs from its first file.
public enum GenerateJob {
    /// What the run reports while it works.
    public enum Event {
        /// The seed picked because none was given (sampling is random).
        case seed(UInt64)
        /// Printable text, in order.
        case text(String)
    }

    /// The text to tokenize and whether the tokenizer adds its special tokens: with `chat`, the model's template
    /// applied to one user message with the generation prompt (the template writes BOS itself, so none is added).
    public static func promptText(_ prompt: String, chat: Bool, tokenizer tok: Tokenizer, model: String) throws
        -> (text: String, addSpecial: Bool) {
        guard chat else { return (prompt, true) }
        guard let source = tok.chatTemplate else {
            throw IngotFailure("\(model): the model has no chat template (tokenizer_config.json chat_template or GGUF tokenizer.chat_template)")
        }
        let template = try ChatTemplate(source)
        let text = try template.apply(messages: [["role": "user", "content": prompt]], addGenerationPrompt: true,
                                      bosToken: tok.bos.flatMap { tok.tokenString($0) },
                                      eosToken: tok.eos.flatMap { tok.tokenString($0) })
        return (text, false)
    }

    /// The tokens that end generation: the model's end-of-sequence ids (config / GGUF) and the tokenizer's EOS.
    public static func endTokens(modelEOS: [Int], tokenizer tok: Tokenizer) -> Set<Int32> {
        var ends = Set(modelEOS.map { Int32($0) })
        if let e = tok.eos { ends.insert(Int32(e)) }
        return ends
    }

    /// Runs `o`, streaming text through `events`.
    public static func run(_ o: GenerateOptions, events: (Event) -> Void = { _ in }) throws -> GenerateReport {
        try o.validate()
        let loaded = try ModelLoader.open(o.model, threads: o.threads)
        let tok = try loaded.requireTokenizer()
        let (text, addSpecial) = try promptText(o.prompt, chat: o.chat, tokenizer: tok, model: o.model)
        let ids = tok.encode32(Array(text.utf8), addSpecial: addSpecial)
        var sampling = o.sampling
        sampling.seed = o.seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        if o.seed == nil && sampling.temperature > 0 { events(.seed(sampling.seed)) }
        let ends = endTokens(modelEOS: loaded.transformer.spec.eosTokenIDs, tokenizer: tok)
        let gen = Generator(model: loaded.transformer, endTokens: ends) { tok.decodePiece(Int($0)) }
        var output = ""
        let (tokens, stats) = try gen.generate(prompt: ids, maxTokens: o.maxTokens, sampling: sampling, stops: o.stops) { piece in
            output += piece
            events(.text(piece))
        }
        return GenerateReport(promptTokens: ids, tokens: tokens, text: output, seed: sampling.seed, stats: stats)
    }
}

/// What a generation produced.
public struct GenerateReport: Sendable {
    /// The prompt's token ids, as the model saw them.
    public let promptTokens: [Int32]
    /// The generated token ids.
    public let tokens: [Int32]
    /// The text streamed (after stop-text trimming).
    public let text: String
    public let seed: UInt64
    public let stats: GenerationStats

    /// Prompt and generation speeds and why generation stopped, for stderr:
    /// `prompt: 5 tokens, 120.00 tokens/s; generation: 8 tokens, 40.00 tokens/s (length)`.
    public var speedLine: String {
        String(format: "prompt: %d tokens, %.2f tokens/s; generation: %d tokens, %.2f tokens/s",
               stats.promptTokens, stats.promptTokensPerSecond, stats.generatedTokens, stats.generateTokensPerSecond)
            + " (\(stats.finishReason))\n"
    }
}
