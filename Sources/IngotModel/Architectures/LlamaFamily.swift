import Foundation
import IngotCore

/// Llama, Mistral and Mixtral (`LlamaModel` in llama.cpp's `conversion/llama.py`; GGUF architecture `llama`).
///
/// - Q and K projections (weights and biases) are un-permuted (`LlamaModel.permute`) so GGML's normal RoPE applies.
/// - Mixtral's per-expert `block_sparse_moe.experts.X.{w1,w2,w3}.weight` are stacked over X into
///   `ffn_gate_exps` / `ffn_down_exps` / `ffn_up_exps` once all 3·E of a layer have been seen, at that point in
///   the tensor order (w1, w2, w3), exactly as the converter buffers them.
/// - A llama3 `rope_scaling` yields a generated `rope_freqs.weight` first.
enum LlamaFamily {
    /// `LlamaModel.set_gguf_parameters`: `vocab_size`, then `rope.dimension_count`.
    static func extraParameters(_ c: ModelConfig) throws -> [(String, MetadataValue)] {
        guard let vocab = c.vocabSize else {
            throw ArchitectureError.missingParameter(path: c.path, key: "vocab_size", arch: "llama")
        }
        guard let dim = c.effectiveHeadDim else {
            throw ArchitectureError.missingParameter(path: c.path, key: "hidden_size and num_attention_heads",
                                                     arch: "llama")
        }
        return [("llama.vocab_size", .uint32(UInt32(vocab))), ("llama.rope.dimension_count", .uint32(UInt32(dim)))]
    }

    /// Per-layer suffix → GGUF suffix (after `blk.N.`), for everything but experts.
    static let layerMap: [String: String] = [
        "input_layernorm.weight": "attn_norm.weight",
        "post_attention_layernorm.weight": "ffn_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
        "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
        "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
        "self_attn.o_proj.weight": "attn_output.weight", "self_attn.o_proj.bias": "attn_output.bias",
        "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.gate_proj.bias": "ffn_gate.bias",
        "mlp.up_proj.weight": "ffn_up.weight", "mlp.up_proj.bias": "ffn_up.bias",
        "mlp.down_proj.weight": "ffn_down.weight", "mlp.down_proj.bias": "ffn_down.bias",
        "block_sparse_moe.gate.weight": "ffn_gate_inp.weight",
    ]

    /// Top-level names.
    static let globalMap: [String: String] = [
        "model.embed_tokens.weight": "token_embd.weight",
        "model.norm.weight": "output_norm.weight",
        "lm_head.weight": "output.weight",
    ]

    /// Mixtral expert weight → GGUF stacked name, in the order the converter emits them.
    static let expertWeights: [(hf: String, gguf: String)] = [("w1", "ffn_gate_exps"), ("w2", "ffn_down_exps"),
                                                              ("w3", "ffn_up_exps")]

    static func recipes(_ c: ModelConfig, _ sources: [TensorInfo]) throws -> [TensorRecipe] {
        var out = RecipeList()
        if let freqs = try ropeFreqs(c) {
            out.items.append(TensorRecipe(name: "rope_freqs.weight", shape: [freqs.count], sources: [],
                                          transform: .generated(freqs), forceF32: true, sourceType: .f32))
        }
        let nHead = c.headCount ?? 0
        let nKV = c.headCountKV ?? nHead
        // Experts seen per layer, keyed by HF name, until 3·E have arrived.
        var pending: [Int: [String: TensorInfo]] = [:]
        let nExpert = c.expertCount ?? 0

        for t in sources {
            if HFTensorName.isIgnored(t.name) { continue }
            if let g = globalMap[t.name] {
                try out.add(g, from: t)
                continue
            }
            guard let (layer, rest) = HFTensorName.layer(t.name) else {
                throw ArchitectureError.unmappedTensor(name: t.name, arch: "llama")
            }
            guard layer < c.blockCount else {
                throw ArchitectureError.layerOutOfRange(tensor: t.name, layer: layer, blockCount: c.blockCount)
            }
            if rest.hasPrefix("block_sparse_moe.experts.") {
                guard nExpert > 0 else { throw ArchitectureError.unmappedTensor(name: t.name, arch: "llama") }
                try HFTensorName.checkFloat(t)
                pending[layer, default: [:]][t.name] = t
                if pending[layer]!.count >= nExpert * 3 {
                    try stackExperts(layer: layer, nExpert: nExpert, seen: pending[layer]!, into: &out)
                    pending[layer] = nil
                }
                continue
            }
            guard let g = layerMap[rest] else {
                throw ArchitectureError.unmappedTensor(name: t.name, arch: "llama")
            }
            let name = "blk.\(layer).\(g)"
            if rest.hasPrefix("self_attn.q_proj.") {
                try out.add(name, from: t, transform: try permutation(t, heads: nHead))
            } else if rest.hasPrefix("self_attn.k_proj.") {
                // LlamaModel.permute(w, n_head, n_head_kv) uses n_head_kv when they differ.
                try out.add(name, from: t, transform: try permutation(t, heads: nKV))
            } else {
                try out.add(name, from: t)
            }
        }
        if let (layer, seen) = pending.min(by: { $0.key < $1.key }) {
            throw ArchitectureError.incompleteExperts(layer: layer, found: seen.count, expected: nExpert * 3)
        }
        return out.items
    }

