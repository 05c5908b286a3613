import IngotCore
import IngotModel

/// Where an output tensor's data comes from.
public enum TensorOrigin: Equatable, Sendable {
    /// Rearranged from Hugging Face tensors (`TensorRecipe`).
    case recipe(TensorRecipe)
    /// One source tensor as stored (GGUF input, plain tensor file).
    case tensor(TensorInfo)
    /// Part `index` of `count` of a multi-tensor layout (bitsandbytes NF4, INT8 weight + scale) made from `source`.
    case component(source: TensorInfo, layout: WeightLayout, index: Int, count: Int)

    /// Source tensor names read.
    public var sourceNames: [String] {
        switch self {
        case .recipe(let r): return r.sources
        case .tensor(let t): return [t.name]
        case .component(let t, _, _, _): return [t.name]
        }
    }
}

/// Multi-tensor weight layouts for safetensors output.
public enum WeightLayout: Equatable, Sendable {
    /// bitsandbytes 4-bit NF4 as transformers saves it (packed codes, absmax, quant_map, quant_state), block 64.
    case nf4
    /// LLM.int8-style per-row INT8: `name` (I8) and `name_scale` (F32), as compressed-tensors names them.
    case int8
}

/// One tensor of the output, with its decided type.
public struct PlannedOutput: Equatable, Sendable {
    /// Name written (GGUF name for GGUF output; source name for tensor files and safetensors output).
    public var name: String
    /// Shape, outermost first.
    public var shape: [Int]
    /// Stored type.
    public var type: ElementType
    /// Type the data has before this step (the converter's intermediate type, or the GGUF/tensor-file type).
    public var sourceType: ElementType
    public var origin: TensorOrigin
    /// Why this type (`default`, `kept: norm`, a mix rule, `--tensor-type …`).
    public var reason: String
    /// Bytes written.
    public var byteCount: Int
    /// Bytes of the source data.
    public var sourceByteCount: Int

    public var elementCount: Int { shape.reduce(1, *) }
}

/// Everything decided before any byte is written: tensors in output order with types, and the output metadata.
public struct ConversionPlan: Sendable {
    /// Human name of the input kind: `llama (Hugging Face)`, `GGUF`, `tensor file`.
    public var inputDescription: String
    public var outputPath: String
    public var outputFormat: OutputFormat
    /// `general.file_type` written (GGUF output), nil for tensor files without one.
    public var fileTypeName: String
    public var tensors: [PlannedOutput]
    /// GGUF metadata, in order (provenance keys last).
    public var metadata: Metadata
    /// Messages for the user (fallbacks, kept tensors, requantization).
    public var notes: [String]
    /// Tensor count and types per name pattern (`blk.*.ffn_down.weight: q6_K×2, q4_K×2`), for the summary.
    public var typesByPattern: [String]
    /// Tensors planned in a type Ingot has no encoder for (`EncoderCheck`), in plan order. Only a dry run returns
    /// a plan with any: it prints the plan, then ``productionError``.
    public var unproducible: [PlannedOutput] = []

    /// Why this plan cannot be written (some tensor's type has no encoder), or nil.
    public var productionError: ConvertError? { EncoderCheck.error(unproducible) }

    public var outputBytes: Int { tensors.reduce(0) { $0 + $1.byteCount } }
    public var sourceBytes: Int { tensors.reduce(0) { $0 + $1.sourceByteCount } }
    public var elementCount: Int { tensors.reduce(0) { $0 + $1.elementCount } }
    /// Bits per weight of the output, over all tensors.
    public var bitsPerWeight: Double { elementCount == 0 ? 0 : Double(outputBytes) * 8 / Double(elementCount) }
    /// The largest tensor's output bytes (memory use is a small multiple of this).
    public var largestTensorBytes: Int { tensors.map(\.byteCount).max() ?? 0 }
}

extension ConversionPlan {
    /// Groups tensor names by pattern (`blk.N.` → `blk.*.`) and counts the types in each, in first-seen order.
    static func patternSummary(_ tensors: [PlannedOutput]) -> [String] {
        var order: [String] = []
        var counts: [String: [(ElementType, Int)]] = [:]
        for t in tensors {
            let p = pattern(t.name)
            if counts[p] == nil { order.append(p); counts[p] = [] }
            if let i = counts[p]!.firstIndex(where: { $0.0 == t.type }) { counts[p]![i].1 += 1 } else { counts[p]!.append((t.type, 1)) }
        }
        return order.map { p in
            p + "=" + counts[p]!.map { "\($0.0.displayName)×\($0.1)" }.joined(separator: ",")
        }
    }

    /// `blk.12.attn_q.weight` → `blk.*.attn_q.weight`; `model.layers.3.x` → `model.layers.*.x`.
    static func pattern(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false)
            .map { $0.allSatisfy(\.isNumber) && !$0.isEmpty ? "*" : String($0) }
            .joined(separator: ".")
    }
}
