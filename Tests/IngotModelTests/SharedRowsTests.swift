import Testing
import IngotCore
@testable import IngotModel

/// The rows and names several architectures share live once (CommonKeys, CommonTensors, TensorMap), and the
/// readers that used to spell them by hand read them there.
@Suite struct SharedRowsTests {
    /// A llama GGUF without `head_count_kv` plans like one whose KV heads equal its heads (llama.cpp's loader copies
    /// `n_head_arr` into `n_head_kv_arr` before the optional read), so llama.cpp's 70B rule stays off.
    @Test func missingKVHeadsDefaultToHeads() throws {
        var m = Metadata()
        m.set("general.architecture", .string("llama"))
        m.set("llama.block_count", .uint32(80))
        m.set("llama.attention.head_count", .uint32(64))
        let without = try PlanModel(metadata: m)
        m.set("llama.attention.head_count_kv", .uint32(64))
        let equal = try PlanModel(metadata: m)
        #expect(without == equal && without.headCountKV == 64 && !without.is70B)
        m.set("llama.attention.head_count_kv", .array(.uint32, [.uint32(8), .uint32(8)]))
        #expect(try PlanModel(metadata: m).is70B)
    }

    /// An architecture Ingot does not describe is read through the common rows (keys under its own prefix).
    @Test func unknownArchitectureReadsCommonRows() throws {
        var m = Metadata()
        m.set("general.architecture", .string("falcon"))
        m.set("falcon.block_count", .uint32(3))
        m.set("falcon.attention.head_count", .uint32(8))
        m.set("falcon.expert_count", .uint32(4))
        #expect(try PlanModel(metadata: m)
                == PlanModel(architecture: "falcon", layerCount: 3, headCount: 8, headCountKV: 8, expertCount: 4))
        m.remove("falcon.attention.head_count")
        #expect { try PlanModel(metadata: m) } throws: { "\($0)".contains("falcon.attention.head_count") }
    }

    @Test func mxfp4PairNamesBothTensors() {
        let p = TensorMap.mxfp4Pair("model.layers.1.mlp.experts.down_proj")
        #expect(p.blocks == "model.layers.1.mlp.experts.down_proj_blocks")
        #expect(p.scales == "model.layers.1.mlp.experts.down_proj_scales")
        let map = GptOss.tensorMap
        #expect(map.ggufName(forHF: p.blocks) == "blk.1.ffn_down_exps.weight")
        #expect(map.ggufName(forHF: p.scales) == "blk.1.ffn_down_exps.weight")
        #expect(map.ggufName(forHF: "model.layers.1.mlp.experts.down_proj_other") == nil)
    }

    /// Every registered architecture's token embedding, in both worlds, is a name `inspect` reads a vocabulary off.
    @Test func tokenEmbeddingNamesComeFromTheRegistry() {
        let names = ArchitectureRegistry.tokenEmbeddingNames
        for a in ArchitectureRegistry.all {
            #expect(names.contains(a.tensors.ggufName(.tokenEmbedding, layer: nil)))
            #expect(names.contains(a.tensors.hfName(.tokenEmbedding, layer: nil)!))
        }
        #expect(names.isSuperset(of: CommonTensors.tokenEmbeddingFallbackNames))
        #expect(!names.contains("lm_head.weight") && !names.contains("output.weight"))
    }

    /// The shared rows and entries are the ones each architecture uses (one row, not three copies).
    @Test func architecturesShareTheCommonRows() {
        for a in ArchitectureRegistry.all {
            let row = a.keys.row(.ropeDimensionCount)
            #expect(row?.gguf == .arch("rope.dimension_count") && row?.config == .effectiveHeadDim)
            for e in CommonTensors.global + CommonTensors.attention {
                #expect(a.tensors.entry(e.role, e.part) == e, "\(a.id): \(e.gguf)")
            }
        }
    }

    /// Validation names the key as the file spells it: the config key for a config.json, the GGUF key for a GGUF.
    @Test func validationNamesTheKeyOfItsWorld() throws {
        let spec = HyperParameters(architecture: .llama, vocabSize: 16, hiddenSize: 8, intermediateSize: 16, layers: 1,
                                   heads: 4, kvHeads: 3, headDim: 2, rmsEps: 1e-5, ropeTheta: 10000,
                                   ropeScaling: .none, ropeStyle: .halves, slidingWindow: nil, slidingLayers: [false],
                                   experts: 0, expertsPerToken: 0, swigluAlpha: 1.702, swigluLimit: 7,
                                   attentionBias: false, mlpBias: false, tieEmbeddings: false, maxPositions: 64,
                                   bosTokenID: nil, eosTokenIDs: [])
        #expect(throws: ConfigError(path: "c.json", key: "num_key_value_heads",
                                    message: "4 heads are not a multiple of 3 KV heads")) {
            try spec.validate(file: "c.json", world: .huggingFace)
        }
        #expect(throws: ConfigError(path: "m.gguf", key: "llama.attention.head_count_kv",
                                    message: "4 heads are not a multiple of 3 KV heads")) {
            try spec.validate(file: "m.gguf", world: .gguf)
        }
        var theta = spec
        theta.kvHeads = 2
        theta.ropeTheta = -1
        #expect { try theta.validate(file: "c.json", world: .huggingFace) } throws: {
            ($0 as? ConfigError)?.key == "rope_theta"
        }
        #expect { try theta.validate(file: "m.gguf", world: .gguf) } throws: {
            ($0 as? ConfigError)?.key == "llama.rope.freq_base"
        }
        theta.ropeTheta = 10000
        try theta.validate(file: "m.gguf", world: .gguf)
    }
}
