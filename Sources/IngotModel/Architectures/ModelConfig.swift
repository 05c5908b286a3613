import IngotCore
import IngotFormats

/// A Hugging Face `config.json`, decoded into the hyper-parameters the converter writes (the spellings, types and
/// ranges of the common rows of the key table, `CommonKeys`), accepting both the
/// transformers 4.x and 5.x spellings (`rope_theta` or `rope_parameters.rope_theta`, `torch_dtype` or `dtype`,
/// `rope_scaling` or `rope_parameters`).
///
/// Look-ups follow llama.cpp's `find_hparam`: the first key of a list that is *present* wins, even when its value
/// is `null` (which then reads as absent). A `text_config` object is merged into the root first, as
/// `TextModel.__init__` does.
public struct ModelConfig {
    /// File the config came from (for messages).
    public let path: String
    /// The merged root object.
    public let root: JSONObject

    /// `architectures[0]`, e.g. `LlamaForCausalLM`.
    public let hfArchitecture: String?
    /// `model_type`, e.g. `llama`.
    public let modelType: String?

    public let blockCount: Int
    public let contextLength: Int?
    public let embeddingLength: Int?
    public let feedForwardLength: Int?
    public let headCount: Int?
    public let headCountKV: Int?
    /// `head_dim` when given (not derived).
    public let headDim: Int?
    public let vocabSize: Int?
    public let rmsNormEps: Double?
    public let layerNormEps: Double?
    public let expertCount: Int?
    public let expertUsedCount: Int?
    public let expertGroupCount: Int?
    public let expertGroupUsedCount: Int?
    /// `score_function` / `scoring_func` …: `softmax`, `sigmoid`, `sqrtsoftplus`.
    public let expertScoreFunction: String?
    public let isCausal: Bool?
    public let slidingWindow: Int?
    /// `layer_types` (gpt-oss: `sliding_attention` / `full_attention` per layer).
    public let layerTypes: [String]?
    public let tieWordEmbeddings: Bool
    /// `torch_dtype` (4.x) or `dtype` (5.x).
    public let dtype: String?
    /// `quantization_config.quant_method` (`mxfp4` for the released gpt-oss checkpoints).
    public let quantMethod: String?
    /// RoPE parameters after llama.cpp's normalisation (rope_parameters ∪ rope_scaling ∪ top-level keys).
    public let rope: RopeParameters

    /// Head dimension: `head_dim`, else hidden_size / num_attention_heads.
    public var effectiveHeadDim: Int? {
        if let headDim { return headDim }
        guard let e = embeddingLength, let h = headCount, h > 0 else { return nil }
        return e / h
    }

    /// Reads and decodes `path`.
    public init(contentsOf path: String) throws {
        let value = try JSON.parseFile(path)
        try self.init(json: value, path: path)
    }

    /// Parses and decodes config.json bytes; a file that is not JSON is a `ConfigError` naming `path` and the
    /// key `config.json` (so callers need not know the JSON parser's error type).
    public init(data: [UInt8], path: String) throws {
        let value: JSONValue
        do {
            value = try data.withUnsafeBytes { try JSON.parse($0) }
        } catch let e as JSONError {
            throw ConfigError(path: path, key: "config.json", message: "cannot be read as a model config: \(e)")
        }
        try self.init(json: value, path: path)
    }

