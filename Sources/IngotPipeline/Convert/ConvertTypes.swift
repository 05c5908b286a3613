import IngotCore
import IngotModel
import IngotQuant

/// The `--type` names `convert` accepts, read from the type tables (`FileType`, `Codecs`, the safetensors
/// layouts) so `--help` and the planner never disagree.
public enum ConvertTypes {
    /// Element types written as one type everywhere llama.cpp would quantize (GGUF output): every ggml type a
    /// codec can encode.
    public static var singleTypes: [String] {
        let ggml = Set(ElementType.ggmlTypes)
        return Codecs.encodable.filter { ggml.contains($0) }.map(\.displayName)
    }

    /// llama-quantize's file types whose rules Ingot applies: the quantized ones whose default type is encodable.
    public static var mixes: [String] {
        let encodable = Set(Codecs.encodable)
        let accepted = Set(QuantTarget.supportedNames)
        return FileType.allCases.filter { $0.isQuantized && encodable.contains($0.defaultType) && accepted.contains($0.name) }
            .map(\.name)
    }

    /// Types safetensors output takes (F32/F16/BF16, bitsandbytes NF4, INT8 per row).
    public static var safetensorsTypes: [String] { ConversionPlanner.safetensorsTypes.map(\.displayName) }

    /// The paragraph `ingot convert --help` prints about types.
    public static var help: String {
        "Types: \(singleTypes.joined(separator: ", ")) (one type everywhere llama.cpp would quantize), and "
            + "llama-quantize's mixes \(mixes.joined(separator: ", ")). Without --type, the checkpoint's own F16/BF16 "
            + "is kept. Safetensors output takes \(safetensorsTypes.joined(separator: ", ")) (NF4: bitsandbytes layout; "
            + "INT8: per-row weight + scale)."
    }
}
