import IngotCore

extension ModelSpec {
    /// Key under which Ingot's converter records transformers' YaRN `truncate` flag, which llama.cpp has no key for
    /// (shared/docs/models.md, last section). Absent: llama.cpp's behaviour (truncate true). The converter writes
    /// it in Ingot's own namespace (`ingot.rope.scaling.yarn_truncate`) so its metadata otherwise equals
    /// llama.cpp's; the `{arch}.`-prefixed spelling is read too.
    static let yarnTruncateKeySuffix = "rope.scaling.yarn_truncate"
    public static let yarnTruncateKey = "ingot.rope.scaling.yarn_truncate"

    /// Reads llama.cpp metadata (`general.architecture` = llama or gpt-oss; Mixtral is llama with experts).
    /// `vocabFallback` is the embedding's row count, used when no `vocab_size` key is present.
    static func fromGGUF(_ md: Metadata, tensors: [TensorInfo], file: String) throws -> ModelSpec {
        func bad(_ key: String, _ msg: String) -> InferenceError { .badConfig(key: key, file: file, message: msg) }
        guard let a = md["general.architecture"]?.stringValue else { throw bad("general.architecture", "missing") }
        let arch: Architecture
        switch a {
        case "llama": arch = .llama
        case "gpt-oss": arch = .gptOss
        default:
            throw InferenceError.unsupportedArchitecture(a, file: file, supported: ["llama", "gpt-oss"])
        }
        func int(_ k: String) throws -> Int? {
            guard let v = md["\(a).\(k)"] else { return nil }
            guard let i = v.intValue else { throw bad("\(a).\(k)", "expected an integer") }
            return i
        }
        func dbl(_ k: String) throws -> Double? {
            guard let v = md["\(a).\(k)"] else { return nil }
            guard let d = v.doubleValue else { throw bad("\(a).\(k)", "expected a number") }
            return d
        }
        func need(_ k: String) throws -> Int {
            guard let v = try int(k) else { throw bad("\(a).\(k)", "missing") }
            return v
        }
        let hidden = try need("embedding_length"), heads = try need("attention.head_count")
        let layers = try need("block_count")
        // Checked here as well as in validate(): the per-layer table below is built from it first.
        guard layers > 0 && layers <= 1 << 24 else { throw bad("\(a).block_count", "\(layers) is not a usable layer count") }
        let headDim = try int("attention.key_length") ?? int("rope.dimension_count") ?? (heads > 0 ? hidden / heads : 0)
        let experts = try int("expert_count") ?? 0
        let isMoE = experts > 0
        let family: Architecture = arch == .llama && isMoE ? .mixtral : arch
        let vocab = try int("vocab_size") ?? tensors.first { $0.name == "token_embd.weight" }?.shape.first
            ?? md["tokenizer.ggml.tokens"]?.arrayValue?.count ?? 0
        let maxPos = try int("context_length") ?? 2048

        var scaling = RopeScaling.none
        switch md["\(a).rope.scaling.type"]?.stringValue ?? "none" {
        case "none": break
        case "linear":
            if let f = try dbl("rope.scaling.factor"), f != 1 { scaling = .linear(factor: f) }
        case "yarn":
            let f = try dbl("rope.scaling.factor") ?? 1
            let omax = try dbl("rope.scaling.original_context_length") ?? Double(maxPos)
            let attn = try dbl("rope.scaling.yarn_attn_factor")
            scaling = .yarn(factor: f, originalContext: omax,
                            betaFast: try dbl("rope.scaling.yarn_beta_fast") ?? 32,
                            betaSlow: try dbl("rope.scaling.yarn_beta_slow") ?? 1,
                            truncate: md["\(a).\(yarnTruncateKeySuffix)"]?.boolValue ?? md[yarnTruncateKey]?.boolValue ?? true,
                            attentionFactor: attn.flatMap { $0 == 1 || $0 == 0 ? nil : $0 }, mscale: nil, mscaleAllDim: nil)
        case let other:
            throw bad("\(a).rope.scaling.type", "'\(other)' is not supported (none, linear, yarn)")
        }

        let window = arch == .gptOss ? try int("attention.sliding_window") : nil
        // llama.cpp's gpt-oss: every even layer is sliding (swa pattern 2).
        let sliding = (0..<layers).map { arch == .gptOss && $0 % 2 == 0 }
        var eos: [Int] = []
        if let e = md["tokenizer.ggml.eos_token_id"]?.intValue { eos.append(e) }
        if let e = md["tokenizer.ggml.eot_token_id"]?.intValue, !eos.contains(e) { eos.append(e) }

        let spec = ModelSpec(
            architecture: family, vocabSize: vocab, hiddenSize: hidden,
            intermediateSize: try int("expert_feed_forward_length") ?? need("feed_forward_length"),
            layers: layers, heads: heads, kvHeads: try int("attention.head_count_kv") ?? heads, headDim: headDim,
            rmsEps: Float(try dbl("attention.layer_norm_rms_epsilon") ?? 1e-5),
            ropeTheta: try dbl("rope.freq_base") ?? (arch == .gptOss ? 150000 : 10000),
            ropeScaling: scaling, ropeStyle: arch == .llama ? .interleaved : .halves,
            slidingWindow: window, slidingLayers: sliding,
            experts: experts, expertsPerToken: try int("expert_used_count") ?? 0,
            swigluAlpha: 1.702, swigluLimit: 7.0,
            attentionBias: tensors.contains { $0.name == "blk.0.attn_q.bias" },
            mlpBias: tensors.contains { $0.name == "blk.0.ffn_gate.bias" },
            tieEmbeddings: !tensors.contains { $0.name == "output.weight" },
            maxPositions: maxPos, bosTokenID: md["tokenizer.ggml.bos_token_id"]?.intValue, eosTokenIDs: eos)
        try spec.validate(file: file)
        return spec
    }
}
