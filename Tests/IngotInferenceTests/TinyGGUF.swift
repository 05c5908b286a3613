import Foundation
import IngotCore
import IngotFormats
import IngotModel
import IngotQuant
@testable import IngotInference
import IngotTestSupport

/// Writes a llama.cpp-style GGUF of the tiny llama fixture with the formats writer (names of
/// shared/docs/gguf-and-quants.md §8.3, q/k rows permuted as convert_hf_to_gguf.py does), so the GGUF path of the
/// forward pass is tested without depending on the converter.
enum TinyGGUF {
    static func writeLlama(to path: String, type: ElementType) throws {
        let dir = Fixtures.model("tiny-llama")
        let src = try SafetensorsReader(path: dir.appendingPathComponent("model.safetensors").path)
        let spec = try ModelSpec.fromHFConfig(try Data(contentsOf: dir.appendingPathComponent("config.json")), file: "config.json")
        var md = Metadata()
        md.set("general.architecture", .string("llama"))
        md.set("llama.block_count", .uint32(UInt32(spec.layers)))
        md.set("llama.context_length", .uint32(UInt32(spec.maxPositions)))
        md.set("llama.embedding_length", .uint32(UInt32(spec.hiddenSize)))
        md.set("llama.feed_forward_length", .uint32(UInt32(spec.intermediateSize)))
        md.set("llama.attention.head_count", .uint32(UInt32(spec.heads)))
        md.set("llama.attention.head_count_kv", .uint32(UInt32(spec.kvHeads)))
        md.set("llama.rope.freq_base", .float32(Float(spec.ropeTheta)))
        md.set("llama.attention.layer_norm_rms_epsilon", .float32(spec.rmsEps))
        md.set("llama.attention.key_length", .uint32(UInt32(spec.headDim)))
        md.set("llama.attention.value_length", .uint32(UInt32(spec.headDim)))
        md.set("llama.rope.dimension_count", .uint32(UInt32(spec.headDim)))
        md.set("llama.vocab_size", .uint32(UInt32(spec.vocabSize)))
        md.set("tokenizer.ggml.bos_token_id", .uint32(1))

        func rename(_ n: String) -> String {
            var s = n.replacingOccurrences(of: "model.layers.", with: "blk.")
            for (a, b) in [("model.embed_tokens", "token_embd"), ("model.norm", "output_norm"), ("lm_head", "output"),
                           ("self_attn.q_proj", "attn_q"), ("self_attn.k_proj", "attn_k"), ("self_attn.v_proj", "attn_v"),
                           ("self_attn.o_proj", "attn_output"), ("input_layernorm", "attn_norm"),
                           ("post_attention_layernorm", "ffn_norm"), ("mlp.gate_proj", "ffn_gate"),
                           ("mlp.up_proj", "ffn_up"), ("mlp.down_proj", "ffn_down")] {
                s = s.replacingOccurrences(of: a, with: b)
            }
            return s
        }
        var planned: [(TensorInfo, [UInt8])] = []
        for t in src.tensors {
            var f = [Float](repeating: 0, count: t.elementCount)
            try src.withBytes(of: t.name) { b in
                _ = f.withUnsafeMutableBufferPointer { ElementConversion.toFloat(t.type, b.baseAddress!, $0.baseAddress!, count: t.elementCount) }
            }
            let name = rename(t.name)
            let heads = name.hasSuffix("attn_q.weight") ? spec.heads : name.hasSuffix("attn_k.weight") ? spec.kvHeads : 0
            if heads > 0 {
                let rows = t.shape[0], cols = t.shape[1]
                var p = f
                for r in 0..<rows {
                    let s = HeadPermutation.sourceRow(r, rows: rows, heads: heads)
                    for c in 0..<cols { p[r * cols + c] = f[s * cols + c] }
                }
                f = p
            }
            let out: ElementType = t.shape.count == 1 ? .f32 : type
            let rb = try Quantizer.rowBytes(out, rowLength: t.rowLength)
            var bytes = [UInt8](repeating: 0, count: rb * t.rowCount)
            try f.withUnsafeBufferPointer { fp in
                try bytes.withUnsafeMutableBytes { bp in
                    try Quantizer.quantize(out, rows: fp, rowLength: t.rowLength, importance: nil, into: bp)
                }
            }
            planned.append((try TensorInfo(name: name, type: out, shape: t.shape), bytes))
        }
        let w = try GGUFWriter(path: path, metadata: md)
        for (info, _) in planned { try w.declare(info) }
        for (info, bytes) in planned { try bytes.withUnsafeBytes { try w.write(info.name, bytes: $0) } }
        try w.finish()
    }
}
