import IngotCore

/// One model architecture Ingot converts: how Hugging Face names it, what GGUF calls it, which `{arch}.*` keys
/// llama.cpp's converter adds beyond the common ones, and how the checkpoint's tensors become GGUF tensors.
///
/// Adding an architecture is one entry in `ArchitectureRegistry.all` plus its tensor map.
public struct Architecture: Sendable {
    /// Short identifier Ingot prints (`llama`, `mixtral`, `gpt-oss`).
    public let id: String
    /// GGUF `general.architecture` (`llama` for both Llama and Mixtral, `gpt-oss`).
    public let ggufName: String
    /// `architectures[0]` class names this entry accepts.
    public let hfArchitectures: [String]
    /// `model_type` values this entry accepts (used when `architectures` is absent).
    public let modelTypes: [String]
    /// Keys written after `general.file_type`, in order (the architecture's own `set_gguf_parameters`).
    let extraParameters: @Sendable (ModelConfig) throws -> [(String, MetadataValue)]
    /// Output tensors in the converter's order, from the source tensors in the converter's reading order.
    let tensorRecipes: @Sendable (ModelConfig, [TensorInfo]) throws -> [TensorRecipe]

    /// The architecture's parameter keys: the common `TextModel.set_gguf_parameters` keys through
    /// `general.file_type`, then this architecture's own.
    public func parameterMetadata(_ config: ModelConfig, fileType: UInt32) throws -> [(String, MetadataValue)] {
        var keys = try ArchitectureParameters.common(config, arch: ggufName, fileType: fileType)
        keys += try extraParameters(config)
        return keys
    }

    /// The GGUF tensors this checkpoint becomes, in the order llama.cpp's converter writes them.
    /// `sources` must be in the converter's reading order (`ConverterOrder`).
    public func recipes(_ config: ModelConfig, sources: [TensorInfo]) throws -> [TensorRecipe] {
        try tensorRecipes(config, sources)
    }
}

/// The literal table of supported architectures.
public enum ArchitectureRegistry {
    public static let all: [Architecture] = [
        Architecture(id: "llama", ggufName: "llama",
                     hfArchitectures: ["LlamaForCausalLM", "LLaMAForCausalLM", "MistralForCausalLM"],
                     modelTypes: ["llama", "mistral"],
                     extraParameters: LlamaFamily.extraParameters, tensorRecipes: LlamaFamily.recipes),
        Architecture(id: "mixtral", ggufName: "llama",
                     hfArchitectures: ["MixtralForCausalLM"], modelTypes: ["mixtral"],
                     extraParameters: LlamaFamily.extraParameters, tensorRecipes: LlamaFamily.recipes),
        Architecture(id: "gpt-oss", ggufName: "gpt-oss",
                     hfArchitectures: ["GptOssForCausalLM"], modelTypes: ["gpt_oss"],
                     extraParameters: GptOss.extraParameters, tensorRecipes: GptOss.recipes),
    ]

    /// Names accepted, for messages: `LlamaForCausalLM (llama), …`.
    public static var supportedNames: [String] {
        all.flatMap { a in a.hfArchitectures.map { "\($0) (\(a.modelTypes.first ?? a.id))" } }
    }

    /// The entry for a config: by `architectures[0]`, else by `model_type`.
    public static func architecture(for config: ModelConfig) throws -> Architecture {
        if let hf = config.hfArchitecture {
            if let a = all.first(where: { $0.hfArchitectures.contains(hf) }) { return a }
            throw ArchitectureError.unsupported(name: hf, path: config.path)
        }
        if let mt = config.modelType {
            if let a = all.first(where: { $0.modelTypes.contains(mt) }) { return a }
            throw ArchitectureError.unsupported(name: mt, path: config.path)
        }
        throw ArchitectureError.unsupported(name: "(none: no architectures or model_type)", path: config.path)
    }

    /// The entry whose GGUF name is `ggufName` (first match), or nil.
    public static func architecture(ggufName: String) -> Architecture? {
        all.first { $0.ggufName == ggufName }
    }
}

/// Mapping and validation failures while turning a checkpoint into GGUF tensors.
public enum ArchitectureError: IngotDiagnostic, Equatable {
    case unsupported(name: String, path: String)
    /// A checkpoint tensor with no GGUF counterpart (llama.cpp: "Can not map tensor").
    case unmappedTensor(name: String, arch: String)
    case shapeMismatch(tensor: String, expected: String, found: [Int])
    case unsupportedDType(tensor: String, type: String)
    case incompleteExperts(layer: Int, found: Int, expected: Int)
    case layerOutOfRange(tensor: String, layer: Int, blockCount: Int)
    case missingTensor(name: String, neededFor: String)
    case missingParameter(path: String, key: String, arch: String)

