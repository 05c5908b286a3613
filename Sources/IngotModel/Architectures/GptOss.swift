import IngotCore

extension ArchitectureID {
    public static let gptOss: ArchitectureID = "gpt-oss"
}

/// gpt-oss (`GptOssModel` in llama.cpp's `conversion/gpt_oss.py`; GGUF architecture `gpt-oss`).
///
/// - Attention has biases and per-head sinks (`self_attn.sinks` → `attn_sinks.weight`, F32).
/// - `post_attention_layernorm` → `post_attention_norm` (the arch has no `ffn_norm`).
/// - Router `mlp.router.{weight,bias}` → `ffn_gate_inp`.
/// - Dense experts are stored `[E, in, out]`: `down_proj [E, I, H]` is transposed to `ffn_down_exps [E, H, I]`;
///   `gate_up_proj [E, H, 2I]` is transposed and split *interleaved* (gate = even rows, up = odd rows) into
///   `ffn_gate_exps` / `ffn_up_exps [E, I, H]`; the bias `[E, 2I]` is split the same way.
/// - MXFP4 experts (`TensorMap.mxfp4Pair`: blocks `[E, R, G, 16]`, scales `[E, R, G]`) are repacked losslessly to ggml MXFP4 and
///   written first (the converter's `generate_extra_tensors`), down then gate then up per layer.
public struct GptOss: ArchitectureDescription {
    public init() {}
    public var id: ArchitectureID { .gptOss }
    public var ggufName: String { "gpt-oss" }
    public var hfArchitectures: [String] { ["GptOssForCausalLM"] }
    public var modelTypes: [String] { ["gpt_oss"] }
    public var keys: KeyTable { Self.keyTable }
    public var tensors: TensorMap { Self.tensorMap }
    public var router: RouterKind { .topKThenSoftmax }
    public var gate: GateKind { .clampedSwiglu }
    public var hasExperts: Bool { true }

    public func recipes(_ config: ModelConfig, sources: [TensorInfo]) throws -> [TensorRecipe] {
        try Self.recipes(config, sources)
    }

    /// transformers' `GptOssConfig` default: YaRN ×32 over 4096 positions, not truncated.
    public var ropeWhenUnspecified: RopeScaling {
        .yarn(factor: 32, originalContext: 4096, betaFast: 32, betaSlow: 1, truncate: false,
              attentionFactor: nil, mscale: nil, mscaleAllDim: nil)
    }

    /// config.json: `layer_types` (else every even layer slides), window 128 when unset; GGUF: llama.cpp's
    /// gpt-oss slides every even layer (swa pattern 2) with `attention.sliding_window`.
    public func slidingWindow(_ keys: KeyReader, layers: Int) throws -> (window: Int?, layers: [Bool]) {
        var window = try keys.int(.slidingWindow)
        if keys.world == .gguf { return (window, (0..<layers).map { $0 % 2 == 0 }) }
        var sliding = (0..<layers).map { $0 % 2 == 0 }
        if let types = keys.config?.layerTypes {
            sliding = try types.enumerated().map { i, v in
                switch v {
                case "sliding_attention": return true
                case "full_attention": return false
                default: throw ConfigError(path: keys.file, key: "layer_types[\(i)]",
                                           message: "'\(v)' is neither sliding_attention nor full_attention")
                }
            }
        }
        if window == nil && sliding.contains(true) { window = 128 }
        return (window, sliding)
    }

    /// `GptOssModel.set_gguf_parameters`: `attention.sliding_window`, `expert_feed_forward_length`; transformers'
    /// defaults (rope_theta 150000, 128 experts, 4 per token, 131072 positions, attention biases).
    static let keyTable = KeyTable(common: CommonKeys.rows, own: [
        CommonKeys.slidingWindow(gguf: .arch("attention.sliding_window"), write: .required(missingKey: nil)),
        KeyRow(.expertFeedForwardLength, config: .keys(["intermediate_size"]), gguf: .arch("expert_feed_forward_length"),
               .uint32, write: .required(missingKey: nil), range: 0...Double(1 << 26)),
        CommonKeys.vocabSize(write: .never),
        CommonKeys.ropeDimensionCount(write: .never),
    ] + CommonKeys.inferenceRows + [CommonKeys.yarnTruncate(writeFallback: false)])
        .defaulting(.ropeFreqBase, config: .double(150000), gguf: .double(150000))
        .defaulting(.expertCount, config: .int(128))
        .defaulting(.expertUsedCount, config: .int(4))
        .defaulting(.contextLength, config: .int(131072))
        .defaulting(.attentionBias, config: .bool(true))

    static let tensorMap = TensorMap(CommonTensors.global + CommonTensors.attention + [
        TensorEntry(.ffnNorm, gguf: "post_attention_norm.weight", hf: .plain("post_attention_layernorm.weight")),
        TensorEntry(.attentionSinks, gguf: "attn_sinks.weight", hf: .plain("self_attn.sinks")),
        TensorEntry(.router, gguf: "ffn_gate_inp.weight", hf: .plain("mlp.router.weight")),
        TensorEntry(.router, .bias, gguf: "ffn_gate_inp.bias", hf: .plain("mlp.router.bias")),
        TensorEntry(.expertsDown, gguf: "ffn_down_exps.weight", hf: .fusedExperts("mlp.experts.down_proj", interleaved: nil)),
        TensorEntry(.expertsDown, .bias, gguf: "ffn_down_exps.bias", hf: .plain("mlp.experts.down_proj_bias")),
        TensorEntry(.expertsGate, gguf: "ffn_gate_exps.weight", hf: .fusedExperts("mlp.experts.gate_up_proj", interleaved: 0)),
        TensorEntry(.expertsUp, gguf: "ffn_up_exps.weight", hf: .fusedExperts("mlp.experts.gate_up_proj", interleaved: 1)),
        TensorEntry(.expertsGate, .bias, gguf: "ffn_gate_exps.bias", hf: .fusedExpertBias("mlp.experts.gate_up_proj_bias", interleaved: 0)),
        TensorEntry(.expertsUp, .bias, gguf: "ffn_up_exps.bias", hf: .fusedExpertBias("mlp.experts.gate_up_proj_bias", interleaved: 1)),
    ], permutesQK: false)

