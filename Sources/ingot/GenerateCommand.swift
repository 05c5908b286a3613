import ArgumentParser
import Foundation
import IngotCore
import IngotInference
import IngotModel
import IngotPipeline

/// `ingot generate MODEL -p TEXT`: text generation with a KV cache, streamed to stdout.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text from a prompt, streaming tokens to stdout.",
        discussion: """
        Sampling follows llama.cpp's chain: repeat penalty, top-k, top-p, min-p, temperature. --temperature 0 is \
        greedy. Prompt and generation speeds go to stderr.
        """
    )

    @Argument(help: "Model: a .gguf file or a Hugging Face checkpoint directory.")
    var model: String

    @Option(name: [.short, .customLong("prompt")], help: "The prompt.")
    var prompt: String

    @Flag(name: .long, help: "Wrap the prompt as a user message in the model's chat template.")
    var chat = false

    @Option(name: .long, help: "Most tokens to generate.")
    var maxTokens: Int = 128

    @Option(name: .long, help: "Sampling temperature; 0 picks the most likely token every time.")
    var temperature: Float = 0.8

    @Option(name: .long, help: "Keep only the k most likely tokens (0: all).")
    var topK: Int = 40

    @Option(name: .long, help: "Keep the most likely tokens whose probabilities sum to p (1: all).")
    var topP: Float = 0.95

    @Option(name: .long, help: "Drop tokens below this fraction of the top token's probability (0: off).")
    var minP: Float = 0.05

    @Option(name: .long, help: "Penalty for tokens among the last --repeat-last-n (1: off).")
    var repeatPenalty: Float = 1.0

    @Option(name: .long, help: "How many recent tokens the repeat penalty looks at (-1: all).")
    var repeatLastN: Int = 64

    @Option(name: .long, help: "Stop when the output contains this text (repeatable).")
    var stop: [String] = []

    @Option(name: .long, help: "Random seed (default: a random one, printed on stderr).")
    var seed: UInt64?

    @Option(name: .long, help: "Threads (default: all cores).")
    var threads: Int = Parallel.coreCount

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must not be negative") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more") }
        guard topK >= 0 else { throw ValidationError("--top-k must not be negative") }
        guard topP > 0 && topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard minP >= 0 && minP <= 1 else { throw ValidationError("--min-p must be in [0, 1]") }
        guard repeatPenalty > 0, repeatPenalty.isFinite else { throw ValidationError("--repeat-penalty must be positive") }
        guard repeatLastN >= -1 else { throw ValidationError("--repeat-last-n must be -1 or more") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        BLASKernel.reexecIfGeneric()
        try runReporting(files: [model]) {
            let loaded = try ModelLoader.open(model, threads: threads)
            let tok = try loaded.requireTokenizer()
            var text = prompt
            var addSpecial = true
            if chat {
                guard let source = tok.chatTemplate else {
                    throw IngotFailure("\(model): the model has no chat template (tokenizer_config.json chat_template or GGUF tokenizer.chat_template)")
                }
                let template = try ChatTemplate(source)
                text = try template.apply(messages: [["role": "user", "content": prompt]], addGenerationPrompt: true,
                                          bosToken: tok.bos.flatMap { tok.tokenString($0) },
                                          eosToken: tok.eos.flatMap { tok.tokenString($0) })
                // The template writes BOS itself when the model wants one.
                addSpecial = false
            }
            let ids = tok.encode32(Array(text.utf8), addSpecial: addSpecial)
            var options = SamplingOptions()
            options.temperature = temperature
            options.topK = topK
            options.topP = topP
            options.minP = minP
            options.repeatPenalty = repeatPenalty
            options.repeatLastN = repeatLastN
            options.seed = seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
            if seed == nil && temperature > 0 { fputs("seed: \(options.seed)\n", stderr) }
            var ends = Set(loaded.transformer.spec.eosTokenIDs.map { Int32($0) })
            if let e = tok.eos { ends.insert(Int32(e)) }
            let gen = Generator(model: loaded.transformer, endTokens: ends) { tok.decodePiece(Int($0)) }
            let (_, stats) = try gen.generate(prompt: ids, maxTokens: maxTokens, sampling: options, stops: stop) { piece in
                FileHandle.standardOutput.write(Data(piece.utf8))
            }
            print("")
            let speeds = String(format: "prompt: %d tokens, %.2f tokens/s; generation: %d tokens, %.2f tokens/s",
                                stats.promptTokens, stats.promptTokensPerSecond, stats.generatedTokens,
                                stats.generateTokensPerSecond)
            fputs("\(speeds) (\(stats.finishReason))\n", stderr)
        }
    }
}
