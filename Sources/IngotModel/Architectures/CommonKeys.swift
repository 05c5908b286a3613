/// Canonical names of the rows every architecture shares (an architecture declares its own in its file).
extension ParameterName {
    public static let blockCount = ParameterName("block_count")
    public static let contextLength = ParameterName("context_length")
    public static let embeddingLength = ParameterName("embedding_length")
    public static let feedForwardLength = ParameterName("feed_forward_length")
    public static let headCount = ParameterName("attention.head_count")
    public static let headCountKV = ParameterName("attention.head_count_kv")
    public static let causal = ParameterName("attention.causal")
    public static let ropeScalingType = ParameterName("rope.scaling.type")
    public static let ropeScalingFactor = ParameterName("rope.scaling.factor")
    public static let ropeOriginalContext = ParameterName("rope.scaling.original_context_length")
    public static let yarnExtFactor = ParameterName("rope.scaling.yarn_ext_factor")
    public static let yarnAttnFactor = ParameterName("rope.scaling.yarn_attn_factor")
    public static let yarnBetaFast = ParameterName("rope.scaling.yarn_beta_fast")
    public static let yarnBetaSlow = ParameterName("rope.scaling.yarn_beta_slow")
    public static let ropeFreqBase = ParameterName("rope.freq_base")
    public static let ropeFreqBaseSWA = ParameterName("rope.freq_base_swa")
    public static let rmsEpsilon = ParameterName("attention.layer_norm_rms_epsilon")
    public static let layerNormEpsilon = ParameterName("attention.layer_norm_epsilon")
    public static let expertCount = ParameterName("expert_count")
    public static let expertUsedCount = ParameterName("expert_used_count")
    public static let expertGroupCount = ParameterName("expert_group_count")
    public static let expertGroupUsedCount = ParameterName("expert_group_used_count")
    public static let expertGatingFunction = ParameterName("expert_gating_func")
    public static let keyLength = ParameterName("attention.key_length")
    public static let valueLength = ParameterName("attention.value_length")
    // Architecture rows several architectures restate with their own write rule.
    public static let vocabSize = ParameterName("vocab_size")
    public static let ropeDimensionCount = ParameterName("rope.dimension_count")
    public static let slidingWindow = ParameterName("attention.sliding_window")
    public static let expertFeedForwardLength = ParameterName("expert_feed_forward_length")
    // Read by inference only.
    public static let ropeLowFreqFactor = ParameterName("rope.low_freq_factor")
    public static let ropeHighFreqFactor = ParameterName("rope.high_freq_factor")
    public static let ropeMscale = ParameterName("rope.mscale")
    public static let ropeMscaleAllDim = ParameterName("rope.mscale_all_dim")
    public static let yarnTruncate = ParameterName("rope.scaling.yarn_truncate")
    public static let swigluAlpha = ParameterName("swiglu_alpha")
    public static let swigluLimit = ParameterName("swiglu_limit")
    public static let attentionBias = ParameterName("attention_bias")
    public static let mlpBias = ParameterName("mlp_bias")
    public static let tieEmbeddings = ParameterName("tie_word_embeddings")
    public static let bosTokenID = ParameterName("bos_token_id")
    public static let eosTokenID = ParameterName("eos_token_id")
    public static let eotTokenID = ParameterName("eot_token_id")
}

/// The rows of llama.cpp's `TextModel.set_gguf_parameters` (`conversion/base.py`), in its writing order and with its
/// `find_hparam` spellings, then the rows inference reads for every architecture. An architecture's table is
/// `KeyTable(common: CommonKeys.rows, own: …)`.
public enum CommonKeys {
    static let u16 = 0.0...Double(1 << 16)
    static let sizes = 0.0...Double(UInt32.max)

