import ArgumentParser
import Foundation
import IngotCore
import IngotFormats
import IngotPipeline

/// `ingot convert SRC -o OUT`: Hugging Face checkpoints, GGUF files and plain tensor files to GGUF or safetensors,
/// with llama.cpp's quantization mixes.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a checkpoint to GGUF or safetensors, optionally quantized.",
        discussion: """
            SRC is a Hugging Face model directory (config.json, tokenizer.json, safetensors shards), a .gguf file \
            (requantized) or a .safetensors file (converted tensor by tensor, names kept). The output format follows \
            OUT's extension unless --to says otherwise.

            Types: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, MXFP4 (one type \
            everywhere llama.cpp would quantize), and llama-quantize's mixes Q2_K, Q3_K_S, Q3_K_M, Q3_K_L, Q4_K_S, \
            Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, MXFP4_MOE. Without --type, the checkpoint's own F16/BF16 is kept. \
            Safetensors output takes F32, F16, BF16, NF4 (bitsandbytes layout) or INT8 (per-row weight + scale).
            """)

    @Argument(help: "Input: model directory, .gguf or .safetensors file.")
    var source: String

    @Option(name: .shortAndLong, help: "Output file (.gguf or .safetensors).")
    var output: String

    @Option(name: .long, help: "Type or mix (e.g. Q4_K_M, Q8_0, F16, MXFP4_MOE).")
    var type: String?

    @Option(name: .customLong("to"), help: "Output format: gguf or safetensors (default: from -o's extension).")
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

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Flag(name: .customLong("dry-run"), help: "Print the per-tensor plan and sizes; write nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print the plan and result as JSON.")
    var json = false

    func validate() throws {
        if let to, OutputFormat(rawValue: to.lowercased()) == nil {
            throw ValidationError("--to must be gguf or safetensors, not '\(to)'")
        }
        if let s = splitMaxSize, parseSize(s) == nil {
            throw ValidationError("--split-max-size: '\(s)' is not a size (e.g. 2G, 500M, 1000000)")
        }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
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
                splitMaxSize: splitMaxSize.flatMap(parseSize), threads: threads ?? Parallel.coreCount, dryRun: dryRun)
            let progress = json ? nil : ConvertProgress()
            let (plan, result) = try ConvertJob.run(options, progress: progress)
            if json {
                print(ConvertReport.json(plan, result: result, perTensor: dryRun).serialized(pretty: true))
            } else {
                print(ConvertReport.text(plan, result: result, perTensor: dryRun), terminator: "")
            }
        }
    }
}
