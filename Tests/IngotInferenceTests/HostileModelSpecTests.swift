import Foundation
import IngotCore
@testable import IngotInference

import Testing
import IngotTestSupport

/// Hostile hyper-parameters: a tiny llama whose GGUF metadata has each size key replaced by zero, negative, huge
/// and extreme values. Each variant must either be refused with an error naming the file and key, or load and
/// run a forward pass; never trap or try to allocate what the key claims.
@Suite struct HostileModelSpecTests {
    static let H = 16, I = 32, V = 24, L = 2, heads = 4, kv = 2, headDim = 4

    static func source() -> MemorySource {
        var rng = SeededRandom(0x5EC)
        let s = MemorySource()
        func add(_ n: String, _ shape: [Int]) { s.add(n, shape: shape, floats: rng.floats(shape.reduce(1, *), scale: 0.2)) }
        add("token_embd.weight", [V, H])
        add("output_norm.weight", [H])
        add("output.weight", [V, H])
        for l in 0..<L {
            let p = "blk.\(l)."
            add(p + "attn_norm.weight", [H]); add(p + "ffn_norm.weight", [H])
            add(p + "attn_q.weight", [heads * headDim, H]); add(p + "attn_k.weight", [kv * headDim, H])
            add(p + "attn_v.weight", [kv * headDim, H]); add(p + "attn_output.weight", [H, heads * headDim])
            add(p + "ffn_gate.weight", [I, H]); add(p + "ffn_up.weight", [I, H]); add(p + "ffn_down.weight", [H, I])
        }
        return s
    }

    static func metadata() -> Metadata {
        var md = Metadata()
        md.set("general.architecture", .string("llama"))
        for (k, v) in [("block_count", L), ("context_length", 64), ("embedding_length", H), ("feed_forward_length", I),
                       ("attention.head_count", heads), ("attention.head_count_kv", kv), ("attention.key_length", headDim),
                       ("rope.dimension_count", headDim), ("vocab_size", V)] {
            md.set("llama." + k, .uint32(UInt32(v)))
        }
        md.set("llama.rope.freq_base", .float32(10000))
        md.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        md.set("tokenizer.ggml.bos_token_id", .uint32(1))
        return md
    }

    @Test func hostileHyperParameters() throws {
        let src = HostileModelSpecTests.source()
        let base = HostileModelSpecTests.metadata()
        // The unmodified model runs.
        let ok = try ModelSpec.fromGGUF(base, tensors: src.tensors, file: "tiny.gguf")
        let t = try Transformer(spec: ok, source: src, naming: .gguf, threads: 1)
        _ = try t.forward([1, 2, 3], cache: t.makeCache(capacity: 8), logitRows: 0..<3)

        let values: [MetadataValue] = [.int64(0), .int64(-1), .int64(-5), .int64(Int64(Int32.min)), .int64(1 << 31),
                                       .int64(1 << 40), .int64(.max), .int64(.min), .uint64(.max), .int64(1), .int64(3),
                                       .float32(.nan), .string("8"), .float64(1e300)]
        var keys = base.keys.filter { $0.hasPrefix("llama.") }
        keys += ["llama.expert_count", "llama.expert_used_count", "llama.rope.scaling.factor", "tokenizer.ggml.eos_token_id"]
        var problems: [String] = []
        for key in keys {
            for v in values {
                var md = base
                md.set(key, v)
                do {
                    let spec = try ModelSpec.fromGGUF(md, tensors: src.tensors, file: "tiny.gguf")
                    let m = try Transformer(spec: spec, source: src, naming: .gguf, threads: 1)
                    _ = try m.forward([1, 2, 3], cache: m.makeCache(capacity: 8), logitRows: 0..<3)
                } catch {
                    let d = "\(error)"
                    if d.isEmpty || !d.contains("tiny.gguf") && !d.contains("memory") { problems.append("\(key) = \(v): \(d)") }
                }
            }
        }
        #expect(problems.isEmpty, Comment(rawValue: problems.prefix(10).joined(separator: "\n")))
    }

    /// config.json sizes that are negative or absurd are refused before any per-layer table is built.
    @Test func hostileHFConfigSizes() throws {
        for layers in ["-1", "0", "1099511627776", "9223372036854775807"] {
            let json = """
            {"model_type": "llama", "hidden_size": 16, "num_attention_heads": 4, "num_hidden_layers": \(layers),
             "intermediate_size": 32, "vocab_size": 24, "sliding_window": 8}
            """
            #expect {
                _ = try ModelSpec.fromHFConfig(Data(json.utf8), file: "config.json")
            } throws: { e in "\(e)".contains("config.json") }
        }
    }

    /// A KLD base file whose BOS lies outside its vocabulary would be embedded as a token: refused on open.
    @Test func kldBaseBOSOutsideVocabulary() throws {
        let dir = Fixtures.temporaryDirectory("ingot-kld")
        defer { Fixtures.cleanup(dir) }
        for bos: Int32 in [24, Int32.max] {
            let path = dir + "/base\(bos).kld"
            let header = KLDBaseHeader(nCtx: 4, vocab: 24, chunks: 1, topK: 1, bos: bos, tokens: [1, 2, 3, 4])
            let w = try KLDBaseWriter(path: path, header: header)
            try w.append([BaseDistribution(ids: [0], logProbs: [0], logTail: 0, targetLogProb: 0)])
            try w.commit()
            #expect {
                _ = try KLDBaseReader(path: path)
            } throws: { e in "\(e)".contains(path) && "\(e)".contains("BOS") }
        }
    }
}