    public static let rows: [KeyRow] = [
        KeyRow(.blockCount, config: .keys(["n_layers", "num_hidden_layers", "n_layer", "num_layers"]),
               gguf: .arch("block_count"), .uint32, write: .required(missingKey: nil), range: 0...Double(1 << 16),
               messageName: "num_hidden_layers"),
        KeyRow(.contextLength, config: .keys(["max_position_embeddings", "n_ctx", "n_positions", "max_length",
                                              "max_sequence_length", "model_max_length"]),
               gguf: .arch("context_length"), .uint32, write: .ifPresent,
               configDefault: .int(2048), ggufDefault: .int(2048), range: sizes),
        KeyRow(.embeddingLength, config: .keys(["hidden_size", "n_embd", "dim"]), gguf: .arch("embedding_length"),
               .uint32, write: .ifPresent, range: 0...Double(1 << 24)),
        KeyRow(.feedForwardLength, config: .keys(["prefix_dense_intermediate_size", "dense_intermediate_size",
                                                  "intermediate_size", "n_inner", "hidden_dim"]),
               gguf: .arch("feed_forward_length"), .uint32, write: .ifPresent, range: 0...Double(1 << 26),
               messageName: "intermediate_size"),
        KeyRow(.headCount, config: .keys(["num_attention_heads", "n_head", "n_heads"]),
               gguf: .arch("attention.head_count"), .uint32, write: .ifPresent, range: u16),
        KeyRow(.headCountKV, config: .keys(["num_key_value_heads", "n_kv_heads"]),
               gguf: .arch("attention.head_count_kv"), .uint32, write: .ifPresent, range: u16),
        KeyRow(.causal, config: .keys(["is_causal"]), gguf: .arch("attention.causal"), .bool, write: .ifFalse),
        KeyRow(.ropeScalingType, config: .ropeScalingType, gguf: .arch("rope.scaling.type"), .string,
               write: .ifPresent),
        KeyRow(.ropeScalingFactor, config: .rope("factor"), gguf: .arch("rope.scaling.factor"), .float32,
               write: .underScaling(["linear", "yarn"])),
        KeyRow(.ropeOriginalContext, config: .rope("original_max_position_embeddings"),
               gguf: .arch("rope.scaling.original_context_length"), .uint32,
               write: .requiredUnderScaling(["yarn"]), range: sizes),
        KeyRow(.yarnExtFactor, config: .rope("extrapolation_factor"), gguf: .arch("rope.scaling.yarn_ext_factor"),
               .float32, write: .underScaling(["yarn"])),
        KeyRow(.yarnAttnFactor, config: .rope("attention_factor"), gguf: .arch("rope.scaling.yarn_attn_factor"),
               .float32, write: .underScaling(["yarn"])),
        KeyRow(.yarnBetaFast, config: .rope("beta_fast"), gguf: .arch("rope.scaling.yarn_beta_fast"), .float32,
               write: .underScaling(["yarn"])),
        KeyRow(.yarnBetaSlow, config: .rope("beta_slow"), gguf: .arch("rope.scaling.yarn_beta_slow"), .float32,
               write: .underScaling(["yarn"])),
        KeyRow(.ropeFreqBase, config: .rope("rope_theta"), gguf: .arch("rope.freq_base"), .float32,
               write: .ifPresent, configDefault: .double(10000), ggufDefault: .double(10000),
               messageName: "rope_theta"),
        KeyRow(.ropeFreqBaseSWA, config: .rope("sliding_attention.rope_theta"), gguf: .arch("rope.freq_base_swa"),
               .float32, write: .ifPresent),
        KeyRow(.rmsEpsilon, config: .keys(["rms_norm_eps", "norm_eps"]),
               gguf: .arch("attention.layer_norm_rms_epsilon"), .float32, write: .ifPresent,
               configDefault: .double(1e-5), ggufDefault: .double(1e-5)),
        KeyRow(.layerNormEpsilon, config: .keys(["layer_norm_eps", "layer_norm_epsilon", "norm_epsilon"]),
               gguf: .arch("attention.layer_norm_epsilon"), .float32, write: .ifPresent),
        KeyRow(.expertCount, config: .keys(["num_local_experts", "num_experts", "n_routed_experts"]),
               gguf: .arch("expert_count"), .uint32, write: .ifPresent, ggufDefault: .int(0), range: u16),
        KeyRow(.expertUsedCount, config: .keys(["num_experts_per_tok", "num_experts_per_token", "top_k_experts"]),
               aliases: ["experts_per_token"], gguf: .arch("expert_used_count"), .uint32, write: .ifPresent,
               ggufDefault: .int(0), range: u16),
        KeyRow(.expertGroupCount, config: .keys(["n_group"]), gguf: .arch("expert_group_count"), .uint32,
               write: .ifPresent, range: u16),
        KeyRow(.expertGroupUsedCount, config: .keys(["topk_group"]), gguf: .arch("expert_group_used_count"), .uint32,
               write: .ifPresent, range: u16),
        KeyRow(.expertGatingFunction, config: .keys(["score_function", "scoring_func", "score_func",
                                                     "moe_router_activation", "moe_router_activation_func",
                                                     "expert_selection_fn"]),
               gguf: .arch("expert_gating_func"), .string, write: .ifPresent, encoding: .gatingFunction),
        KeyRow(.keyLength, config: .keys(["head_dim"]), gguf: .arch("attention.key_length"), .uint32,
               write: .ifPresent, range: u16),
        KeyRow(.valueLength, config: .keys(["head_dim"]), gguf: .arch("attention.value_length"), .uint32,
               write: .ifPresent, range: u16),
    ]

