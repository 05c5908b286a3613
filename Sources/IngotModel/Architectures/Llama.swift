import Foundation
import IngotCore

extension ArchitectureID {
    public static let llama: ArchitectureID = "llama"
}

/// Llama and Mistral (`LlamaModel` in llama.cpp's `conversion/llama.py`; GGUF architecture `llama`).
///
/// - Q and K projections (weights and biases) are un-permuted (`LlamaModel.permute`) so GGML's normal RoPE applies:
///   a GGUF llama rotates interleaved pairs, the checkpoint halves (`TensorMap.permutesQK`).
/// - Mixtral (its own description, `Mixtral.swift`) shares this tensor map and these recipes: its per-expert
///   `block_sparse_moe.experts.X.{w1,w2,w3}.weight` are stacked over X into `ffn_gate_exps` / `ffn_down_exps` /
///   `ffn_up_exps` once all 3·E of a layer have been seen, at that point in the tensor order (w1, w2, w3), exactly
///   as the converter buffers them.
/// - A llama3 `rope_scaling` yields a generated `rope_freqs.weight` first.
public struct Llama: ArchitectureDescription {
    public init() {}
    public var id: ArchitectureID { .llama }
    public var ggufName: String { "llama" }
    public var hfArchitectures: [String] { ["LlamaForCausalLM", "LLaMAForCausalLM", "MistralForCausalLM"] }
    public var modelTypes: [String] { ["llama", "mistral"] }
    public var keys: KeyTable { Self.keyTable }
    public var tensors: TensorMap { Self.tensorMap }
    /// `LlamaForCausalLM` is dense; a GGUF `llama` with experts is Mixtral.
    public var hasExperts: Bool { false }

    public func recipes(_ config: ModelConfig, sources: [TensorInfo]) throws -> [TensorRecipe] {
        try Self.recipes(config, sources)
    }

    public func matches(gguf keys: KeyReader) throws -> Bool { (try keys.int(.expertCount) ?? 0) == 0 }

    /// `LlamaModel.set_gguf_parameters`: `vocab_size`, then `rope.dimension_count`; transformers' `LlamaConfig`
    /// defaults (rms_norm_eps 1e-6, rope_theta 10000) for what a config.json leaves out.
    static let keyTable = KeyTable(common: CommonKeys.rows, own: [
        CommonKeys.vocabSize(write: .required(missingKey: nil)),
        CommonKeys.ropeDimensionCount(write: .required(missingKey: "hidden_size and num_attention_heads")),
    ] + CommonKeys.inferenceRows + [CommonKeys.yarnTruncate(writeFallback: true)])
        .defaulting(.rmsEpsilon, config: .double(1e-6))

    /// The (layer, role) map both worlds share; Mixtral's experts included (bound only when the config has experts).
    static let tensorMap = TensorMap(CommonTensors.global + [
        TensorEntry(.ropeFrequencies, layer: false, gguf: "rope_freqs.weight", hf: .none),
    ] + CommonTensors.attention + [
        TensorEntry(.ffnNorm, gguf: "ffn_norm.weight", hf: .plain("post_attention_layernorm.weight")),
        TensorEntry(.ffnGate, gguf: "ffn_gate.weight", hf: .plain("mlp.gate_proj.weight")),
        TensorEntry(.ffnGate, .bias, gguf: "ffn_gate.bias", hf: .plain("mlp.gate_proj.bias")),
        TensorEntry(.ffnUp, gguf: "ffn_up.weight", hf: .plain("mlp.up_proj.weight")),
        TensorEntry(.ffnUp, .bias, gguf: "ffn_up.bias", hf: .plain("mlp.up_proj.bias")),
        TensorEntry(.ffnDown, gguf: "ffn_down.weight", hf: .plain("mlp.down_proj.weight")),
        TensorEntry(.ffnDown, .bias, gguf: "ffn_down.bias", hf: .plain("mlp.down_proj.bias")),
        TensorEntry(.router, gguf: "ffn_gate_inp.weight", hf: .plain("block_sparse_moe.gate.weight")),
        // Converter order of the stacked experts: w1, w2, w3.
        TensorEntry(.expertsGate, gguf: "ffn_gate_exps.weight", hf: .perExpert("block_sparse_moe.experts.{e}.w1.weight")),
        TensorEntry(.expertsDown, gguf: "ffn_down_exps.weight", hf: .perExpert("block_sparse_moe.experts.{e}.w2.weight")),
        TensorEntry(.expertsUp, gguf: "ffn_up_exps.weight", hf: .perExpert("block_sparse_moe.experts.{e}.w3.weight")),
    ], permutesQK: true)

