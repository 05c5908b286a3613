import Foundation
import Testing
import IngotCore
import IngotFormats
@testable import IngotModel
import IngotTestSupport

/// The key tables and tensor maps themselves: aliases both ways for every row of every architecture, and the same
/// hyper-parameters from a config.json and from the GGUF metadata the converter writes for it.
struct KeyTableTests {
    static let models = ["tiny-llama", "tiny-mixtral", "tiny-gptoss", "tiny-gptoss-mxfp4"]

    /// HF → GGUF → HF and GGUF → HF → GGUF for every row that exists in both worlds.
    @Test func aliasesRoundTripForEveryRow() throws {
        var checked = 0
        for arch in ArchitectureRegistry.all {
            let t = arch.keys, a = arch.ggufName
            for row in t.rows {
                guard let g = row.gguf.key(arch: a), !row.configKeys.isEmpty else { continue }
                // HF → GGUF → HF: every spelling of the row reaches the row's GGUF key, and that key leads back to it.
                for k in row.configKeys {
                    #expect(t.ggufKeys(forConfigKey: k, arch: a).contains(g), "\(arch.id): \(k) ↛ \(g)")
                    #expect(t.configKeys(forGGUFKey: g, arch: a).contains(k), "\(arch.id): \(g) ↛ \(k)")
                }
                // GGUF → HF → GGUF.
                let hf = t.configKeys(forGGUFKey: g, arch: a)
                #expect(hf == row.configKeys, "\(arch.id): \(g)")
                for k in hf { #expect(t.ggufKeys(forConfigKey: k, arch: a).contains(g)) }
                checked += 1
            }
        }
        #expect(checked > 3 * 25)
        // The aliases `ingot config` will offer, spelled out.
        let mixtral = try #require(ArchitectureRegistry.architecture(id: .mixtral)).keys
        #expect(mixtral.ggufKey(forConfigKey: "num_experts_per_tok", arch: "llama") == "llama.expert_used_count")
        #expect(mixtral.configKey(forGGUFKey: "llama.expert_used_count", arch: "llama") == "num_experts_per_tok")
        let gptoss = try #require(ArchitectureRegistry.architecture(id: .gptOss)).keys
        #expect(gptoss.ggufKey(forConfigKey: "rope_parameters.truncate", arch: "gpt-oss") == "ingot.rope.scaling.yarn_truncate")
        #expect(gptoss.configKey(forGGUFKey: "gpt-oss.rope.scaling.yarn_truncate", arch: "gpt-oss") == "rope_parameters.truncate")
        #expect(gptoss.ggufKey(forConfigKey: "sliding_window", arch: "gpt-oss") == "gpt-oss.attention.sliding_window")
        #expect(mixtral.ggufKey(forConfigKey: "sliding_window", arch: "llama") == nil)   // the converter drops it
        #expect(mixtral.ggufKeys(forConfigKey: "head_dim", arch: "llama")
            == ["llama.attention.key_length", "llama.attention.value_length", "llama.rope.dimension_count"])
    }