    /// Rows every architecture's inference reads that llama.cpp's converter does not write as `{arch}.*` keys.
    /// They are part of each architecture's own rows (after the converter's) so that the writing order holds.
    public static let inferenceRows: [KeyRow] = [
        KeyRow(.ropeLowFreqFactor, config: .rope("low_freq_factor"), gguf: .none, .float32, write: .never),
        KeyRow(.ropeHighFreqFactor, config: .rope("high_freq_factor"), gguf: .none, .float32, write: .never),
        KeyRow(.ropeMscale, config: .rope("mscale"), gguf: .none, .float32, write: .never),
        KeyRow(.ropeMscaleAllDim, config: .rope("mscale_all_dim"), gguf: .none, .float32, write: .never),
        KeyRow(.swigluAlpha, config: .keys(["swiglu_alpha"]), gguf: .none, .float32, write: .never,
               configDefault: .double(1.702), ggufDefault: .double(1.702)),
        KeyRow(.swigluLimit, config: .keys(["swiglu_limit"]), gguf: .none, .float32, write: .never,
               configDefault: .double(7.0), ggufDefault: .double(7.0)),
        KeyRow(.attentionBias, config: .keys(["attention_bias"]), gguf: .none, .bool, write: .never,
               configDefault: .bool(false)),
        KeyRow(.mlpBias, config: .keys(["mlp_bias"]), gguf: .none, .bool, write: .never, configDefault: .bool(false)),
        KeyRow(.tieEmbeddings, config: .keys(["tie_word_embeddings"]), gguf: .none, .bool, write: .never,
               configDefault: .bool(false)),
        KeyRow(.bosTokenID, config: .keys(["bos_token_id"]), gguf: .global("tokenizer.ggml.bos_token_id", alsoRead: []),
               .uint32, write: .never, range: sizes),
        KeyRow(.eosTokenID, config: .keys(["eos_token_id"]), gguf: .global("tokenizer.ggml.eos_token_id", alsoRead: []),
               .intList, write: .never, range: sizes),
        KeyRow(.eotTokenID, config: .none, gguf: .global("tokenizer.ggml.eot_token_id", alsoRead: []), .uint32,
               write: .never, range: sizes),
    ]

    /// `vocab_size`: llama writes it (`LlamaModel.set_gguf_parameters`), others only read it.
    public static func vocabSize(write: WriteRule) -> KeyRow {
        KeyRow(.vocabSize, config: .keys(["vocab_size"]), gguf: .arch("vocab_size"), .uint32, write: write,
               range: 0...Double(1 << 28))
    }

    /// `rope.dimension_count` from `head_dim` (else hidden_size / num_attention_heads); llama writes it, gpt-oss only
    /// reads it.
    public static func ropeDimensionCount(write: WriteRule) -> KeyRow {
        KeyRow(.ropeDimensionCount, config: .effectiveHeadDim, gguf: .arch("rope.dimension_count"), .uint32,
               write: write, range: 0...Double(1 << 16))
    }

    /// `sliding_window`; `gguf` is `.none` where llama.cpp's converter does not carry it (Mixtral).
    public static func slidingWindow(gguf: GGUFKey, write: WriteRule) -> KeyRow {
        KeyRow(.slidingWindow, config: .keys(["sliding_window"]), gguf: gguf, .uint32, write: write, range: sizes)
    }

    /// transformers' YaRN `truncate`, which llama.cpp has no key for: the converter records it in Ingot's namespace
    /// so its metadata otherwise equals llama.cpp's; the `{arch}.`-prefixed spelling is read too (and first).
    public static func yarnTruncate(writeFallback: Bool) -> KeyRow {
        KeyRow(.yarnTruncate, config: .rope("truncate"), gguf: .global("ingot.rope.scaling.yarn_truncate",
                                                                       alsoRead: ["rope.scaling.yarn_truncate"]),
               .bool, write: .ingotWhenRopeType("yarn", fallback: writeFallback),
               configDefault: .bool(true), ggufDefault: .bool(true))
    }
}
