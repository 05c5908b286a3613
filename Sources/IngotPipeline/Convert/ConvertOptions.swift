import Foundation
import IngotCore
import IngotModel

/// What `ingot convert` was asked to do. Strings are as the user typed them; `ConversionPlanner` validates them.
public struct ConvertOptions: Sendable {
    /// A Hugging Face directory, a `.safetensors` file (or directory without config.json), or a `.gguf` file.
    public var input: String
    /// Output file (`.gguf` or `.safetensors`).
    public var output: String
    /// `--type`: a llama-quantize file type (`Q4_K_M`, `Q8_0`, `F16`, `MXFP4_MOE` …), one element type
    /// (`Q4_K`, `MXFP4`, `NF4`, `INT8` for safetensors), or nil for the converter's `auto`
    /// (the checkpoint's own F16/BF16, F16 otherwise; a GGUF input keeps its file type).
    public var type: String?
    /// `--to`: output format; nil = from `output`'s extension.
    public var outputFormat: OutputFormat?
    /// `--imatrix FILE` (llama.cpp imatrix GGUF, legacy `.dat`).
    public var imatrix: String?
    /// `--tensor-type REGEX=TYPE`, in command-line order (first match wins).
    public var tensorTypes: [String]
    public var outputTensorType: String?
    public var tokenEmbeddingType: String?
    public var pure: Bool
    public var leaveOutputTensor: Bool
    /// Router / gate weights keep their precision in every mix (default on).
    public var keepRouterPrecision: Bool
    /// Quantized inputs may be requantized (as llama-quantize's `--allow-requantize`).
    public var allowRequantize: Bool
    /// `--split-max-size` in bytes (GGUF output only): gguf-split naming and `split.*` keys.
    public var splitMaxSize: Int?
    /// Worker threads for quantization and conversion.
    public var threads: Int
    /// Print the plan, write nothing.
    public var dryRun: Bool

    public init(input: String, output: String, type: String? = nil, outputFormat: OutputFormat? = nil,
                imatrix: String? = nil, tensorTypes: [String] = [], outputTensorType: String? = nil,
                tokenEmbeddingType: String? = nil, pure: Bool = false, leaveOutputTensor: Bool = false,
                keepRouterPrecision: Bool = true, allowRequantize: Bool = false, splitMaxSize: Int? = nil,
                threads: Int = Parallel.coreCount, dryRun: Bool = false) {
        self.input = input
        self.output = output
        self.type = type
        self.outputFormat = outputFormat
        self.imatrix = imatrix
        self.tensorTypes = tensorTypes
        self.outputTensorType = outputTensorType
        self.tokenEmbeddingType = tokenEmbeddingType
        self.pure = pure
        self.leaveOutputTensor = leaveOutputTensor
        self.keepRouterPrecision = keepRouterPrecision
        self.allowRequantize = allowRequantize
        self.splitMaxSize = splitMaxSize
        self.threads = threads
        self.dryRun = dryRun
    }
}

/// Output container.
public enum OutputFormat: String, CaseIterable, Sendable {
    case gguf, safetensors

    /// From a file name's extension (`.` and the raw value, any case), or nil.
    public init?(path: String) {
        let lower = path.lowercased()
        guard let f = Self.allCases.first(where: { lower.hasSuffix("." + $0.rawValue) }) else { return nil }
        self = f
    }
}

/// Parses sizes like `2G`, `500M`, `1.5GB`, `123456` (bytes; K/M/G/T are powers of 1000, as gguf-split reads them).
public func parseSize(_ text: String) -> Int? {
    var s = text.trimmingCharacters(in: .whitespaces).uppercased()
    if s.hasSuffix("B") { s.removeLast() }
    let units: [Character: Double] = ["K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12]
    var mult = 1.0
    if let last = s.last, let u = units[last] { mult = u; s.removeLast() }
    guard let v = Double(s), v > 0, v * mult < 9e18 else { return nil }
    return Int(v * mult)
}
