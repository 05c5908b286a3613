import IngotCore

/// Why a tensor got its type, for `--dry-run` and the provenance metadata.
public enum PlanReason: Equatable, Sendable, CustomStringConvertible {
    /// Not quantizable (`tensor_allows_quantization` said no, or Ingot's router rule): stored in its source type.
    case kept(String)
    /// `--token-embedding-type` (applied without a fallback check, as llama.cpp does).
    case tokenEmbeddingOption
    /// `--output-tensor-type` (applied without a fallback check).
    case outputTensorOption
    /// The first `--tensor-type` pattern that matched.
    case override(pattern: String)
    /// A mix rule of `llama_tensor_get_type_impl` changed the type; the text says which.
    case mixRule(String)
    /// The file type's default type, no rule applied.
    case fileTypeDefault
    /// `--pure` or a single-type target: the file type's default everywhere.
    case pure

    public var description: String {
        switch self {
        case .kept(let why): return "kept: \(why)"
        case .tokenEmbeddingOption: return "--token-embedding-type"
        case .outputTensorOption: return "--output-tensor-type"
        case .override(let p): return "--tensor-type \(p)"
        case .mixRule(let rule): return rule
        case .fileTypeDefault: return "default"
        case .pure: return "pure"
        }
    }
}

/// The plan for one tensor.
public struct PlannedTensor: Equatable, Sendable {
    /// GGUF tensor name.
    public var name: String
    /// Shape, outermost first (GGUF `ne` reversed).
    public var shape: [Int]
    /// Type the tensor has in the source (after any conversion the caller already decided, e.g. BF16 → F32 routers).
    public var sourceType: ElementType
    /// Type it is written in.
    public var targetType: ElementType
    /// Why.
    public var reason: PlanReason
    /// The type the rules chose before `tensor_type_fallback` replaced it (row length not a multiple of its block), or nil.
    public var fallbackFrom: ElementType?
    /// Whether `tensor_requires_imatrix` holds for it (very low-bit types; Q2_K in a Q2_K_S file).
    public var requiresImatrix: Bool
    /// Whether it goes through llama.cpp's quantization path (quantizable and a type change).
    public var quantizable: Bool
    /// Bytes in the source type.
    public var sourceBytes: Int
    /// Bytes in the target type.
    public var targetBytes: Int

    /// Elements (product of the shape).
    public var elementCount: Int { shape.reduce(1, *) }
    /// True when the data must be converted or quantized (target differs from the source).
    public var changesType: Bool { sourceType != targetType }
}

/// A whole plan: every tensor in llama.cpp's output order (non-block tensors first, then by block number, each group
/// by name), with totals and the warnings llama-quantize prints.
public struct QuantPlan: Equatable, Sendable {
    /// The file type written as `general.file_type`.
    public var fileType: FileType
    /// What was asked for (`--type`).
    public var target: QuantTarget
    /// Tensors in output order.
    public var tensors: [PlannedTensor]
    /// How many tensors `tensor_type_fallback` changed (llama.cpp's `n_fallback`).
    public var fallbackCount: Int
    /// Warnings in the order llama-quantize prints them (fallbacks, overrides, missing imatrix in a dry run).
    public var warnings: [String]
    /// The options it was planned with.
    public var options: QuantOptions

    /// Sum of source bytes.
    public var sourceBytes: Int { tensors.reduce(0) { $0 + $1.sourceBytes } }
    /// Sum of target bytes (tensor data only, without GGUF header or alignment padding).
    public var targetBytes: Int { tensors.reduce(0) { $0 + $1.targetBytes } }
    /// Sum of elements.
    public var elementCount: Int { tensors.reduce(0) { $0 + $1.elementCount } }
    /// Bits per weight of the source, over all tensors (llama-quantize's "model size … BPW").
    public var sourceBitsPerWeight: Double { elementCount == 0 ? 0 : Double(sourceBytes) * 8 / Double(elementCount) }
    /// Bits per weight of the result (llama-quantize's "quant size … BPW").
    public var targetBitsPerWeight: Double { elementCount == 0 ? 0 : Double(targetBytes) * 8 / Double(elementCount) }

    /// The planned tensor named `name`, or nil.
    public func tensor(named name: String) -> PlannedTensor? { tensors.first { $0.name == name } }

    /// Tensors that need an importance matrix (llama.cpp refuses to quantize them without one).
    public var tensorsRequiringImatrix: [PlannedTensor] { tensors.filter { $0.quantizable && $0.requiresImatrix } }

    /// `validateForWriting(hasImatrix:allowRequantize:)` with the planning options' values.
    public func validateForWriting() throws {
        try validateForWriting(hasImatrix: options.hasImatrix, allowRequantize: options.allowRequantize)
    }

    /// The checks llama-quantize makes before writing: a very low-bit type without an imatrix, and a quantized source
    /// without `allowRequantize`. `--dry-run` skips this (and prints `warnings`).
    public func validateForWriting(hasImatrix: Bool, allowRequantize: Bool) throws {
        for t in tensors where t.quantizable {
            if !hasImatrix && t.requiresImatrix {
                throw PlanError.imatrixRequired(tensor: t.name, type: t.targetType, reason: t.reason.description,
                                                fileType: fileType.name)
            }
        }
        for t in tensors where t.changesType && t.sourceType.blockElements > 1 && !allowRequantize {
            throw PlanError.requantizeDisabled(tensor: t.name, from: t.sourceType, to: t.targetType)
        }
    }
}
