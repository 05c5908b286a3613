import Foundation
import Testing
import IngotCore
import IngotFormats
import IngotQuant
@testable import IngotPipeline
import IngotTestSupport

/// tiny-llama converted to the IQ4_XS, IQ3_S, IQ3_M, TQ1_0 and TQ2_0 file types and read back: the types llama-quantize's rules
/// give each tensor (written out here from src/llama-quant.cpp, independently of the planner), `general.file_type`,
/// and every quantized tensor equal, byte for byte, to the codec's encoding of the F16 conversion's values (the
/// codecs themselves are held to ggml's bytes by GGMLVectorTests), decoding close to those values.
@Suite struct ConvertIQuantTests {
    struct Case: CustomStringConvertible, Sendable {
        var type: String
        var fileTypeID: UInt32
        /// The type llama-quantize picks for each weight of tiny-llama (4 layers, GQA 8/2 = 4, no imatrix).
        var expected: @Sendable (String) -> ElementType
        /// Bound on the relative RMSE of a decoded weight against its F16 values.
        var rmse: Float
        var description: String { type }
    }

    static let cases: [Case] = [
        // IQ4_XS: output.weight → Q6_K; attn_v → Q5_K (gqa ≥ 4); ffn_down's "layer < n/8 → Q5_K" is empty for
        // 4 layers; token_embd keeps the default type. Relative RMSE: 1.5 × the 4-bit uniform model (RoundTripPropertyTests).
        Case(type: "IQ4_XS", fileTypeID: 30, expected: { n in
            n == "output.weight" ? .q6_K : n.hasSuffix("attn_v.weight") ? .q5_K : .iq4_xs
        }, rmse: 1.5 * 4.13 / 15 / Float(12).squareRoot()),
        // IQ3_S: attn_v → Q4_K (gqa ≥ 4), output.weight → Q6_K, the rest (token_embd too) IQ3_S. IQ3_M adds
        // attn_output → Q4_K; its "ffn_down layer < n/8 → Q4_K" is empty for 4 layers. Bound: 1.5 × the 3-bit model.
        Case(type: "IQ3_S", fileTypeID: 26, expected: { n in
            n == "output.weight" ? .q6_K : n.hasSuffix("attn_v.weight") ? .q4_K : .iq3_s
        }, rmse: 1.5 * 4.13 / 7 / Float(12).squareRoot()),
        Case(type: "IQ3_M", fileTypeID: 27, expected: { n in
            n == "output.weight" ? .q6_K : n.hasSuffix("attn_v.weight") || n.hasSuffix("attn_output.weight") ? .q4_K : .iq3_s
        }, rmse: 1.5 * 4.13 / 7 / Float(12).squareRoot()),
        // TQ1_0 / TQ2_0: token_embd → Q4_K, output.weight → Q6_K, every other weight the ternary type. Ternary codes
        // at d = max|x| of 256 lose much of a trained weight (≈ 0.8 here, gguf-py's decoding agrees): bound 0.95,
        // under the 1 that decoding to all zeros would give.
        Case(type: "TQ1_0", fileTypeID: 36, expected: { n in
            n == "output.weight" ? .q6_K : n == "token_embd.weight" ? .q4_K : .tq1_0
        }, rmse: 0.95),
        Case(type: "TQ2_0", fileTypeID: 37, expected: { n in
            n == "output.weight" ? .q6_K : n == "token_embd.weight" ? .q4_K : .tq2_0
        }, rmse: 0.95),
    ]

