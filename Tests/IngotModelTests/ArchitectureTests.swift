import Foundation
import Testing
import IngotCore
import IngotFormats
@testable import IngotModel
import IngotTestSupport

/// The architecture tables against what llama.cpp's converter wrote for the bundled checkpoints
/// (Tests/Fixtures/models/*/llamacpp/*-{F16,BF16,AUTO}.json): tensor names, order, shapes and types, and every
/// metadata key (tokenizer arrays by count and sha256, as gguf_summary.py renders them).
struct ArchitectureTests {
    /// (model, oracle variant, converter outtype)
    static let cases: [(String, String, ElementType)] = [
        ("tiny-llama", "F16", .f16), ("tiny-mixtral", "BF16", .bf16), ("tiny-gptoss", "BF16", .bf16),
        ("tiny-gptoss-mxfp4", "AUTO", .bf16),
    ]

    static func load(_ model: String) throws -> (ModelConfig, any ArchitectureDescription, [TensorRecipe]) {
        let dir = ConvertFixtures.model(model)
        let config = try ModelConfig(contentsOf: dir + "/config.json")
        let arch = try ArchitectureRegistry.architecture(for: config)
        let sources = try ConvertFixtures.safetensorsTensors(dir + "/model.safetensors")
        return (config, arch, try arch.recipes(config, sources: sources))
    }

    @Test(arguments: cases)
    func tensorsMatchConverter(model: String, variant: String, outtype: ElementType) throws {
        let (_, _, recipes) = try Self.load(model)
        let oracle = try ConvertFixtures.oracle(model, variant)
        let mine = recipes.map { r in
            ConvertFixtures.Oracle.Tensor(
                name: r.name,
                type: (r.forceF32 ? ElementType.f32 : r.producedType == .mxfp4 ? .mxfp4 : outtype).displayName,
                shape: r.shape.reversed(), bytes: oracle.tensors.first { $0.name == r.name }?.bytes ?? -1)
        }
        for (i, (a, b)) in zip(mine, oracle.tensors).enumerated() where a != b {
            Issue.record("tensor #\(i): ingot \(a.name) \(a.type) \(a.shape), llama.cpp \(b.name) \(b.type) \(b.shape)")
        }
        #expect(mine.count == oracle.tensors.count)
    }

    @Test(arguments: cases)
    func metadataMatchesConverter(model: String, variant: String, outtype: ElementType) throws {
        let (config, arch, recipes) = try Self.load(model)
        let oracle = try ConvertFixtures.oracle(model, variant)
        let fileType = UInt32(oracle.metadata.first { $0.key == "general.file_type" }?.value.int ?? -1)
        let params = ModelNaming.parameterCounts(recipes.map { ($0.name, $0.shape) })
        let authorship = ConverterMetadata.Authorship(directoryName: model, config: config.root,
                                                      generationConfig: nil, parameters: params)
        let vocab = try Tokenizer.load(huggingFace: ConvertFixtures.model(model))
            .ggufMetadata(vocabSize: config.vocabSize).map { ($0.key, $0.value) }
        let m = try ConverterMetadata.model(architecture: arch, config: config, fileType: fileType,
                                            authorship: authorship, tokenizer: vocab)
        let diffs = ConvertFixtures.metadataDifferences(m, oracle) { _ in false }
        for d in diffs { Issue.record(Comment(rawValue: d)) }
        #expect(diffs.isEmpty)
    }

    @Test func unknownArchitectureListsSupported() throws {
        let config = try ModelConfig(json: try JSON.parse(#"{"architectures": ["FalconForCausalLM"], "num_hidden_layers": 2}"#),
                                     path: "x/config.json")
        #expect {
            _ = try ArchitectureRegistry.architecture(for: config)
        } throws: { error in
            let s = String(describing: error)
            return s.contains("FalconForCausalLM") && s.contains("LlamaForCausalLM") && s.contains("MixtralForCausalLM")
                && s.contains("GptOssForCausalLM")
        }
    }

