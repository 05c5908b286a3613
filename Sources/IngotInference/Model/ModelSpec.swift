import Foundation
import IngotCore
import IngotModel

/// Everything the forward pass needs to know about a model's shape: IngotModel's `HyperParameters`, read through the
/// architecture's key table from a config.json or from GGUF metadata alike.
public typealias ModelSpec = HyperParameters

extension HyperParameters {
    /// Reads a transformers config.json (4.x or 5.x spellings; shared/docs/models.md §3.0) through the architecture
    /// its `architectures` / `model_type` names. Errors name `file` and the key.
    public static func fromHFConfig(_ data: Data, file: String) throws -> ModelSpec {
        try inferenceErrors(file: file) {
            let config = try ModelConfig(data: Array(data), path: file)
            let arch = try ArchitectureRegistry.architecture(for: config)
            let spec = try arch.hyperParameters(config: config)
            try spec.validate(file: file, world: .huggingFace)
            return spec
        }
    }

    /// Reads llama.cpp metadata (`general.architecture`; Mixtral is llama with experts) through the key table;
    /// `tensors` give what llama.cpp reads off the file (vocabulary rows, biases, tied output).
    public static func fromGGUF(_ md: Metadata, tensors: [TensorInfo], file: String) throws -> ModelSpec {
        try inferenceErrors(file: file) {
            let arch = try ArchitectureRegistry.architecture(gguf: md, file: file)
            let spec = try arch.hyperParameters(gguf: md, tensors: tensors, file: file)
            try spec.validate(file: file, world: .gguf)
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
        }
    }
}
