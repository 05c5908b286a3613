import Foundation
import IngotCore
import Testing
@testable import IngotInference
import IngotTestSupport

/// Bad checkpoints fail at load time with errors that name the tensor and the file.
@Suite struct LoadErrorTests {
    static let spec = ModelSpec(
        architecture: .llama, vocabSize: 16, hiddenSize: 8, intermediateSize: 16, layers: 1, heads: 2, kvHeads: 1,
        headDim: 4, rmsEps: 1e-5, ropeTheta: 10000, ropeScaling: .none, ropeStyle: .halves, slidingWindow: nil,
        slidingLayers: [false], experts: 0, expertsPerToken: 0, swigluAlpha: 1.702, swigluLimit: 7, attentionBias: false,
        mlpBias: false, tieEmbeddings: true, maxPositions: 64, bosTokenID: 1, eosTokenIDs: [0])

    /// A complete tiny llama in memory; `drop` leaves one tensor out, `reshape` gives one a wrong shape,
    /// `retype` stores one in an element type inference cannot read.
    static func source(drop: String? = nil, reshape: String? = nil, retype: String? = nil) -> MemorySource {
        let s = MemorySource()
        var rng = SeededRandom(1)
        let p = "model.layers.0."
        let shapes: [(String, [Int])] = [
            ("model.embed_tokens.weight", [16, 8]), ("model.norm.weight", [8]),
            (p + "input_layernorm.weight", [8]), (p + "post_attention_layernorm.weight", [8]),
            (p + "self_attn.q_proj.weight", [8, 8]), (p + "self_attn.k_proj.weight", [4, 8]),
            (p + "self_attn.v_proj.weight", [4, 8]), (p + "self_attn.o_proj.weight", [8, 8]),
            (p + "mlp.gate_proj.weight", [16, 8]), (p + "mlp.up_proj.weight", [16, 8]), (p + "mlp.down_proj.weight", [8, 16]),
        ]
        for (name, shape) in shapes where name != drop {
            let sh = name == reshape ? [shape[0] + 1] + shape.dropFirst() : shape
            let n = sh.reduce(1, *)
            if name == retype {
                s.add(name, shape: sh, type: .i32, bytes: [UInt8](repeating: 0, count: 4 * n))
            } else {
                s.add(name, shape: sh, floats: rng.floats(n))
            }
        }
        return s
    }

    @Test func completeModelLoadsAndRuns() throws {
        let m = try Transformer(spec: Self.spec, source: Self.source(), naming: .huggingFace, threads: 1)
        let logits = try m.forward([1, 2, 3], cache: m.makeCache(capacity: 3), logitRows: 0..<3)
        #expect(logits.count == 3 * 16 && logits.allSatisfy(\.isFinite))
        #expect(throws: InferenceError.self) { try m.forward([99], cache: m.makeCache(capacity: 1), logitRows: 0..<1) }
        #expect(throws: InferenceError.self) { try m.forward([1, 2], cache: m.makeCache(capacity: 1), logitRows: 0..<1) }
    }

    @Test func missingTensorIsNamed() {
        let name = "model.layers.0.self_attn.k_proj.weight"
        #expect(throws: InferenceError.missingTensor(name: name, file: "memory")) {
            try Transformer(spec: Self.spec, source: Self.source(drop: name), naming: .huggingFace, threads: 1)
        }
    }

    @Test func shapeMismatchIsNamed() {
        let name = "model.layers.0.mlp.down_proj.weight"
        #expect(throws: InferenceError.shapeMismatch(name: name, file: "memory", expected: [8, 16], found: [9, 16])) {
            try Transformer(spec: Self.spec, source: Self.source(reshape: name), naming: .huggingFace, threads: 1)
        }
    }

    @Test func unsupportedTypeIsNamed() throws {
        let name = "model.layers.0.mlp.up_proj.weight"
        do {
            _ = try Transformer(spec: Self.spec, source: Self.source(retype: name), naming: .huggingFace, threads: 1)
            Issue.record("loaded a model with an I32 weight")
        } catch let InferenceError.unsupportedType(n, file, type, supported) {
            #expect(n == name && file == "memory" && type == "I32" && supported.contains("Q4_K"))
        }
    }

    @Test func badConfigsAreRejected() throws {
        func spec(_ json: String) throws -> ModelSpec { try ModelSpec.fromHFConfig(Data(json.utf8), file: "config.json") }
        let base = #""vocab_size": 16, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2"#
        #expect(try spec("{\"model_type\": \"llama\", \(base)}").kvHeads == 2)
        #expect(throws: InferenceError.self) { try spec("{\"model_type\": \"bert\", \(base)}") }
        #expect(throws: InferenceError.self) { try spec("{\"model_type\": \"llama\", \(base), \"num_key_value_heads\": 3}") }
        #expect(throws: InferenceError.self) { try spec("{\"model_type\": \"mixtral\", \(base), \"num_experts_per_tok\": 0}") }
        #expect(throws: InferenceError.self) { try spec("{\"model_type\": \"llama\", \"hidden_size\": \"eight\"}") }
        #expect(throws: InferenceError.self) { try spec("[]") }
        let yarn = try spec("{\"model_type\": \"llama\", \(base), \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4, \"original_max_position_embeddings\": 16}}")
        if case let .yarn(f, omax, _, _, truncate, _, _, _) = yarn.ropeScaling { #expect(f == 4 && omax == 16 && truncate) }
        else { Issue.record("rope_scaling.type yarn not read") }
    }
}
