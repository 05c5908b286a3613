import Foundation
import IngotInference
import IngotPipeline
import Testing
import IngotTestSupport

/// Ingot's own F16 GGUF of each tiny model computes transformers' logits (the converter's names, q/k permutation,
/// expert stacking, gpt-oss gate/up split and MXFP4 repack, and the YaRN `truncate` key, end to end).
@Suite struct ConvertedModelLogitsTests {
    static let models = ["tiny-llama", "tiny-mixtral", "tiny-gptoss", "tiny-gptoss-mxfp4"]

    @Test(arguments: models)
    func f16GGUFLogitsMatchTransformers(model: String) throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let out = dir + "/\(model)-F16.gguf"
        _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model(model), output: out, type: "F16", threads: 2))
        let m = try ModelLoader.open(out, threads: 2, tokenizer: false).transformer

        let data = try Data(contentsOf: URL(fileURLWithPath: ConvertFixtures.model(model) + "/reference.json"))
        let ref = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tokens = try #require(ref["first_chunk_tokens"] as? [Int]).map { Int32($0) }
        let rows = try #require(ref["first_chunk_logits_rows_0_8_32_127_255"] as? [String: [Double]])
        #if DEBUG
        let n = 33
        #else
        let n = tokens.count
        #endif
        let logits = try m.forward(Array(tokens.prefix(n)), cache: m.makeCache(capacity: n), logitRows: 0..<n)
        let V = m.spec.vocabSize
        var checked = 0
        for (k, expected) in rows {
            let r = Int(k)!
            guard r < n else { continue }
            var worst: Float = 0
            for j in 0..<V { worst = max(worst, abs(logits[r * V + j] - Float(expected[j]))) }
            #expect(worst < 1e-3, "\(model) row \(r): max |Δ| = \(worst)")
            checked += 1
        }
        #expect(checked >= 3)
    }
}
