/// The three decoder families Ingot runs.
public enum Architecture: String, Sendable, CaseIterable {
    case llama
    case mixtral
    case gptOss = "gpt_oss"
}

/// Everything the forward pass needs to know about a model's shape, read from config.json or GGUF metadata.
public struct ModelSpec: Sendable, Equatable {
    public var architecture: Architecture
    public var vocabSize: Int
    public var hiddenSize: Int
    /// Dense MLP width, or the per-expert width for MoE models.
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var rmsEps: Float
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling
    public var ropeStyle: RopeStyle
    /// Sliding-window size, and which layers use it (gpt-oss: even layers; Mixtral: all when set).
    public var slidingWindow: Int?
    public var slidingLayers: [Bool]
    /// MoE: experts per layer (0 for a dense model) and experts used per token.
    public var experts: Int
    public var expertsPerToken: Int
    /// gpt-oss's clamped GLU.
    public var swigluAlpha: Float
    public var swigluLimit: Float
    public var attentionBias: Bool
    public var mlpBias: Bool
    public var tieEmbeddings: Bool
    public var maxPositions: Int
    public var bosTokenID: Int?
    public var eosTokenIDs: [Int]

    /// Whether layer `l` attends through the sliding window.
    public func isSliding(_ l: Int) -> Bool { slidingWindow != nil && l < slidingLayers.count && slidingLayers[l] }

    /// Checks the relations the forward pass relies on; `file` names the config in the error.
    func validate(file: String) throws {
        func bad(_ key: String, _ msg: String) -> InferenceError { .badConfig(key: key, file: file, message: msg) }
        for (k, v) in [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                       ("num_hidden_layers", layers), ("num_attention_heads", heads),
                       ("num_key_value_heads", kvHeads), ("head_dim", headDim)] where v <= 0 || v > 1 << 24 {
            throw bad(k, "\(v) is not a usable size")
        }
        // Expert counts size per-expert tables: a negative or absurd one is refused for every architecture.
        guard experts >= 0 && experts <= 1 << 16 else { throw bad("num_local_experts", "\(experts) is not a usable expert count") }
        guard expertsPerToken >= 0 && expertsPerToken <= max(experts, 1) else {
            throw bad("num_experts_per_tok", "\(expertsPerToken) is outside 0…\(experts)")
        }
        guard heads % kvHeads == 0 else { throw bad("num_key_value_heads", "\(heads) heads are not a multiple of \(kvHeads) KV heads") }
        guard headDim % 2 == 0 else { throw bad("head_dim", "\(headDim) is odd; RoPE needs pairs") }
        if architecture != .llama {
            guard experts > 0 else { throw bad("num_local_experts", "an MoE model needs at least one expert") }
            guard expertsPerToken >= 1 && expertsPerToken <= experts else {
                throw bad("num_experts_per_tok", "\(expertsPerToken) is outside 1…\(experts)")
            }
        }
        if let w = slidingWindow, w <= 0 { throw bad("sliding_window", "\(w) must be positive") }
        if slidingWindow != nil && slidingLayers.count != layers {
            throw bad("layer_types", "\(slidingLayers.count) entries for \(layers) layers")
        }
        if !(rmsEps > 0) { throw bad("rms_norm_eps", "\(rmsEps) must be positive") }
        if !(ropeTheta > 0) { throw bad("rope_theta", "\(ropeTheta) must be positive") }
    }
}
