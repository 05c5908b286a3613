import Foundation
import IngotCore
import IngotFormats
import IngotModel

/// Everything the forward pass needs to know about a model's shape: IngotModel's `HyperParameters`, read through the
/// architecture's key table from a config.json or from GGUF metadata alike.
public typealias ModelSpec = HyperParameters

extension HyperParameters {
    /// Reads a transformers config.json (4.x or 5.x spellings; shared/docs/models.md §3.0) through the architecture
    /// its `architectures` / `model_type` names. Errors name `file` and the key.
    public static func fromHFConfig(_ data: Data, file: String) throws -> ModelSpec {
        try inferenceErrors(file: file) {
            let json = try data.withUnsafeBytes { try JSON.parse($0) }
            let config = try ModelConfig(json: json, path: file)
            let arch = try ArchitectureRegistry.architecture(for: config)
            let spec = try arch.hyperParameters(config: config)
            try spec.validate(file: file)
            return spec
        }
    }

    /// Reads llama.cpp metadata (`general.architecture`; Mixtral is llama with experts) through the key table;
    /// `tensors` give what llama.cpp reads off the file (vocabulary rows, biases, tied output).
    public static func fromGGUF(_ md: Metadata, tensors: [TensorInfo], file: String) throws -> ModelSpec {
        try inferenceErrors(file: file) {
            let arch = try ArchitectureRegistry.architecture(gguf: md, file: file)
            let spec = try arch.hyperParameters(gguf: md, tensors: tensors, file: file)
            try spec.validate(file: file)
            return spec
        }
    }

    /// IngotModel's errors as inference's (each still names the file and the key).
    static func inferenceErrors<R>(file: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let e as ConfigError {
            throw InferenceError.badConfig(key: e.key ?? "config", file: e.path, message: e.message)
        } catch let e as ArchitectureError {
            switch e {
            case let .unsupported(name, path):
                throw InferenceError.unsupportedArchitecture(name, file: path, supported: ArchitectureRegistry.supportedNames)
            case let .unsupportedGGUF(name, path):
                throw InferenceError.unsupportedArchitecture(name, file: path, supported: ArchitectureRegistry.ggufNames)
            default:
                throw InferenceError.badConfig(key: "config", file: file, message: e.description)
            }
        } catch let e as JSONError {
            throw InferenceError.badConfig(key: "config.json", file: file, message: "cannot be read as a model config: \(e)")
        }
    }

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
        if architectureDescription?.hasExperts ?? (experts > 0) {
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
