import IngotCore

extension ArchitectureID {
    public static let mixtral: ArchitectureID = "mixtral"
}

/// Mixtral (`MixtralForCausalLM`): llama's tensor map and recipes with experts (GGUF architecture `llama`, told
/// apart by `llama.expert_count` > 0). Softmax router then top-k, renormalised.
public struct Mixtral: ArchitectureDescription {
    public init() {}
    public var id: ArchitectureID { .mixtral }
    public var ggufName: String { "llama" }
    public var hfArchitectures: [String] { ["MixtralForCausalLM"] }
    public var modelTypes: [String] { ["mixtral"] }
    public var keys: KeyTable { Self.keyTable }
    public var tensors: TensorMap { Llama.tensorMap }
    public var router: RouterKind { .softmaxThenTopK }
    public var hasExperts: Bool { true }

    public func recipes(_ config: ModelConfig, sources: [TensorInfo]) throws -> [TensorRecipe] {
        try Llama.recipes(config, sources)
    }

    public func matches(gguf keys: KeyReader) throws -> Bool { (try keys.int(.expertCount) ?? 0) > 0 }

    /// Llama's keys; transformers' `MixtralConfig` defaults (rope_theta 1e6, 8 experts, 2 per token) for what a
    /// config.json leaves out; `sliding_window` read from config.json only (llama.cpp's converter drops it).
    static let keyTable = KeyTable(common: CommonKeys.rows, own: [
        CommonKeys.vocabSize(write: .required(missingKey: nil)),
        CommonKeys.ropeDimensionCount(write: .required(missingKey: "hidden_size and num_attention_heads")),
        CommonKeys.slidingWindow(gguf: .none, write: .never),
    ] + CommonKeys.inferenceRows + [CommonKeys.yarnTruncate(writeFallback: true)])
        .defaulting(.ropeFreqBase, config: .double(1e6))
        .defaulting(.expertCount, config: .int(8))
        .defaulting(.expertUsedCount, config: .int(2))
}
