import IngotCore

/// gpt-oss (`GptOssModel` in llama.cpp's `conversion/gpt_oss.py`; GGUF architecture `gpt-oss`).
///
/// - Attention has biases and per-head sinks (`self_attn.sinks` → `attn_sinks.weight`, F32).
/// - `post_attention_layernorm` → `post_attention_norm` (the arch has no `ffn_norm`).
/// - Router `mlp.router.{weight,bias}` → `ffn_gate_inp`.
/// - Dense experts are stored `[E, in, out]`: `down_proj [E, I, H]` is transposed to `ffn_down_exps [E, H, I]`;
///   `gate_up_proj [E, H, 2I]` is transposed and split *interleaved* (gate = even rows, up = odd rows) into
///   `ffn_gate_exps` / `ffn_up_exps [E, I, H]`; the bias `[E, 2I]` is split the same way.
/// - MXFP4 experts (`*_blocks [E, R, G, 16]`, `*_scales [E, R, G]`) are repacked losslessly to ggml MXFP4 and
///   written first (the converter's `generate_extra_tensors`), down then gate then up per layer.
enum GptOss {
    /// `GptOssModel.set_gguf_parameters`: `attention.sliding_window`, `expert_feed_forward_length`.
    static func extraParameters(_ c: ModelConfig) throws -> [(String, MetadataValue)] {
        guard let window = c.slidingWindow else {
            throw ArchitectureError.missingParameter(path: c.path, key: "sliding_window", arch: "gpt-oss")
        }
        guard let ff = c.root["intermediate_size"]?.int else {
            throw ArchitectureError.missingParameter(path: c.path, key: "intermediate_size", arch: "gpt-oss")
        }
        return [("gpt-oss.attention.sliding_window", .uint32(UInt32(window))),
                ("gpt-oss.expert_feed_forward_length", .uint32(UInt32(ff)))]
    }

    static let layerMap: [String: String] = [
        "input_layernorm.weight": "attn_norm.weight",
        "post_attention_layernorm.weight": "post_attention_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
        "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
        "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
        "self_attn.o_proj.weight": "attn_output.weight", "self_attn.o_proj.bias": "attn_output.bias",
        "self_attn.sinks": "attn_sinks.weight",
        "mlp.router.weight": "ffn_gate_inp.weight", "mlp.router.bias": "ffn_gate_inp.bias",
        "mlp.experts.down_proj_bias": "ffn_down_exps.bias",
    ]

    static func recipes(_ c: ModelConfig, _ sources: [TensorInfo]) throws -> [TensorRecipe] {
        let byName = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var extra = RecipeList()   // MXFP4 experts, written first
        var out = RecipeList()
        for t in sources {
            if HFTensorName.isIgnored(t.name) { continue }
            if let g = LlamaFamily.globalMap[t.name] {
                try out.add(g, from: t)
                continue
            }
            guard let (layer, rest) = HFTensorName.layer(t.name) else {
                throw ArchitectureError.unmappedTensor(name: t.name, arch: "gpt-oss")
            }
            guard layer < c.blockCount else {
                throw ArchitectureError.layerOutOfRange(tensor: t.name, layer: layer, blockCount: c.blockCount)
            }
            let blk = "blk.\(layer)."
            switch rest {
            case "mlp.experts.down_proj_blocks", "mlp.experts.gate_up_proj_blocks":
                continue   // consumed with their scales
            case "mlp.experts.down_proj_scales":
                let blocks = try pairedBlocks(t, byName)
                try extra.items.append(mxfp4(blk + "ffn_down_exps.weight", blocks: blocks, scales: t, stride: 1, offset: 0))
            case "mlp.experts.gate_up_proj_scales":
                let blocks = try pairedBlocks(t, byName)
                try extra.items.append(mxfp4(blk + "ffn_gate_exps.weight", blocks: blocks, scales: t, stride: 2, offset: 0))
                try extra.items.append(mxfp4(blk + "ffn_up_exps.weight", blocks: blocks, scales: t, stride: 2, offset: 1))
            case "mlp.experts.down_proj":
                guard t.shape.count == 3 else {
                    throw ArchitectureError.shapeMismatch(tensor: t.name, expected: "[E, I, H]", found: t.shape)
                }
                try out.add(blk + "ffn_down_exps.weight", from: t, shape: [t.shape[0], t.shape[2], t.shape[1]],
                            transform: .transposeLastTwo)
            case "mlp.experts.gate_up_proj":
                guard t.shape.count == 3, t.shape[2] % 2 == 0 else {
                    throw ArchitectureError.shapeMismatch(tensor: t.name, expected: "[E, H, 2·I]", found: t.shape)
                }
                let shape = [t.shape[0], t.shape[2] / 2, t.shape[1]]
                try out.add(blk + "ffn_gate_exps.weight", from: t, shape: shape,
                            transform: .transposeThenInterleavedRows(offset: 0))
                try out.add(blk + "ffn_up_exps.weight", from: t, shape: shape,
                            transform: .transposeThenInterleavedRows(offset: 1))
            case "mlp.experts.gate_up_proj_bias":
                guard t.shape.count >= 1, t.shape.last! % 2 == 0 else {
                    throw ArchitectureError.shapeMismatch(tensor: t.name, expected: "[E, 2·I]", found: t.shape)
                }
                let shape = Array(t.shape.dropLast()) + [t.shape.last! / 2]
                try out.add(blk + "ffn_gate_exps.bias", from: t, shape: shape, transform: .interleavedColumns(offset: 0))
                try out.add(blk + "ffn_up_exps.bias", from: t, shape: shape, transform: .interleavedColumns(offset: 1))
            default:
                guard let g = layerMap[rest] else {
                    throw ArchitectureError.unmappedTensor(name: t.name, arch: "gpt-oss")
                }
                try out.add(blk + g, from: t)
            }
        }
        return extra.items + out.items
    }

    /// The `_blocks` tensor that goes with a `_scales` one.
    private static func pairedBlocks(_ scales: TensorInfo, _ byName: [String: TensorInfo]) throws -> TensorInfo {
        let name = String(scales.name.dropLast("_scales".count)) + "_blocks"
        guard let b = byName[name] else { throw ArchitectureError.missingTensor(name: name, neededFor: scales.name) }
        return b
    }

    /// The recipe for one MXFP4 expert tensor, with the checks the repack relies on.
    static func mxfp4(_ name: String, blocks: TensorInfo, scales: TensorInfo, stride: Int, offset: Int) throws -> TensorRecipe {
        guard blocks.type == .u8, blocks.shape.count == 4, blocks.shape[3] == 16 else {
            throw ArchitectureError.shapeMismatch(tensor: blocks.name, expected: "U8 [E, rows, groups, 16]",
                                                  found: blocks.shape)
        }
        guard scales.type == .u8, scales.shape == Array(blocks.shape.prefix(3)) else {
            throw ArchitectureError.shapeMismatch(tensor: scales.name, expected: "U8 \(Array(blocks.shape.prefix(3)))",
                                                  found: scales.shape)
        }
        let (e, r, g) = (blocks.shape[0], blocks.shape[1], blocks.shape[2])
        guard r % stride == 0 else {
            throw ArchitectureError.shapeMismatch(tensor: blocks.name, expected: "an even number of gate/up rows",
                                                  found: blocks.shape)
        }
        return TensorRecipe(name: name, shape: [e, r / stride, g * 32], sources: [blocks.name, scales.name],
                            transform: .mxfp4Repack(rowStride: stride, rowOffset: offset), producedType: .mxfp4,
                            forceF32: false, sourceType: .mxfp4)
    }
}
