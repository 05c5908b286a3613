import IngotCore

/// Helpers for Hugging Face tensor names (`model.layers.3.self_attn.q_proj.weight`).
enum HFTensorName {
    /// Splits `model.layers.N.rest` into (N, rest); nil for names outside the layer stack.
    static func layer(_ name: String) -> (Int, String)? {
        let prefix = "model.layers."
        guard name.hasPrefix(prefix) else { return nil }
        let tail = name.dropFirst(prefix.count)
        guard let dot = tail.firstIndex(of: "."), dot > tail.startIndex,
              let n = Int(tail[tail.startIndex..<dot]), n >= 0 else { return nil }
        return (n, String(tail[tail.index(after: dot)...]))
    }

    /// Tensors llama.cpp's converter drops without a word (`prepare_tensors`).
    static func isIgnored(_ name: String) -> Bool {
        name.hasSuffix(".attention.masked_bias") || name.hasSuffix(".attention.bias")
            || name.hasSuffix(".rotary_emb.inv_freq")
    }

    /// Source element types the converter widens to F32 before rearranging.
    static func checkFloat(_ t: TensorInfo) throws {
        switch t.type {
        case .f32, .f16, .bf16, .f64, .f8E4M3, .f8E5M2: return
        default: throw ArchitectureError.unsupportedDType(tensor: t.name, type: t.type.displayName)
        }
    }
}

/// A tiny builder that keeps the recipe code declarative.
struct RecipeList {
    var items: [TensorRecipe] = []

    /// A plain copy (or permutation) of one float source.
    mutating func add(_ gguf: String, from src: TensorInfo, shape: [Int]? = nil,
                      transform: TensorTransform = .copy) throws {
        try HFTensorName.checkFloat(src)
        let s = shape ?? src.shape
        items.append(TensorRecipe(name: gguf, shape: s, sources: [src.name], transform: transform,
                                  forceF32: TensorRecipe.converterForcesF32(name: gguf, dimensions: s.count),
                                  sourceType: src.type))
    }
}