    /// Every tensor of every map names a GGUF tensor, and every checkpoint name maps back to that GGUF name.
    @Test func tensorMapsRoundTrip() throws {
        for arch in ArchitectureRegistry.all {
            let m = arch.tensors
            for e in m.entries {
                let layer: Int? = e.perLayer ? 3 : nil
                let g = m.ggufName(e.role, e.part, layer: layer)
                #expect(g.hasSuffix(e.gguf) && (layer == nil || g.hasPrefix("blk.3.")))
                guard let hf = m.hfName(e.role, e.part, layer: layer, expert: 5) else {
                    #expect(e.hf == .none)
                    continue
                }
                #expect(layer == nil || hf.hasPrefix("model.layers.3."))
                let back = try #require(m.ggufName(forHF: hf), "\(arch.id): \(hf)")
                // Fused tensors serve several GGUF tensors: the first of them is the answer.
                let suffix = String(back.dropFirst(layer == nil ? 0 : 6))
                #expect(m.entries.contains { $0.gguf == suffix && m.hfName($0.role, $0.part, layer: layer, expert: 5) == hf },
                        "\(arch.id): \(hf) → \(back)")
            }
        }
        #expect(Llama.tensorMap.ggufName(forHF: "model.layers.0.self_attn.q_proj.weight") == "blk.0.attn_q.weight")
        #expect(Llama.tensorMap.ggufName(forHF: "model.layers.1.block_sparse_moe.experts.7.w3.weight") == "blk.1.ffn_up_exps.weight")
        #expect(GptOss.tensorMap.ggufName(forHF: "model.layers.1.mlp.experts.down_proj_blocks") == "blk.1.ffn_down_exps.weight")
        #expect(GptOss.tensorMap.ggufName(forHF: "model.layers.1.self_attn.rotary.weight") == nil)
    }

    /// The hyper-parameters of each bundled checkpoint equal those read back from the metadata the converter writes
    /// for it (through the same table); only the RoPE pairing differs where the converter permuted Q/K rows.
    @Test(arguments: models)
    func configAndConvertedMetadataAgree(model: String) throws {
        let dir = ConvertFixtures.model(model)
        let config = try ModelConfig(contentsOf: dir + "/config.json")
        let arch = try ArchitectureRegistry.architecture(for: config)
        let sources = try ConvertFixtures.safetensorsTensors(dir + "/model.safetensors")
        let recipes = try arch.recipes(config, sources: sources)
        let tensors = try recipes.map { try TensorInfo(name: $0.name, type: .f32, shape: $0.shape) }
        let authorship = ConverterMetadata.Authorship(directoryName: model, config: config.root, generationConfig: nil,
                                                      parameters: ModelNaming.parameterCounts(recipes.map { ($0.name, $0.shape) }))
        let vocab = try Tokenizer.load(huggingFace: dir).ggufMetadata(vocabSize: config.vocabSize).map { ($0.key, $0.value) }
        var md = try ConverterMetadata.model(architecture: arch, config: config, fileType: 1, authorship: authorship,
                                             tokenizer: vocab)
        for (k, v) in try arch.ingotMetadata(config) { md.set(k, v) }

        let fromGGUF = try ArchitectureRegistry.architecture(gguf: md, file: "converted.gguf")
        #expect(fromGGUF.id == arch.id)
        var expected = try arch.hyperParameters(config: config)
        let got = try fromGGUF.hyperParameters(gguf: md, tensors: tensors, file: "converted.gguf")
        #expect(expected.ropeStyle == .halves)
        expected.ropeStyle = arch.ropeStyle(.gguf)
        #expect(got == expected)
        #expect(got.ropeStyle == (model == "tiny-llama" || model == "tiny-mixtral" ? .interleaved : .halves))
    }

    /// Per-world defaults stay what each world's reference applies (transformers' class defaults vs llama.cpp's).
    @Test func defaultsPerWorld() throws {
        func config(_ json: String) throws -> HyperParameters {
            let c = try ModelConfig(json: try JSON.parse(json), path: "config.json")
            return try ArchitectureRegistry.architecture(for: c).hyperParameters(config: c)
        }
        let base = #""vocab_size": 16, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2"#
        let llama = try config("{\"model_type\": \"llama\", \(base)}")
        #expect(llama.rmsEps == 1e-6 && llama.ropeTheta == 10000 && llama.maxPositions == 2048 && llama.experts == 0)
        let mixtral = try config("{\"model_type\": \"mixtral\", \(base)}")
        #expect(mixtral.rmsEps == 1e-5 && mixtral.ropeTheta == 1e6 && mixtral.experts == 8 && mixtral.expertsPerToken == 2)
        let gptoss = try config("{\"model_type\": \"gpt_oss\", \(base)}")
        #expect(gptoss.ropeTheta == 150000 && gptoss.experts == 128 && gptoss.expertsPerToken == 4
            && gptoss.maxPositions == 131072 && gptoss.attentionBias && gptoss.slidingWindow == 128
            && gptoss.slidingLayers == [true, false])
        #expect(gptoss.ropeScaling == .yarn(factor: 32, originalContext: 4096, betaFast: 32, betaSlow: 1, truncate: false,
                                            attentionFactor: nil, mscale: nil, mscaleAllDim: nil))

        var md = Metadata()
        md.set("general.architecture", .string("llama"))
        for (k, v) in [("block_count", 2), ("embedding_length", 8), ("feed_forward_length", 16), ("attention.head_count", 2)] {
            md.set("llama." + k, .uint32(UInt32(v)))
        }
        let g = try ArchitectureRegistry.architecture(gguf: md, file: "m.gguf")
        #expect(g.id == .llama)
        let fromGGUF = try g.hyperParameters(gguf: md, tensors: [], file: "m.gguf")
        #expect(fromGGUF.rmsEps == 1e-5 && fromGGUF.ropeTheta == 10000 && fromGGUF.ropeStyle == .interleaved)
        md.set("llama.expert_count", .uint32(4))
        #expect(try ArchitectureRegistry.architecture(gguf: md, file: "m.gguf").id == .mixtral)
        md.set("llama.expert_count", .string("four"))
        #expect {
            _ = try ArchitectureRegistry.architecture(gguf: md, file: "m.gguf")
        } throws: { "\($0)".contains("m.gguf") && "\($0)".contains("llama.expert_count") }
    }

    /// YaRN without `original_max_position_embeddings`: the converter refuses it (as llama.cpp's does, naming the
    /// key); inference reads it as transformers does, over `max_position_embeddings`.
    @Test func yarnWithoutOriginalContext() throws {
        let c = try ModelConfig(json: try JSON.parse("""
            {"model_type": "llama", "vocab_size": 16, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
             "num_attention_heads": 2, "max_position_embeddings": 64, "rope_scaling": {"type": "yarn", "factor": 4}}
            """), path: "y/config.json")
        let arch = try ArchitectureRegistry.architecture(for: c)
        #expect {
            _ = try arch.parameterMetadata(c, fileType: 1)
        } throws: { "\($0)".contains("y/config.json: rope_parameters.original_max_position_embeddings") }
        let h = try arch.hyperParameters(config: c)
        #expect(h.ropeScaling == .yarn(factor: 4, originalContext: 64, betaFast: 32, betaSlow: 1, truncate: true,
                                       attentionFactor: nil, mscale: nil, mscaleAllDim: nil))
    }

    /// The registry and each table are consistent: ids and class names claimed once, each GGUF key written by one
    /// row, and every row inference resolves present in every table.
    @Test func registryAndTablesAreConsistent() throws {
        let ids = ArchitectureRegistry.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        let classes = ArchitectureRegistry.all.flatMap(\.hfArchitectures) + ArchitectureRegistry.all.flatMap(\.modelTypes)
        #expect(Set(classes).count == classes.count)
        let needed: [ParameterName] = [.blockCount, .embeddingLength, .headCount, .headCountKV, .feedForwardLength,
                                       .vocabSize, .ropeDimensionCount, .rmsEpsilon, .ropeFreqBase, .contextLength,
                                       .expertCount, .expertUsedCount, .yarnTruncate, .bosTokenID, .eosTokenID]
        for a in ArchitectureRegistry.all {
            let keys = a.keys.rows.compactMap { $0.gguf.key(arch: a.ggufName) }
            #expect(Set(keys).count == keys.count, "\(a.id): a GGUF key on two rows")
            for n in needed { #expect(a.keys.row(n) != nil, "\(a.id) lacks \(n)") }
            #expect(ArchitectureRegistry.architecture(id: a.id)?.id == a.id)
        }
    }
}
