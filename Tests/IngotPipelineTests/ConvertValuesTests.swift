import Foundation
import Testing
import IngotCore
import IngotFormats
import IngotModel
import IngotQuant
@testable import IngotPipeline
import IngotTestSupport

/// The values in converted GGUFs, element by element against the source checkpoint, with index formulas written
/// out here independently of the pipeline: lossless MXFP4 experts, llama's Q/K permutation, Mixtral's expert
/// stacking, gpt-oss's transposition and interleaved gate/up split.
struct ConvertValuesTests {
    /// Converts `model` (type `type`, nil = auto) into a temporary GGUF and hands both files to `body`.
    static func withConversion(_ model: String, type: String?, _ body: (SafetensorsReader, GGUFReader) throws -> Void) throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let out = dir + "/out.gguf"
        _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model(model), output: out, type: type, threads: 2))
        try body(try SafetensorsReader(path: ConvertFixtures.model(model)), try GGUFReader(path: out))
    }

    static func bytes(_ s: any TensorSource, _ name: String) throws -> [UInt8] {
        try s.withBytes(of: name) { [UInt8]($0) }
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[2 * i]) | UInt16(b[2 * i + 1]) << 8 }
    static func f32(_ b: [UInt8], _ i: Int) -> Float {
        Float(bitPattern: UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24)
    }

    /// MXFP4 experts decode (ggml's decoder, through the quantizer) to exactly the values the checkpoint's
    /// blocks and scales hold (transformers' decoding); gate = even rows of gate_up, up = odd rows.
    @Test func mxfp4ExpertsAreLossless() throws {
        try Self.withConversion("tiny-gptoss-mxfp4", type: nil) { st, gguf in
            for layer in 0..<2 {
                for (proj, gname, stride, offset) in [("down_proj", "ffn_down_exps", 1, 0), ("gate_up_proj", "ffn_gate_exps", 2, 0),
                                                      ("gate_up_proj", "ffn_up_exps", 2, 1)] {
                    let pre = "model.layers.\(layer).mlp.experts.\(proj)"
                    let bt = st.info(pre + "_blocks")!
                    let blocks = try Self.bytes(st, pre + "_blocks"), scales = try Self.bytes(st, pre + "_scales")
                    let (E, R, G) = (bt.shape[0], bt.shape[1], bt.shape[2])
                    let name = "blk.\(layer).\(gname).weight"
                    let t = gguf.info(name)!
                    #expect(t.type == .mxfp4 && t.shape == [E, R / stride, G * 32], "\(name) \(t.type) \(t.shape)")
                    let q = try Self.bytes(gguf, name)
                    var got = [Float](repeating: 0, count: E * (R / stride) * G * 32)
                    try q.withUnsafeBytes { qb in
                        try got.withUnsafeMutableBufferPointer { try Quantizer.dequantize(.mxfp4, qb, rowLength: G * 32, into: $0) }
                    }
                    var mismatches = 0
                    var row = [Float](repeating: 0, count: G * 32)
                    for e in 0..<E {
                        for o in 0..<(R / stride) {
                            let src = e * R + o * stride + offset
                            blocks.withUnsafeBytes { b in scales.withUnsafeBytes { s in row.withUnsafeMutableBufferPointer { r in
                                MXFP4Checkpoint.decode(blocks: b.baseAddress! + src * G * 16, scales: s.baseAddress! + src * G,
                                                       groups: G, into: r.baseAddress!)
                            } } }
                            let base = (e * (R / stride) + o) * G * 32
                            for k in 0..<(G * 32) where got[base + k] != row[k] { mismatches += 1 }
                        }
                    }
                    #expect(mismatches == 0, "\(name): \(mismatches) values differ from the checkpoint's")
                }
            }
        }
    }

    /// llama Q/K rows are permuted per head (`LlamaModel.permute`), everything else is the source's F16 bytes.
    @Test func llamaPermutationAndCopies() throws {
        try Self.withConversion("tiny-llama", type: "F16") { st, gguf in
            let (heads, kvHeads, hd) = (8, 2, 32)
            for (hf, g, n) in [("self_attn.q_proj", "attn_q", heads), ("self_attn.k_proj", "attn_k", kvHeads)] {
                let src = try Self.bytes(st, "model.layers.1.\(hf).weight")
                let dst = try Self.bytes(gguf, "blk.1.\(g).weight")
                let cols = 256, rowBytes = cols * 2
                var bad = 0
                for h in 0..<n {
                    for i in 0..<(hd / 2) {
                        for a in 0..<2 {
                            let outRow = h * hd + 2 * i + a, inRow = h * hd + a * (hd / 2) + i
                            if dst[(outRow * rowBytes)..<((outRow + 1) * rowBytes)] != src[(inRow * rowBytes)..<((inRow + 1) * rowBytes)] {
                                bad += 1
                            }
                        }
                    }
                }
                #expect(bad == 0, "\(g): \(bad) rows not where LlamaModel.permute puts them")
            }
            #expect(try Self.bytes(gguf, "blk.2.ffn_down.weight") == Self.bytes(st, "model.layers.2.mlp.down_proj.weight"))
            #expect(try Self.bytes(gguf, "token_embd.weight") == Self.bytes(st, "model.embed_tokens.weight"))
            // Norms are widened to F32 exactly.
            let norm = try Self.bytes(st, "model.layers.0.input_layernorm.weight")
            let normOut = try Self.bytes(gguf, "blk.0.attn_norm.weight")
            #expect((0..<256).allSatisfy { Self.f32(normOut, $0) == HalfPrecision.float(fromF16: Self.u16(norm, $0)) })
        }
    }

    /// Mixtral: expert e of ffn_{gate,down,up}_exps is experts.e.{w1,w2,w3}, byte for byte (BF16 → BF16).
    @Test func mixtralExpertsStacked() throws {
        try Self.withConversion("tiny-mixtral", type: "BF16") { st, gguf in
            for (w, g) in [("w1", "ffn_gate_exps"), ("w2", "ffn_down_exps"), ("w3", "ffn_up_exps")] {
                let stacked = try Self.bytes(gguf, "blk.1.\(g).weight")
                var expected: [UInt8] = []
                for e in 0..<8 { expected += try Self.bytes(st, "model.layers.1.block_sparse_moe.experts.\(e).\(w).weight") }
                #expect(stacked == expected, "\(g)")
            }
        }
    }

    /// gpt-oss dense experts: gate[e][i][h] = gate_up[e][h][2i], up = …[2i+1], down[e][h][i] = down_proj[e][i][h];
    /// biases split the same way and widened to F32.
    @Test func gptOssSplitAndTranspose() throws {
        try Self.withConversion("tiny-gptoss", type: "BF16") { st, gguf in
            let (E, H, I) = (8, 288, 96)
            let gu = try Self.bytes(st, "model.layers.0.mlp.experts.gate_up_proj")     // [E, H, 2I]
            let down = try Self.bytes(st, "model.layers.0.mlp.experts.down_proj")       // [E, I, H]
            let gate = try Self.bytes(gguf, "blk.0.ffn_gate_exps.weight")               // [E, I, H]
            let up = try Self.bytes(gguf, "blk.0.ffn_up_exps.weight")
            let dn = try Self.bytes(gguf, "blk.0.ffn_down_exps.weight")                 // [E, H, I]
            var bad = 0
            for e in 0..<E {
                for i in 0..<I {
                    for h in 0..<H {
                        if Self.u16(gate, (e * I + i) * H + h) != Self.u16(gu, (e * H + h) * 2 * I + 2 * i) { bad += 1 }
                        if Self.u16(up, (e * I + i) * H + h) != Self.u16(gu, (e * H + h) * 2 * I + 2 * i + 1) { bad += 1 }
                        if Self.u16(dn, (e * H + h) * I + i) != Self.u16(down, (e * I + i) * H + h) { bad += 1 }
                    }
                }
            }
            #expect(bad == 0, "\(bad) expert values out of place")
            let bias = try Self.bytes(st, "model.layers.0.mlp.experts.gate_up_proj_bias")   // [E, 2I] BF16
            let gb = try Self.bytes(gguf, "blk.0.ffn_gate_exps.bias"), ub = try Self.bytes(gguf, "blk.0.ffn_up_exps.bias")
            let ok = (0..<(E * I)).allSatisfy { k in
                let (e, i) = (k / I, k % I)
                return Self.f32(gb, k) == HalfPrecision.float(fromBF16: Self.u16(bias, e * 2 * I + 2 * i))
                    && Self.f32(ub, k) == HalfPrecision.float(fromBF16: Self.u16(bias, e * 2 * I + 2 * i + 1))
            }
            #expect(ok)
        }
    }
}