    /// Validates that `t`'s rows split into `heads` × 2 halves.
    static func permutation(_ t: TensorInfo, heads: Int) throws -> TensorTransform {
        let rows = t.shape.first ?? 0
        guard heads > 0, rows % (heads * 2) == 0 else {
            throw ArchitectureError.shapeMismatch(tensor: t.name, expected: "rows divisible by 2 × \(heads) heads",
                                                  found: t.shape)
        }
        return .permuteHeads(heads: heads)
    }

    private static func stackExperts(layer: Int, nExpert: Int, seen: [String: TensorInfo],
                                     into out: inout RecipeList) throws {
        let expected = Set(expertWeights.flatMap { w in
            (0..<nExpert).map { "model.layers.\(layer).block_sparse_moe.experts.\($0).\(w.hf).weight" }
        })
        if let stray = seen.keys.sorted().first(where: { !expected.contains($0) }) {
            throw ArchitectureError.unmappedTensor(name: stray, arch: "llama (Mixtral experts 0..<\(nExpert))")
        }
        for (w, gguf) in expertWeights {
            let srcs = (0..<nExpert).map { seen["model.layers.\(layer).block_sparse_moe.experts.\($0).\(w).weight"]! }
            let first = srcs[0]
            guard first.shape.count == 2 else {
                throw ArchitectureError.shapeMismatch(tensor: first.name, expected: "2 dimensions", found: first.shape)
            }
            for s in srcs where s.shape != first.shape || s.type != first.type {
                throw ArchitectureError.shapeMismatch(tensor: s.name, expected: "\(first.shape) \(first.type.displayName) like expert 0",
                                                      found: s.shape)
            }
            let name = "blk.\(layer).\(gguf).weight"
            out.items.append(TensorRecipe(name: name, shape: [nExpert] + first.shape, sources: srcs.map(\.name),
                                          transform: .stack, forceF32: false, sourceType: first.type))
        }
    }

    /// llama3 RoPE factors (`LlamaModel.generate_extra_tensors`), in float32 as torch computes them.
    static func ropeFreqs(_ c: ModelConfig) throws -> [Float]? {
        guard c.rope.type?.lowercased() == "llama3" else { return nil }
        let base = Float(c.rope.theta ?? 10000)
        guard let dim = c.effectiveHeadDim, dim >= 2 else {
            throw ArchitectureError.missingParameter(path: c.path, key: "head_dim", arch: "llama (llama3 RoPE)")
        }
        let factor = Float(c.rope.factor ?? 8)
        let low = Float(c.rope.lowFrequencyFactor ?? 1)
        let high = Float(c.rope.highFrequencyFactor ?? 4)
        let old = Float(c.rope.originalContextLength ?? 8192)
        let lowWavelen = old / low, highWavelen = old / high
        var out: [Float] = []
        for i in stride(from: 0, to: dim, by: 2) {
            let freq = 1 / powf(base, Float(i) / Float(dim))
            let wavelen = Float(2 * Double.pi) / freq
            if wavelen < highWavelen {
                out.append(1)
            } else if wavelen > lowWavelen {
                out.append(factor)
            } else {
                let smooth = (old / wavelen - low) / (high - low)
                out.append(1 / ((1 - smooth) / factor + smooth))
            }
        }
        return out
    }
}
