import IngotCore

/// Why an NF4/FP4 or INT8 weight layout (a set of companion tensors and their metadata) cannot be built or read.
///
/// These layouts arrive from files, so every count, dtype and key is checked before use; each case names the tensor
/// (or quant-state key) and what was expected.
public enum WeightLayoutError: IngotDiagnostic, Equatable {
    /// A block or group size outside the supported set.
    case unsupportedBlockSize(what: String, found: Int, supported: [Int])
    /// A companion tensor is missing.
    case missingTensor(String)
    /// A companion tensor has the wrong element type.
    case wrongDType(tensor: String, expected: String, found: String)
    /// A companion tensor has the wrong shape or element count.
    case wrongShape(tensor: String, expected: String, found: [Int])
    /// A quant-state entry is missing, of the wrong kind, or out of range.
    case badQuantState(key: String, problem: String)
    /// A shape that is not valid for this layout (negative, empty, overflowing, or not 2-D where 2-D is required).
    case badShape(String)
    /// A scale that cannot be stored in the requested scale type (an F16 scale above 65504).
    case scaleOverflow(row: Int, group: Int, scale: Float, scaleType: String)

    public var description: String {
        switch self {
        case let .unsupportedBlockSize(what, n, s):
            return "\(what) \(n) is not supported; use one of \(s.map(String.init).joined(separator: ", "))"
        case let .missingTensor(n):
            return "tensor '\(n)' is missing"
        case let .wrongDType(t, e, f):
            return "tensor '\(t)' has dtype \(f), expected \(e)"
        case let .wrongShape(t, e, f):
            return "tensor '\(t)' has shape \(f), expected \(e)"
        case let .badQuantState(k, p):
            return "quant state '\(k)': \(p)"
        case let .badShape(s):
            return s
        case let .scaleOverflow(r, g, s, t):
            return "row \(r), group \(g): scale \(s) does not fit in \(t)"
        }
    }

    public var hint: String? {
        switch self {
        case .scaleOverflow: return "store the scales as F32"
        case .missingTensor, .wrongDType, .wrongShape, .badQuantState:
            return "the checkpoint's quantized layout is damaged or from an unsupported writer"
        default: return nil
        }
    }
}
