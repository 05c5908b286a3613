import ArgumentParser
import Foundation
import IngotInference
import IngotPipeline

/// `ingot generate MODEL -p TEXT`: text generation with a KV cache, streamed to stdout. `GenerateJob` does the
/// work; this parses and prints.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text from a prompt, streaming tokens to stdout.",
        discussion: """
        Sampling follows llama.cpp's chain: repeat penalty, top-k, top-p, min-p, temperature. --temperature 0 is \
        greedy. Prompt and generation speeds go to stderr.
        """
    )

    @Argument(help: "Model: a GGUF file (the first file of a split set), or a Hugging Face checkpoint.")
    var model: String

    @Option(name: [.short, .customLong("prompt")], help: "The prompt.")
    var prompt: String

    @Flag(name: .long, help: "Wrap the prompt as a user message in the model's chat template.")
    var chat = false

    @Option(name: [.customShort("n"), .long], help: "Most tokens to generate.")
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

    @OptionGroup var threads: ThreadOptions

    var options: GenerateOptions {
        var s = SamplingOptions()
        s.temperature = temperature
        s.topK = topK
        s.topP = topP
        s.minP = minP
        s.repeatPenalty = repeatPenalty
        s.repeatLastN = repeatLastN
        return GenerateOptions(model: model, prompt: prompt, chat: chat, maxTokens: maxTokens, sampling: s,
                               seed: seed, stops: stop, threads: threads.count)
    }

    func validate() throws {
        try ValidationError.checking { try options.validate() }
    }

    func run() throws {
        BLASKernel.reexecIfGeneric()
        let o = options
        try runReporting(files: [model]) {
            let result = try GenerateJob.run(o) { event in
                switch event {
                case .seed(let seed): Console.error("seed: \(seed)\n")
                case .text(let piece): Console.output(piece)
                }
            }
            // The newline goes through the same unbuffered handle as the text, so it is out before the speed line
            // on stderr even when both streams are one file or pipe.
            Console.output("\n")
            Console.error(result.speedLine)
        }
    }
}
