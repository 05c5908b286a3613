import ArgumentParser
import Foundation
import IngotPipeline

/// `ingot ppl MODEL --text FILE`: perplexity by llama-perplexity's method, and KL-divergence against a base.
/// `PerplexityJob` does the work; this parses and prints.
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

    @Argument(help: "Model: a GGUF file (the first file of a split set), or a Hugging Face checkpoint.")
    var model: String

    @Option(name: .long, help: "Text file to score (not needed with --kld-base, whose tokens are used).")
    var text: String?

    @Option(name: .long, help: "Context length per chunk.")
    var ctx: Int = 512

    @Option(name: .long, help: "Score at most this many chunks (default: as many as the text holds).")
    var chunks: Int?

    @Option(name: .long, help: "Tokens per forward call (default: the context length).")
    var batch: Int?

    @OptionGroup var threads: ThreadOptions

    @Option(name: .customLong("kld-against"), help: "Base model to compare against, run chunk by chunk.")
    var kldAgainst: String?

    @Option(name: .customLong("save-base"), help: "Write this model's top-k log-probabilities to a KLD base file.")
    var saveBase: String?

    @Option(name: .customLong("kld-base"), help: "Compare against a base file written by --save-base.")
    var kldBase: String?

    @Option(name: .customLong("top-k"), help: "Log-probabilities kept per token in a --save-base file.")
    var topK: Int = 32

    @OptionGroup var report: OutputOptions

    var options: PerplexityOptions {
        PerplexityOptions(model: model, text: text, nCtx: ctx, maxChunks: chunks, batch: batch, threads: threads.count,
                          kldAgainst: kldAgainst, saveBase: saveBase, kldBase: kldBase, saveTopK: topK)
    }

    func validate() throws {
        try ValidationError.checking { try options.validate() }
    }

    func run() throws {
        BLASKernel.reexecIfGeneric()
        let o = options
        try runReporting(files: o.files) {
            let result = try PerplexityJob.run(o) { event in
                switch event {
                case .started(let tokens, let plan, let threads):
                    Console.error(PerplexityReport.startLine(tokens: tokens, plan: plan, threads: threads))
                case .chunk(let index, let ppl):
                    Console.error(PerplexityReport.chunkText(index: index, ppl: ppl))
                case .finished:
                    Console.error("\n")
                }
            }
            print(report.json ? result.json().serialized(pretty: true) : result.text(), terminator: report.json ? "\n" : "")
        }
    }
}