    /// Decodes an already parsed config.
    public init(json: JSONValue, path: String) throws {
        guard var root = json.object else {
            throw ConfigError(path: path, key: nil, message: "the top level is not a JSON object")
        }
        if let text = root["text_config"]?.object {
            for (k, v) in text.entries { root.set(k, v) }
        }
        self.path = path
        self.root = root
        let r = ConfigReader(root: root, path: path)

        hfArchitecture = try r.architecture()
        modelType = try r.string(["model_type"])
        rope = try RopeParameters(root: root, path: path)
        // The spellings, types and ranges come from the key table's rows (CommonKeys), as convert writes them.
        func value(_ row: KeyRow) throws -> KeyValue? { try row.read(r, keys: row.converterConfigKeys) }
        func int(_ name: ParameterName) throws -> Int? { try value(Self.row(name)).flatMap(\.int) }
        func double(_ name: ParameterName) throws -> Double? { try value(Self.row(name)).flatMap(\.double) }
        guard let blocks = try int(.blockCount) else {
            throw ConfigError(path: path, key: "num_hidden_layers",
                              message: "missing: none of n_layers, num_hidden_layers, n_layer, num_layers is set")
        }
        blockCount = blocks
        contextLength = try int(.contextLength)
        embeddingLength = try int(.embeddingLength)
        feedForwardLength = try int(.feedForwardLength)
        headCount = try int(.headCount)
        headCountKV = try int(.headCountKV)
        headDim = try int(.keyLength)
        vocabSize = try value(CommonKeys.vocabSize(write: .never))?.int
        rmsNormEps = try double(.rmsEpsilon)
        layerNormEps = try double(.layerNormEpsilon)
        expertCount = try int(.expertCount)
        expertUsedCount = try int(.expertUsedCount)
        expertGroupCount = try int(.expertGroupCount)
        expertGroupUsedCount = try int(.expertGroupUsedCount)
        expertScoreFunction = try value(Self.row(.expertGatingFunction))?.string
        isCausal = try value(Self.row(.causal))?.bool
        slidingWindow = try value(CommonKeys.slidingWindow(gguf: .none, write: .never))?.int
        layerTypes = try r.stringArray("layer_types")
        tieWordEmbeddings = try value(Self.row(.tieEmbeddings))?.bool ?? false
        dtype = try r.string(["torch_dtype"]) ?? r.string(["dtype"])
        if let q = root["quantization_config"], !q.isNull {
            guard let qo = q.object else {
                throw ConfigError(path: path, key: "quantization_config", message: "expected an object")
            }
            quantMethod = try ConfigReader(root: qo, path: path, prefix: "quantization_config.").string(["quant_method"])
        } else {
            quantMethod = nil
        }
        try validate()
    }

    /// The common row named `name` (CommonKeys: converter rows, then inference rows).
    static func row(_ name: ParameterName) -> KeyRow {
        (CommonKeys.rows + CommonKeys.inferenceRows).first { $0.name == name }!
    }

    /// Checks the relations between fields that every supported architecture relies on.
    private func validate() throws {
        if let h = headCount, h == 0 {
            throw ConfigError(path: path, key: "num_attention_heads", message: "must be at least 1")
        }
        if let h = headCount, let kv = headCountKV {
            guard kv > 0, h % kv == 0 else {
                throw ConfigError(path: path, key: "num_key_value_heads",
                                  message: "\(kv) does not divide num_attention_heads (\(h))")
            }
        }
        if let e = expertCount, let k = expertUsedCount, e > 0 {
            guard k >= 1, k <= e else {
                throw ConfigError(path: path, key: "num_experts_per_tok",
                                  message: "\(k) experts per token with \(e) experts; needs 1 ≤ k ≤ \(e)")
            }
        }
        if let types = layerTypes, types.count != blockCount {
            throw ConfigError(path: path, key: "layer_types",
                              message: "has \(types.count) entries for \(blockCount) layers")
        }
    }
}

/// RoPE settings, normalised as llama.cpp's `TextModel.__init__` does: `rope_parameters` (5.x) or `rope_scaling`
/// (4.x), with `rope_theta`, `rope_type` (from the legacy `type`) and `original_max_position_embeddings` filled from
/// the top level when missing. A `full_attention` sub-object, when present, is the one that counts.
public struct RopeParameters: Equatable, Sendable {
    /// `default`, `linear`, `yarn`, `llama3`, `longrope`, …; nil when nothing says.
    public var type: String?
    public var theta: Double?
    /// Local (sliding-window) theta when the config gives one.
    public var localTheta: Double?
    public var factor: Double?
    public var originalContextLength: Int?
    public var extrapolationFactor: Double?
    public var attentionFactor: Double?
    public var betaFast: Double?
    public var betaSlow: Double?
    public var lowFrequencyFactor: Double?
    public var highFrequencyFactor: Double?
    public var truncate: Bool?
    public var mscale: Double?
    public var mscaleAllDim: Double?
    /// Whether config.json gave a non-empty `rope_parameters` / `rope_scaling` object (inference applies an
    /// architecture's own RoPE default when it did not: gpt-oss's YaRN).
    public var isGiven: Bool
    /// Where the effective parameters sit, for messages (`rope_parameters.` or `rope_parameters.full_attention.`).
    public var keyPrefix: String