    @Test(arguments: cases)
    func convertsReadsBackAndDecodes(_ c: Case) throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let model = ConvertFixtures.model("tiny-llama")
        _ = try ConvertJob.run(ConvertOptions(input: model, output: dir + "/f16.gguf", type: "F16", threads: 2))
        let (plan, _) = try ConvertJob.run(ConvertOptions(input: model, output: dir + "/q.gguf", type: c.type, threads: 2))
        let f16 = try GGUFReader(path: dir + "/f16.gguf"), q = try GGUFReader(path: dir + "/q.gguf")
        #expect(q.metadata["general.file_type"] == .uint32(c.fileTypeID))
        #expect(q.tensors.map(\.name) == plan.tensors.map(\.name))
        var quantized = 0
        for t in q.tensors {
            let planned = try #require(plan.tensors.first { $0.name == t.name })
            #expect(t.type == planned.type && t.shape == planned.shape, "\(t.name): \(t.type) vs plan \(planned.type)")
            guard t.name.hasSuffix(".weight"), t.shape.count == 2 else {
                #expect(t.type == .f32, "\(t.name) \(t.type)")   // the norms stay F32
                continue
            }
            #expect(t.type == c.expected(t.name), "\(t.name): \(t.type), llama-quantize gives \(c.expected(t.name))")
            let src = try #require(f16.info(t.name))
            #expect(src.type == .f16 && src.shape == t.shape)
            let rowLength = t.shape[1], n = t.shape[0] * t.shape[1]
            var x = [Float](repeating: 0, count: n)
            try f16.withBytes(of: t.name) { b in
                try x.withUnsafeMutableBufferPointer { try Quantizer.dequantize(.f16, b, rowLength: rowLength, into: $0) }
            }
            let stored = try q.withBytes(of: t.name) { [UInt8]($0) }
            var mine = [UInt8](repeating: 0, count: stored.count)
            try x.withUnsafeBufferPointer { xb in
                try mine.withUnsafeMutableBytes {
                    try Quantizer.quantize(t.type, rows: xb, rowLength: rowLength, importance: nil, into: $0, threads: 2)
                }
            }
            #expect(mine == stored, "\(t.name): the written \(t.type) bytes are not the codec's encoding of its F16 values")
            var y = [Float](repeating: .nan, count: n)
            try stored.withUnsafeBytes { b in
                try y.withUnsafeMutableBufferPointer { try Quantizer.dequantize(t.type, b, rowLength: rowLength, into: $0) }
            }
            var se: Float = 0, sx: Float = 0
            for i in 0..<n { se += (x[i] - y[i]) * (x[i] - y[i]); sx += x[i] * x[i] }
            let rel = (se / sx).squareRoot()
            #expect(rel.isFinite && rel <= c.rmse, "\(t.name) (\(t.type)): relative RMSE \(rel) > \(c.rmse)")
            quantized += 1
        }
        #expect(quantized == 30)   // 7 weights × 4 layers + token_embd + output
    }

    /// tiny-mixtral to IQ2_M with its imatrix fixture (IQ2_M's IQ2_S tensors refuse without one): the plan's types are
    /// written, IQ2_S, IQ3_S and IQ4_NL all appear (llama-quantize's IQ2_M rules for this model), and every quantized
    /// tensor decodes finite and close to the BF16 conversion's values.
    @Test func iq2MWithImatrixConvertsAndDecodes() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let model = ConvertFixtures.model("tiny-mixtral")
        let imatrix = Fixtures.path("imatrix/tiny-mixtral.imatrix.gguf")
        _ = try ConvertJob.run(ConvertOptions(input: model, output: dir + "/bf16.gguf", type: "BF16", threads: 2))
        let (plan, _) = try ConvertJob.run(ConvertOptions(input: model, output: dir + "/q.gguf", type: "IQ2_M",
                                                          imatrix: imatrix, threads: 2))
        let src = try GGUFReader(path: dir + "/bf16.gguf"), q = try GGUFReader(path: dir + "/q.gguf")
        #expect(q.metadata["general.file_type"] == .uint32(29))
        #expect(Set(q.tensors.map(\.type)).isSuperset(of: [.iq2_s, .iq3_s, .iq4_nl]))
        for t in q.tensors {
            let planned = try #require(plan.tensors.first { $0.name == t.name })
            #expect(t.type == planned.type && t.shape == planned.shape, "\(t.name): \(t.type) vs plan \(planned.type)")
            guard t.type.blockElements > 1, let s = src.info(t.name) else { continue }
            let rowLength = t.shape.last!, n = t.shape.reduce(1, *)
            var x = [Float](repeating: 0, count: n), y = [Float](repeating: .nan, count: n)
            try src.withBytes(of: t.name) { b in
                try x.withUnsafeMutableBufferPointer { try Quantizer.dequantize(s.type, b, rowLength: rowLength, into: $0) }
            }
            try q.withBytes(of: t.name) { b in
                try y.withUnsafeMutableBufferPointer { try Quantizer.dequantize(t.type, b, rowLength: rowLength, into: $0) }
            }
            var se: Float = 0, sx: Float = 0
            for i in 0..<n { se += (x[i] - y[i]) * (x[i] - y[i]); sx += x[i] * x[i] }
            let rel = (se / sx).squareRoot()
            // 2-bit lattice codes with 4-bit scales: 1.5 × the 2-bit uniform model (3.53/3/√12), the loosest type here.
            #expect(rel.isFinite && rel <= 1.5 * 3.53 / 3 / Float(12).squareRoot(), "\(t.name) (\(t.type)): relative RMSE \(rel)")
        }
    }
}