    static let layerMap = tensorMap.plainLayerNames
    /// The checkpoint's fused expert tensors (names from the map).
    static let down = fusedName(.expertsDown), gateUp = fusedName(.expertsGate)
    /// Their MXFP4 form in transformers' checkpoints (`TensorMap.mxfp4Pair`).
    static let downPair = TensorMap.mxfp4Pair(down), gateUpPair = TensorMap.mxfp4Pair(gateUp)
    static let gateUpBias: String = {
        if case .fusedExpertBias(let n, _)? = tensorMap.entry(.expertsGate, .bias)?.hf { return n }
        return ""
    }()

    static func fusedName(_ role: TensorRole) -> String {
        if case .fusedExperts(let n, _)? = tensorMap.entry(role)?.hf { return n }
        return ""
    }

    static func recipes(_ c: ModelConfig, _ sources: [TensorInfo]) throws -> [TensorRecipe] {
        let byName = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var extra = RecipeList()   // MXFP4 experts, written first
        var out = RecipeList()
        for t in sources {
            if HFTensorName.isIgnored(t.name) { continue }
            if let g = tensorMap.plainGlobalNames[t.name] {
                try out.add(g, from: t)
                continue
            }
            guard let (layer, rest) = HFTensorName.layer(t.name) else {
                throw ArchitectureError.unmappedTensor(name: t.name, arch: "gpt-oss")
            }
            guard layer < c.blockCount else {
                throw ArchitectureError.layerOutOfRange(tensor: t.name, layer: layer, blockCount: c.blockCount)
            }
            func gguf(_ role: TensorRole, _ part: TensorPart = .weight) -> String {
                tensorMap.ggufName(role, part, layer: layer)
            }
            switch rest {
            case downPair.blocks, gateUpPair.blocks:
                continue   // consumed with their scales
            case downPair.scales:
                let blocks = try pairedBlocks(t, rest: rest, blocks: downPair.blocks, byName)
                try extra.items.append(mxfp4(gguf(.expertsDown), blocks: blocks, scales: t, stride: 1, offset: 0))
            case gateUpPair.scales:
                let blocks = try pairedBlocks(t, rest: rest, blocks: gateUpPair.blocks, byName)
                try extra.items.append(mxfp4(gguf(.expertsGate), blocks: blocks, scales: t, stride: 2, offset: 0))
                try extra.items.append(mxfp4(gguf(.expertsUp), blocks: blocks, scales: t, stride: 2, offset: 1))
            case Self.down:
                guard t.shape.count == 3 else {
                    throw ArchitectureError.shapeMismatch(tensor: t.name, expected: "[E, I, H]", found: t.shape)
                }
                try out.add(gguf(.expertsDown), from: t, shape: [t.shape[0], t.shape[2], t.shape[1]],
                            transform: .transposeLastTwo)
            case Self.gateUp:
                guard t.shape.count == 3, t.shape[2] % 2 == 0 else {
                    throw ArchitectureError.shapeMismatch(tensor: t.name, expected: "[E, H, 2·I]", found: t.shape)
                }
                let shape = [t.shape[0], t.shape[2] / 2, t.shape[1]]
                try out.add(gguf(.expertsGate), from: t, shape: shape,
                            transform: .transposeThenInterleavedRows(offset: 0))
                try out.add(gguf(.expertsUp), from: t, shape: shape,
                            transform: .transposeThenInterleavedRows(offset: 1))
            case Self.gateUpBias:
                guard t.shape.count >= 1, t.shape.last! % 2 == 0 else {
                    throw ArchitectureError.shapeMismatch(tensor: t.name, expected: "[E, 2·I]", found: t.shape)
                }
                let shape = Array(t.shape.dropLast()) + [t.shape.last! / 2]
                try out.add(gguf(.expertsGate, .bias), from: t, shape: shape, transform: .interleavedColumns(offset: 0))
                try out.add(gguf(.expertsUp, .bias), from: t, shape: shape, transform: .interleavedColumns(offset: 1))
            default:
                guard let g = layerMap[rest] else {
                    throw ArchitectureError.unmappedTensor(name: t.name, arch: "gpt-oss")
                }
                try out.add(TensorMap.ggufLayerPrefix + "\(layer)." + g, from: t)
            }
        }
        return extra.items + out.items
    }

    /// The blocks tensor that goes with a scales one (`rest` is the scales' name after the layer prefix).
    private static func pairedBlocks(_ scales: TensorInfo, rest: String, blocks: String,
                                     _ byName: [String: TensorInfo]) throws -> TensorInfo {
        let name = String(scales.name.dropLast(rest.count)) + blocks
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