    public var description: String {
        switch self {
        case .unsupported(let name, let path):
            return "\(path): architecture \(name) is not supported; supported: "
                + ArchitectureRegistry.supportedNames.joined(separator: ", ")
        case .unmappedTensor(let name, let arch):
            return "tensor \(name) has no GGUF name in architecture \(arch)"
        case .shapeMismatch(let tensor, let expected, let found):
            return "tensor \(tensor) has shape \(found), expected \(expected)"
        case .unsupportedDType(let tensor, let type):
            return "tensor \(tensor) has dtype \(type); expected a floating-point type (F32, F16, BF16)"
        case .incompleteExperts(let layer, let found, let expected):
            return "layer \(layer) has \(found) of the \(expected) per-expert tensors (w1, w2, w3 for each expert)"
        case .layerOutOfRange(let tensor, let layer, let blockCount):
            return "tensor \(tensor) names layer \(layer) but the config has \(blockCount) layers"
        case .missingTensor(let name, let neededFor):
            return "tensor \(name) is missing (needed for \(neededFor))"
        case .missingParameter(let path, let key, let arch):
            return "\(path): \(key) is required for \(arch)"
        }
    }

    public var hint: String? {
        switch self {
        case .unsupported: return "adding an architecture is one entry in ArchitectureRegistry plus its tensor map"
        case .unmappedTensor: return "check that config.json's architectures matches the checkpoint"
        case .incompleteExperts: return "a shard may be missing: compare model.safetensors.index.json with the files"
        default: return nil
        }
    }
}

// MARK: - Common parameters

/// The keys llama.cpp's `TextModel.set_gguf_parameters` writes for every text model, in its order and types.
enum ArchitectureParameters {
    static func common(_ c: ModelConfig, arch a: String, fileType: UInt32) throws -> [(String, MetadataValue)] {
        var k: [(String, MetadataValue)] = []
        k.append(("\(a).block_count", .uint32(UInt32(c.blockCount))))
        if let v = c.contextLength { k.append(("\(a).context_length", .uint32(UInt32(v)))) }
        if let v = c.embeddingLength { k.append(("\(a).embedding_length", .uint32(UInt32(v)))) }
        if let v = c.feedForwardLength { k.append(("\(a).feed_forward_length", .uint32(UInt32(v)))) }
        if let v = c.headCount { k.append(("\(a).attention.head_count", .uint32(UInt32(v)))) }
        if let v = c.headCountKV { k.append(("\(a).attention.head_count_kv", .uint32(UInt32(v)))) }
        if c.isCausal == false { k.append(("\(a).attention.causal", .bool(false))) }
        let r = c.rope
        if let type = r.type {
            switch type {
            case "linear" where r.factor != nil:
                k.append(("\(a).rope.scaling.type", .string("linear")))
                k.append(("\(a).rope.scaling.factor", .float32(Float(r.factor!))))
            case "yarn" where r.factor != nil:
                k.append(("\(a).rope.scaling.type", .string("yarn")))
                k.append(("\(a).rope.scaling.factor", .float32(Float(r.factor!))))
                if let o = r.originalContextLength {
                    k.append(("\(a).rope.scaling.original_context_length", .uint32(UInt32(clamping: o))))
                }
                if let v = r.extrapolationFactor { k.append(("\(a).rope.scaling.yarn_ext_factor", .float32(Float(v)))) }
                if let v = r.attentionFactor { k.append(("\(a).rope.scaling.yarn_attn_factor", .float32(Float(v)))) }
                if let v = r.betaFast { k.append(("\(a).rope.scaling.yarn_beta_fast", .float32(Float(v)))) }
                if let v = r.betaSlow { k.append(("\(a).rope.scaling.yarn_beta_slow", .float32(Float(v)))) }
            case "su", "longrope":
                k.append(("\(a).rope.scaling.type", .string("longrope")))
            default:
                break   // "default", "dynamic", "llama3" (a rope_freqs tensor instead): no keys
            }
        }
        if let v = r.theta { k.append(("\(a).rope.freq_base", .float32(Float(v)))) }
        if let v = r.localTheta { k.append(("\(a).rope.freq_base_swa", .float32(Float(v)))) }
        if let v = c.rmsNormEps { k.append(("\(a).attention.layer_norm_rms_epsilon", .float32(Float(v)))) }
        if let v = c.layerNormEps { k.append(("\(a).attention.layer_norm_epsilon", .float32(Float(v)))) }
        if let v = c.expertCount { k.append(("\(a).expert_count", .uint32(UInt32(v)))) }
        if let v = c.expertUsedCount { k.append(("\(a).expert_used_count", .uint32(UInt32(v)))) }
        if let v = c.expertGroupCount { k.append(("\(a).expert_group_count", .uint32(UInt32(v)))) }
        if let v = c.expertGroupUsedCount { k.append(("\(a).expert_group_used_count", .uint32(UInt32(v)))) }
        if let f = c.expertScoreFunction {
            guard let id = ["softmax": 1, "sigmoid": 2, "sqrtsoftplus": 4][f] else {
                throw ConfigError(path: c.path, key: "scoring_func",
                                  message: "unsupported expert gating function \"\(f)\" (softmax, sigmoid, sqrtsoftplus)")
            }
            k.append(("\(a).expert_gating_func", .uint32(UInt32(id))))
        }
        if let d = c.headDim {
            k.append(("\(a).attention.key_length", .uint32(UInt32(d))))
            k.append(("\(a).attention.value_length", .uint32(UInt32(d))))
        }
        k.append(("general.file_type", .uint32(fileType)))
        return k
    }
}