    /// The `rope.scaling.type` llama.cpp's `TextModel.set_gguf_parameters` writes, nil when it writes none:
    /// `linear`/`yarn` only with a factor, `longrope` for `su`/`longrope`; `default`, `dynamic` and `llama3` (a
    /// `rope_freqs` tensor instead) write nothing.
    public var writtenScalingType: String? {
        switch type {
        case "linear" where factor != nil: return "linear"
        case "yarn" where factor != nil: return "yarn"
        case "su", "longrope": return "longrope"
        default: return nil
        }
    }

    /// A parameter by its config spelling (the names `ConfigField.rope` rows use).
    public func value(_ name: String) -> KeyValue? {
        switch name {
        case "rope_type": return type.map(KeyValue.string)
        case "rope_theta": return theta.map(KeyValue.double)
        case "sliding_attention.rope_theta": return localTheta.map(KeyValue.double)
        case "factor": return factor.map(KeyValue.double)
        case "original_max_position_embeddings": return originalContextLength.map(KeyValue.int)
        case "extrapolation_factor": return extrapolationFactor.map(KeyValue.double)
        case "attention_factor": return attentionFactor.map(KeyValue.double)
        case "beta_fast": return betaFast.map(KeyValue.double)
        case "beta_slow": return betaSlow.map(KeyValue.double)
        case "low_freq_factor": return lowFrequencyFactor.map(KeyValue.double)
        case "high_freq_factor": return highFrequencyFactor.map(KeyValue.double)
        case "truncate": return truncate.map(KeyValue.bool)
        case "mscale": return mscale.map(KeyValue.double)
        case "mscale_all_dim": return mscaleAllDim.map(KeyValue.double)
        default: return nil
        }
    }

    init(root: JSONObject, path: String) throws {
        // llama.cpp: hparams.get("rope_parameters", hparams.get("rope_scaling")) or {}
        let source: JSONValue? = root.keys.contains("rope_parameters") ? root["rope_parameters"] : root["rope_scaling"]
        var params: JSONObject
        switch source {
        case .none, .some(.null): params = JSONObject()
        case .some(.object(let o)): params = o
        case .some: throw ConfigError(path: path, key: "rope_parameters", message: "expected an object")
        }
        isGiven = !params.keys.isEmpty
        let top = ConfigReader(root: root, path: path)
        if params["full_attention"] == nil && params["sliding_attention"] == nil {
            if let local = try top.raw(["local_rope_theta", "rope_local_theta", "rope_theta_local", "swa_rope_theta",
                                        "rope_local_base_freq"]), !local.isNull {
                params.set("sliding_attention", .object(JSONObject([("rope_theta", local)])))
            }
            if params["rope_theta"] == nil, let t = try top.raw(["global_rope_theta", "rope_global_theta",
                                                                  "rope_theta_global", "rope_theta", "rotary_emb_base"]),
               !t.isNull {
                params.set("rope_theta", t)
            }
            if params["rope_type"] == nil, let t = params["type"], !t.isNull { params.set("rope_type", t) }
            if params["original_max_position_embeddings"] == nil,
               let o = try top.raw(["original_max_position_embeddings"]), !o.isNull {
                params.set("original_max_position_embeddings", o)
            }
        }
        var effective = params
        var prefix = "rope_parameters."
        if let full = params["full_attention"] {
            guard let fo = full.object else {
                throw ConfigError(path: path, key: "rope_parameters.full_attention", message: "expected an object")
            }
            effective = fo
            prefix = "rope_parameters.full_attention."
        }
        let r = ConfigReader(root: effective, path: path, prefix: prefix)
        type = try r.string(["rope_type"])
        theta = try r.double(["rope_theta"])
        factor = try r.double(["factor"])
        originalContextLength = try r.int(["original_max_position_embeddings"])
        extrapolationFactor = try r.double(["extrapolation_factor"])
        attentionFactor = try r.double(["attention_factor"]) ?? r.double(["attn_factor"])
        betaFast = try r.double(["beta_fast"])
        betaSlow = try r.double(["beta_slow"])
        lowFrequencyFactor = try r.double(["low_freq_factor"])
        highFrequencyFactor = try r.double(["high_freq_factor"])
        truncate = try r.bool(["truncate"])
        mscale = try r.double(["mscale"])
        mscaleAllDim = try r.double(["mscale_all_dim"])
        keyPrefix = prefix
        if let sliding = params["sliding_attention"]?.object {
            localTheta = try ConfigReader(root: sliding, path: path, prefix: "rope_parameters.sliding_attention.")
                .double(["rope_theta"])
        } else {
            localTheta = nil
        }
        // (YaRN without original_max_position_embeddings is refused where the converter needs it: the key
        // table's `requiredUnderScaling` rule; inference falls back to max_position_embeddings as transformers does.)
    }
}