    /// transformers 4.x spellings (top-level rope_theta, rope_scaling with `type`, torch_dtype) decode like 5.x.
    @Test func oldAndNewSpellingsAgree() throws {
        let old = try ModelConfig(json: try JSON.parse("""
            {"architectures": ["GptOssForCausalLM"], "num_hidden_layers": 2, "torch_dtype": "bfloat16",
             "rope_theta": 150000, "rope_scaling": {"type": "yarn", "factor": 32.0, "beta_fast": 32.0, "beta_slow": 1.0,
             "original_max_position_embeddings": 4096, "truncate": false}}
            """), path: "old")
        let new = try ModelConfig(json: try JSON.parse("""
            {"architectures": ["GptOssForCausalLM"], "num_hidden_layers": 2, "dtype": "bfloat16",
             "rope_parameters": {"rope_type": "yarn", "rope_theta": 150000.0, "factor": 32.0, "beta_fast": 32.0,
             "beta_slow": 1.0, "original_max_position_embeddings": 4096, "truncate": false}}
            """), path: "new")
        #expect(old.rope == new.rope)
        #expect(old.dtype == "bfloat16" && new.dtype == "bfloat16")
        #expect(old.rope.type == "yarn" && old.rope.theta == 150000 && old.rope.originalContextLength == 4096)
    }

    @Test func configErrorsNameTheKey() throws {
        #expect {
            _ = try ModelConfig(json: try JSON.parse(#"{"num_hidden_layers": "two"}"#), path: "m/config.json")
        } throws: { String(describing: $0).contains("m/config.json: num_hidden_layers") }
        #expect {
            _ = try ModelConfig(json: try JSON.parse(#"{"num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 3}"#),
                                path: "c")
        } throws: { String(describing: $0).contains("num_key_value_heads") }
        #expect {
            _ = try ModelConfig(json: try JSON.parse(#"{"num_hidden_layers": 2, "num_local_experts": 4, "num_experts_per_tok": 0}"#),
                                path: "c")
        } throws: { String(describing: $0).contains("num_experts_per_tok") }
        #expect(throws: ConfigError.self) {
            _ = try ModelConfig(json: try JSON.parse(#"{"hidden_size": 8}"#), path: "c")
        }
    }

    /// A Mixtral checkpoint missing one expert tensor is reported with the layer and the count.
    @Test func incompleteExpertsAreReported() throws {
        let dir = ConvertFixtures.model("tiny-mixtral")
        let config = try ModelConfig(contentsOf: dir + "/config.json")
        let arch = try ArchitectureRegistry.architecture(for: config)
        var sources = try ConvertFixtures.safetensorsTensors(dir + "/model.safetensors")
        sources.removeAll { $0.name == "model.layers.1.block_sparse_moe.experts.3.w2.weight" }
        #expect(throws: ArchitectureError.incompleteExperts(layer: 1, found: 23, expected: 24)) {
            _ = try arch.recipes(config, sources: sources)
        }
    }

    /// The permutation equals numpy's reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2).reshape(rows, cols).
    @Test(arguments: [(8, 2), (64, 8), (64, 2), (12, 3)])
    func headPermutationMatchesReshape(rows: Int, heads: Int) {
        let half = rows / heads / 2
        // Build the swapped order explicitly: output index (h, i, a) ← source (h, a, i).
        var expected: [Int] = []
        for h in 0..<heads { for i in 0..<half { for a in 0..<2 { expected.append(h * 2 * half + a * half + i) } } }
        let got = (0..<rows).map { HeadPermutation.sourceRow($0, rows: rows, heads: heads) }
        #expect(got == expected)
        #expect(Set(got).count == rows)
    }

    /// numpy's own answers: `np.arange(rows).reshape(heads, 2, -1).swapaxes(1, 2).reshape(rows)`.
    @Test func headPermutationNumpyValues() {
        #expect((0..<8).map { HeadPermutation.sourceRow($0, rows: 8, heads: 2) } == [0, 2, 1, 3, 4, 6, 5, 7])
        #expect((0..<12).map { HeadPermutation.sourceRow($0, rows: 12, heads: 3) } == [0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11])
    }
}
