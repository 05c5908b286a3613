import IngotCore

/// Why a quantization plan cannot be made or carried out. Messages name the tensor and the option at fault.
public enum PlanError: IngotDiagnostic, Equatable, Sendable {
    /// `--type` value not known.
    case unknownTarget(String, supported: [String])
    /// A `--tensor-type` argument that is not `PATTERN=TYPE`, or whose pattern does not compile.
    case badOverride(String, reason: String)
    /// An element type name (`--output-tensor-type` etc.) that is not a ggml type.
    case unknownElementType(String, option: String)
    /// A single-type target whose type no llama.cpp file type can record.
    case noFileType(ElementType)
    /// llama.cpp's `layer_info` could not parse `blk.N.` from an expert model's tensor name, or N is out of range.
    case badLayer(tensor: String, layer: Int?, layerCount: Int)
    /// `tensor_type_fallback` has no fallback for this type (a block size above 32 not in its table).
    case noFallback(tensor: String, type: ElementType)
    /// The chosen type's block does not divide the row (only possible for types set by an option that skips the fallback).
    case rowNotMultiple(tensor: String, rowLength: Int, type: ElementType, reason: String)
    /// A quantized source tensor would be requantized without `--allow-requantize`.
    case requantizeDisabled(tensor: String, from: ElementType, to: ElementType)
    /// llama-quantize's `tensor_requires_imatrix` holds for a quantizable tensor's final type and no importance
    /// matrix was given: the first such tensor in output order, its type, why it got it and the file type.
    case imatrixRequired(tensor: String, type: ElementType, reason: String, fileType: String)
    /// A tensor shape with a negative dimension or more than 4 dimensions (ggml's limit).
    case badShape(tensor: String, shape: [Int])
    /// Hyperparameters that cannot describe a model (no layers, negative counts).
    case badModel(String)

    public var description: String {
        switch self {
        case .unknownTarget(let t, let supported):
            return "unknown quantization type '\(t)'; supported: \(supported.joined(separator: ", "))"
        case .badOverride(let arg, let reason):
            return "bad --tensor-type '\(arg)': \(reason)"
        case .unknownElementType(let t, let option):
            return "\(option): unknown tensor type '\(t)'"
        case .noFileType(let t):
            return "type \(t.displayName) cannot be used as a file-wide type (no llama.cpp file type records it)"
        case .badLayer(let tensor, let layer, let n):
            if let layer { return "tensor \(tensor): bad layer \(layer), must be in [0, \(n))" }
            return "tensor \(tensor): failed to determine its layer (expected a name starting with blk.N.)"
        case .noFallback(let tensor, let type):
            return "tensor \(tensor): no tensor type fallback is defined for type \(type.displayName)"
        case .rowNotMultiple(let tensor, let row, let type, let reason):
            return "tensor \(tensor): row length \(row) is not a multiple of \(type.displayName)'s block of "
                + "\(type.blockElements) (type set by \(reason), which llama.cpp applies without a fallback)"
        case .requantizeDisabled(let tensor, let from, let to):
            return "tensor \(tensor): requantizing from type \(from.displayName) to \(to.displayName) is disabled"
        case .imatrixRequired(let tensor, let type, let reason, let fileType):
            return "this quantization requires an importance matrix: tensor \(tensor) is planned as \(type.displayName) "
                + "(\(reason), file type \(fileType)), and llama.cpp refuses to quantize \(QuantPlanner.imatrixTypesText) "
                + "without one (the result would be garbage); token_embd and output are exempt"
        case .badShape(let tensor, let shape):
            return "tensor \(tensor): shape \(shape) is not a ggml shape (1 to 4 non-negative dimensions)"
        case .badModel(let what):
            return "model hyperparameters: \(what)"
        }
    }

    /// How to get an importance matrix, for the error and the dry-run warning. `ingot calibrate` is not built yet.
    public static let imatrixAdvice = "make one with llama.cpp's llama-imatrix (llama-imatrix -m MODEL.gguf -f TEXT.txt "
        + "-o MODEL.imatrix.gguf) and pass --imatrix MODEL.imatrix.gguf (`ingot calibrate` is planned, not built yet); "
        + "or choose a type that needs none (IQ3_S, IQ3_M, Q2_K, Q3_K_S and up), or route those tensors to one with --tensor-type"

    public var hint: String? {
        switch self {
        case .requantizeDisabled: return "pass --allow-requantize to quantize an already quantized tensor again"
        case .imatrixRequired: return PlanError.imatrixAdvice
        case .rowNotMultiple: return "choose a type with 32-element blocks (Q8_0, Q5_0, Q4_0) or F16 for this tensor"
        default: return nil
        }
    }
}