/// A config field that is missing, of the wrong type or out of range.
public struct ConfigError: IngotDiagnostic, Equatable {
    public let path: String
    public let key: String?
    public let message: String
    public init(path: String, key: String?, message: String) {
        self.path = path
        self.key = key
        self.message = message
    }
    public var description: String {
        if let key { return "\(path): \(key): \(message)" }
        return "\(path): \(message)"
    }
    public var hint: String? { "check config.json against the model's published configuration" }
}

/// Typed look-ups over one JSON object with llama.cpp's first-present-key rule.
struct ConfigReader {
    let root: JSONObject
    let path: String
    var prefix = ""

    /// The value of the first key present (possibly `.null`), and that key.
    func first(_ keys: [String]) -> (String, JSONValue)? {
        for k in keys { if let v = root[k] { return (k, v) } }
        return nil
    }

    func raw(_ keys: [String]) throws -> JSONValue? { first(keys)?.1 }

    func int(_ keys: [String], max: Int = Int(UInt32.max)) throws -> Int? {
        guard let (k, v) = first(keys), !v.isNull else { return nil }
        guard let i = v.int else {
            throw ConfigError(path: path, key: prefix + k, message: "expected an integer, found \(describe(v))")
        }
        guard i >= 0, i <= max else {
            throw ConfigError(path: path, key: prefix + k, message: "\(i) is out of range 0…\(max)")
        }
        return i
    }

    func double(_ keys: [String]) throws -> Double? {
        guard let (k, v) = first(keys), !v.isNull else { return nil }
        guard let d = v.double, d.isFinite else {
            throw ConfigError(path: path, key: prefix + k, message: "expected a finite number, found \(describe(v))")
        }
        return d
    }

    func string(_ keys: [String]) throws -> String? {
        guard let (k, v) = first(keys), !v.isNull else { return nil }
        guard let s = v.string else {
            throw ConfigError(path: path, key: prefix + k, message: "expected a string, found \(describe(v))")
        }
        return s
    }

    func bool(_ keys: [String]) throws -> Bool? {
        guard let (k, v) = first(keys), !v.isNull else { return nil }
        guard let b = v.bool else {
            throw ConfigError(path: path, key: prefix + k, message: "expected true or false, found \(describe(v))")
        }
        return b
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard let v = root[key], !v.isNull else { return nil }
        guard let a = v.array, a.count <= 1 << 16 else {
            throw ConfigError(path: path, key: prefix + key, message: "expected an array of strings")
        }
        return try a.enumerated().map { i, e in
            guard let s = e.string else {
                throw ConfigError(path: path, key: "\(prefix)\(key)[\(i)]", message: "expected a string, found \(describe(e))")
            }
            return s
        }
    }

    /// `architectures[0]`.
    func architecture() throws -> String? {
        guard let v = root["architectures"], !v.isNull else { return nil }
        guard let a = v.array else {
            throw ConfigError(path: path, key: "architectures", message: "expected an array of class names")
        }
        guard let first = a.first else { return nil }
        guard let s = first.string else {
            throw ConfigError(path: path, key: "architectures[0]", message: "expected a string, found \(describe(first))")
        }
        return s
    }

    private func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return "\"\(s.prefix(40))\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
