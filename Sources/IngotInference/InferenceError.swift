import IngotCore

/// What can go wrong loading or running a model. Every case names the file and the tensor or key involved.
public enum InferenceError: IngotDiagnostic, Equatable {
    /// A tensor the architecture needs is absent.
    case missingTensor(name: String, file: String)
    /// A tensor is present with the wrong shape (shapes outermost first).
    case shapeMismatch(name: String, file: String, expected: [Int], found: [Int])
    /// A tensor's element type cannot be decoded by Ingot (or is not valid for that tensor).
    case unsupportedType(name: String, file: String, type: String, supported: [String])
    /// The model's architecture is not one Ingot can run.
    case unsupportedArchitecture(String, file: String, supported: [String])
    /// A config or metadata key is missing or holds an impossible value.
    case badConfig(key: String, file: String, message: String)
    /// The input (tokens, text, cache file) cannot be used.
    case badInput(String)

    public var description: String {
        switch self {
        case let .missingTensor(name, file):
            return "\(file): tensor '\(name)' is missing"
        case let .shapeMismatch(name, file, expected, found):
            return "\(file): tensor '\(name)' has shape \(found), expected \(expected)"
        case let .unsupportedType(name, file, type, supported):
            return "\(file): tensor '\(name)' has type \(type), which inference cannot use (supported: \(supported.joined(separator: ", ")))"
        case let .unsupportedArchitecture(arch, file, supported):
            return "\(file): architecture '\(arch)' is not supported (supported: \(supported.joined(separator: ", ")))"
        case let .badConfig(key, file, message):
            return "\(file): \(key): \(message)"
        case let .badInput(message):
            return message
        }
    }

    public var hint: String? {
        switch self {
        case .missingTensor, .shapeMismatch:
            return "check that the file is a complete checkpoint of the architecture its config names"
        case .unsupportedType:
            return "convert the tensor to a supported type with `ingot convert`"
        default:
            return nil
        }
    }
}