    /// Per-layer suffix → GGUF suffix (after `blk.N.`), for everything but experts.
    static let layerMap = tensorMap.plainLayerNames
    /// Top-level names.
    static let globalMap = tensorMap.plainGlobalNames
    /// The stacked expert entries, in the order the converter emits them (w1, w2, w3).
    static let expertEntries: [TensorEntry] = tensorMap.entries.filter {
        if case .perExpert = $0.hf { return true }
        return false
    }

    static func recipes(_ c: ModelConfig, _ sources: [TensorInfo]) throws -> [TensorRecipe] {
        var out = RecipeList()
        if let freqs = try ropeFreqs(c) {
            out.items.append(TensorRecipe(name: tensorMap.ggufName(.ropeFrequencies, layer: nil), shape: [freqs.count], sources: [],
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
            if isExpertTensor(rest) {
                guard nExpert > 0 else { throw ArchitectureError.unmappedTensor(name: t.name, arch: "llama") }
                try HFTensorName.checkFloat(t)
                pending[layer, default: [:]][t.name] = t
                if pending[layer]!.count >= nExpert * expertEntries.count {
                    try stackExperts(layer: layer, nExpert: nExpert, seen: pending[layer]!, into: &out)
                    pending[layer] = nil
                }
                continue
            }
            guard let g = layerMap[rest] else {
                throw ArchitectureError.unmappedTensor(name: t.name, arch: "llama")
            }
            let name = TensorMap.ggufLayerPrefix + "\(layer)." + g
            if g.hasPrefix(TensorRole.attentionQ.rawValue + ".") {
                try out.add(name, from: t, transform: try permutation(t, heads: nHead))
            } else if g.hasPrefix(TensorRole.attentionK.rawValue + ".") {
                // LlamaModel.permute(w, n_head, n_head_kv) uses n_head_kv when they differ.
                try out.add(name, from: t, transform: try permutation(t, heads: nKV))
            } else {
                try out.add(name, from: t)
            }
        }
        if let (layer, seen) = pending.min(by: { $0.key < $1.key }) {
            throw ArchitectureError.incompleteExperts(layer: layer, found: seen.count, expected: nExpert * expertEntries.count)
        }
        return out.items
    }

    /// Whether a layer suffix is one of the per-expert tensors (`block_sparse_moe.experts.…`).
    static func isExpertTensor(_ rest: String) -> Bool {
        expertEntries.contains { e in
            guard case .perExpert(let n) = e.hf, let p = n.components(separatedBy: "{e}").first else { return false }
            return rest.hasPrefix(p)
        }
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
        func hf(_ e: TensorEntry, _ x: Int) -> String { tensorMap.hfName(e.role, e.part, layer: layer, expert: x)! }
        let expected = Set(expertEntries.flatMap { e in (0..<nExpert).map { hf(e, $0) } })
        if let stray = seen.keys.sorted().first(where: { !expected.contains($0) }) {
            throw ArchitectureError.unmappedTensor(name: stray, arch: "llama (Mixtral experts 0..<\(nExpert))")
        }
        for e in expertEntries {
            let srcs = (0..<nExpert).map { seen[hf(e, $0)]! }
            let first = srcs[0]
            guard first.shape.count == 2 else {
                throw ArchitectureError.shapeMismatch(tensor: first.name, expected: "2 dimensions", found: first.shape)
            }
            for s in srcs where s.shape != first.shape || s.type != first.type {
                throw ArchitectureError.shapeMismatch(tensor: s.name, expected: "\(first.shape) \(first.type.displayName) like expert 0",
                                                      found: s.shape)
            }
            let name = tensorMap.ggufName(e.role, e.part, layer: layer)
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
