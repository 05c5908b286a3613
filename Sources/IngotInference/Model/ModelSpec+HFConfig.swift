import Foundation

/// The config.json fields inference reads, with transformers' spellings (4.x and 5.x).
private struct HFConfig: Decodable {
    var model_type: String?
    var vocab_size: Int?
    var hidden_size: Int?
    var intermediate_size: Int?
    var num_hidden_layers: Int?
    var num_attention_heads: Int?
    var num_key_value_heads: Int?
    var head_dim: Int?
    var rms_norm_eps: Double?
    var rope_theta: Double?
    var rope_scaling: [String: Scalar]?
    var rope_parameters: [String: Scalar]?
    var max_position_embeddings: Int?
    var sliding_window: Int?
    var layer_types: [String]?
    var num_local_experts: Int?
    var num_experts: Int?
    var num_experts_per_tok: Int?
    var experts_per_token: Int?
    var swiglu_alpha: Double?
    var swiglu_limit: Double?
    var attention_bias: Bool?
    var mlp_bias: Bool?
    var tie_word_embeddings: Bool?
    var bos_token_id: Int?
    var eos_token_id: IntOrList?

    enum Scalar: Decodable {
        case number(Double), bool(Bool), string(String), other
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else { self = .other }
        }
        var double: Double? { if case .number(let d) = self { return d }; return nil }
        var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
        var string: String? { if case .string(let s) = self { return s }; return nil }
    }

    enum IntOrList: Decodable {
        case one(Int), many([Int])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { self = .one(i) } else { self = .many(try c.decode([Int].self)) }
        }
        var list: [Int] { switch self { case .one(let i): return [i]; case .many(let l): return l } }
    }
}

