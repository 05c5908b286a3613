import ArgumentParser
import Foundation
import IngotPipeline

/// `ingot convert SRC -o OUT`: Hugging Face checkpoints, GGUF files and plain tensor files to GGUF or safetensors,
/// with llama.cpp's quantization mixes.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a checkpoint to GGUF or safetensors, optionally quantized.",
        discussion: """
            SRC is any input Ingot reads: \(CommandSupport.inputFormats). A Hugging Face directory needs its \
            config.json and tokenizer.json; a GGUF input is requantized; a bare safetensors file or index is \
            converted tensor by tensor, names kept. The format is recognised from the bytes. The output format \
            (\(CommandSupport.outputFormats)) follows OUT's extension unless --to says otherwise.

            \(ConvertTypes.help)
            """)

    @Argument(help: "Input: a model file, a gguf-split set by its first file, or a checkpoint directory (see above).")
    var source: String

    @Option(name: .shortAndLong, help: "Output file (\(CommandSupport.outputExtensions)).")
    var output: String

    @Option(name: .long, help: "Type or mix (e.g. Q4_K_M, Q8_0, F16, MXFP4_MOE).")
    var type: String?

    @Option(name: .customLong("to"), help: "Output format: \(CommandSupport.outputFormats) (default: from -o's extension).")
    var to: String?

    @Option(name: .long, help: "Importance matrix (llama.cpp imatrix GGUF or legacy .dat).")
    var imatrix: String?

    @Option(name: .customLong("tensor-type"), help: "REGEX=TYPE for matching tensor names; repeatable, first match wins.")
    var tensorType: [String] = []

    @Option(name: .customLong("output-tensor-type"), help: "Type of output.weight.")
    var outputTensorType: String?

    @Option(name: .customLong("token-embedding-type"), help: "Type of token_embd.weight.")
    var tokenEmbeddingType: String?

    @Flag(name: .long, help: "No mix rules: one type everywhere (row-length fallbacks still apply).")
    var pure = false

    @Flag(name: .customLong("leave-output-tensor"), help: "Do not quantize output.weight.")
    var leaveOutputTensor = false

    @Flag(inversion: .prefixedNo, help: "Keep MoE router weights in their precision in every mix.")
    var keepRouterPrecision = true

    @Flag(name: .customLong("allow-requantize"), help: "Allow quantizing tensors that are already quantized.")
    var allowRequantize = false

    @Option(name: .customLong("split-max-size"), help: "Split the GGUF into files of at most SIZE (e.g. 2G, 500M).")
    var splitMaxSize: String?

    @OptionGroup var threads: ThreadOptions

    @Flag(name: .customLong("dry-run"), help: "Print the per-tensor plan and sizes; write nothing.")
    var dryRun = false

    @OptionGroup var report: OutputOptions

    func validate() throws {
        if let to, OutputFormat(rawValue: to.lowercased()) == nil {
            throw ValidationError("--to must be \(CommandSupport.outputFormats), not '\(to)'")
        }
        if let s = splitMaxSize, parseSize(s) == nil {
            throw ValidationError("--split-max-size: '\(s)' is not a size (e.g. 2G, 500M, 1000000)")
        }
    }

    func run() throws {
        // Ctrl-C and SIGTERM must reach the handler that removes the temporary output, even when a parent
        // (a test runner, some job launchers) started us with them blocked. Threads created later inherit this.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        try runReporting(files: [source, output] + [imatrix].compactMap { $0 }) {
            let options = ConvertOptions(
                input: source, output: output, type: type, outputFormat: to.flatMap { OutputFormat(rawValue: $0.lowercased()) },
                imatrix: imatrix, tensorTypes: tensorType, outputTensorType: outputTensorType,
                tokenEmbeddingType: tokenEmbeddingType, pure: pure, leaveOutputTensor: leaveOutputTensor,
                keepRouterPrecision: keepRouterPrecision, allowRequantize: allowRequantize,
                splitMaxSize: splitMaxSize.flatMap(parseSize), threads: threads.count, dryRun: dryRun)
            let progress = report.json ? nil : ConvertProgress()
            let (plan, result) = try ConvertJob.run(options, progress: progress)
            if report.json {
                print(ConvertReport.json(plan, result: result, perTensor: dryRun).serialized(pretty: true))
            } else {
                print(ConvertReport.text(plan, result: result, perTensor: dryRun), terminator: "")
            }
            // A dry run prints the plan even when some type has no encoder, then refuses as writing would.
            if let e = plan.productionError { throw e }
        }
    }
}
