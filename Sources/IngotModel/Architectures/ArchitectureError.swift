import IngotCore

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
    /// A GGUF whose `general.architecture` no description claims.
    case unsupportedGGUF(name: String, path: String)

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
        case .unsupportedGGUF(let name, let path):
            return "\(path): architecture '\(name)' is not supported (supported: "
                + ArchitectureRegistry.ggufNames.joined(separator: ", ") + ")"
        }
    }

    public var hint: String? {
        switch self {
        case .unsupported: return "adding an architecture is one file in IngotModel/Architectures and one line in ArchitectureRegistry.all"
        case .unmappedTensor: return "check that config.json's architectures matches the checkpoint"
        case .incompleteExperts: return "a shard may be missing: compare model.safetensors.index.json with the files"
        default: return nil
        }
    }
}