extension ModelSpec {
    /// Reads a transformers config.json (4.x `rope_theta`/`rope_scaling` or 5.x `rope_parameters`;
    /// shared/docs/models.md §3.0) into a spec.
    static func fromHFConfig(_ data: Data, file: String) throws -> ModelSpec {
        func bad(_ key: String, _ msg: String) -> InferenceError { .badConfig(key: key, file: file, message: msg) }
        let c: HFConfig
        do { c = try JSONDecoder().decode(HFConfig.self, from: data) } catch let DecodingError.typeMismatch(_, ctx) {
            throw bad(ctx.codingPath.map(\.stringValue).joined(separator: "."), "wrong type: \(ctx.debugDescription)")
        } catch {
            throw bad("config.json", "cannot be read as a model config: \(error)")
        }
        func need(_ v: Int?, _ key: String) throws -> Int {
            guard let v else { throw bad(key, "missing") }
            return v
        }
        let modelType = c.model_type ?? ""
        guard let arch = Architecture(rawValue: modelType) else {
            throw InferenceError.unsupportedArchitecture(modelType, file: file, supported: Architecture.allCases.map(\.rawValue))
        }
        let hidden = try need(c.hidden_size, "hidden_size"), heads = try need(c.num_attention_heads, "num_attention_heads")
        let layers = try need(c.num_hidden_layers, "num_hidden_layers")
        // Checked here as well as in validate(): the per-layer table below is built from it first.
        guard layers > 0 && layers <= 1 << 24 else { throw bad("num_hidden_layers", "\(layers) is not a usable layer count") }
        let headDim = c.head_dim ?? (heads > 0 ? hidden / heads : 0)

        // RoPE: rope_scaling wins over rope_parameters; theta from inside either, else top level, else class default.
        let rp = c.rope_scaling ?? c.rope_parameters ?? [:]
        let gptOssDefaults = arch == .gptOss && rp.isEmpty
        let defaultTheta: Double = arch == .llama ? 10000 : arch == .mixtral ? 1e6 : 150000
        let theta = rp["rope_theta"]?.double ?? c.rope_theta ?? defaultTheta
        let ropeType = rp["rope_type"]?.string ?? rp["type"]?.string ?? (gptOssDefaults ? "yarn" : "default")
        let maxPos = c.max_position_embeddings ?? (arch == .gptOss ? 131072 : 2048)
        let scaling: RopeScaling
        switch ropeType {
        case "default":
            scaling = .none
        case "linear":
            guard let f = rp["factor"]?.double else { throw bad("rope_parameters.factor", "missing for linear RoPE") }
            scaling = .linear(factor: f)
        case "llama3":
            guard let f = rp["factor"]?.double, let lo = rp["low_freq_factor"]?.double, let hi = rp["high_freq_factor"]?.double else {
                throw bad("rope_parameters", "llama3 RoPE needs factor, low_freq_factor and high_freq_factor")
            }
            scaling = .llama3(factor: f, lowFreqFactor: lo, highFreqFactor: hi,
                              originalContext: rp["original_max_position_embeddings"]?.double ?? Double(maxPos))
        case "yarn":
            let omax = rp["original_max_position_embeddings"]?.double ?? (gptOssDefaults ? 4096 : Double(maxPos))
            let f = rp["factor"]?.double ?? (gptOssDefaults ? 32 : Double(maxPos) / omax)
            scaling = .yarn(factor: f, originalContext: omax, betaFast: rp["beta_fast"]?.double ?? 32,
                            betaSlow: rp["beta_slow"]?.double ?? 1, truncate: rp["truncate"]?.bool ?? !gptOssDefaults,
                            attentionFactor: rp["attention_factor"]?.double, mscale: rp["mscale"]?.double,
                            mscaleAllDim: rp["mscale_all_dim"]?.double)
        default:
            throw bad("rope_parameters.rope_type", "'\(ropeType)' is not supported (default, linear, llama3, yarn)")
        }

        var window = c.sliding_window
        var sliding = [Bool](repeating: window != nil, count: layers)
        switch arch {
        case .llama:
            window = nil
            sliding = [Bool](repeating: false, count: layers)
        case .mixtral:
            break
        case .gptOss:
            if let lt = c.layer_types {
                sliding = try lt.enumerated().map { i, v in
                    switch v {
                    case "sliding_attention": return true
                    case "full_attention": return false
                    default: throw bad("layer_types[\(i)]", "'\(v)' is neither sliding_attention nor full_attention")
                    }
                }
            } else {
                sliding = (0..<layers).map { $0 % 2 == 0 }
            }
            if window == nil && sliding.contains(true) { window = 128 }
        }

        let moe = arch != .llama
        let spec = ModelSpec(
            architecture: arch,
            vocabSize: try need(c.vocab_size, "vocab_size"), hiddenSize: hidden,
            intermediateSize: try need(c.intermediate_size, "intermediate_size"),
            layers: layers, heads: heads, kvHeads: c.num_key_value_heads ?? heads, headDim: headDim,
            rmsEps: Float(c.rms_norm_eps ?? (arch == .llama ? 1e-6 : 1e-5)),
            ropeTheta: theta, ropeScaling: scaling, ropeStyle: .halves,
            slidingWindow: window, slidingLayers: sliding,
            experts: moe ? (c.num_local_experts ?? c.num_experts ?? (arch == .gptOss ? 128 : 8)) : 0,
            expertsPerToken: moe ? (c.num_experts_per_tok ?? c.experts_per_token ?? (arch == .gptOss ? 4 : 2)) : 0,
            swigluAlpha: Float(c.swiglu_alpha ?? 1.702), swigluLimit: Float(c.swiglu_limit ?? 7.0),
            attentionBias: c.attention_bias ?? (arch == .gptOss), mlpBias: c.mlp_bias ?? false,
            tieEmbeddings: c.tie_word_embeddings ?? false,
            maxPositions: maxPos, bosTokenID: c.bos_token_id, eosTokenIDs: c.eos_token_id?.list ?? [])
        try spec.validate(file: file)
        return spec
    }
}
