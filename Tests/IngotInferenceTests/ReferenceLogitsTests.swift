import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotInference
import IngotTestSupport

/// transformers' logits for the first chunk of each tiny model (Tests/Fixtures/models/*/reference.json).
struct ModelReference {
    let tokens: [Int32]
    /// Row index → logits over the vocabulary.
    let rows: [Int: [Float]]
    let top5: [[Int]]
    let ppl: Double
    let nCtx: Int
    let chunks: Int

    init(model: String) throws {
        let data = try Data(contentsOf: Fixtures.model(model).appendingPathComponent("reference.json"))
        let o = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        tokens = try #require(o["first_chunk_tokens"] as? [Int]).map { Int32($0) }
        let r = try #require(o["first_chunk_logits_rows_0_8_32_127_255"] as? [String: [Double]])
        var rows: [Int: [Float]] = [:]
        for (k, v) in r { rows[Int(k)!] = v.map { Float($0) } }
        self.rows = rows
        top5 = try #require(o["first_chunk_top5"] as? [[Int]])
        ppl = try #require(o["ppl"] as? Double)
        nCtx = try #require(o["n_ctx"] as? Int)
        chunks = try #require(o["chunks"] as? Int)
    }
}

/// Opens a fixture model from its safetensors checkpoint and config.json.
func loadFixtureModel(_ name: String, threads: Int = 2) throws -> Transformer {
    let dir = Fixtures.model(name)
    let source = try SafetensorsReader(path: dir.appendingPathComponent("model.safetensors").path)
    let config = try Data(contentsOf: dir.appendingPathComponent("config.json"))
    return try Transformer(huggingFaceConfig: config, source: source, threads: threads)
}

@Suite struct ReferenceLogitsTests {
    static let models = ["tiny-llama", "tiny-mixtral", "tiny-gptoss", "tiny-gptoss-mxfp4"]

    /// Debug builds run the first 33 tokens (rows 0, 8, 32); release runs the whole 256-token chunk.
    @Test(arguments: models)
    func firstChunkLogitsMatchTransformers(model: String) throws {
        let ref = try ModelReference(model: model)
        let m = try loadFixtureModel(model)
        let n = Fixtures.isRelease ? ref.tokens.count : 33
        let cache = m.makeCache(capacity: n)
        let logits = try m.forward(Array(ref.tokens.prefix(n)), cache: cache, logitRows: 0..<n)
        let V = m.spec.vocabSize
        var checked = 0
        for (row, expected) in ref.rows.sorted(by: { $0.key < $1.key }) where row < n {
            let got = Array(logits[row * V..<(row + 1) * V])
            let d = maxAbsDiff(got, expected)
            #expect(d.value < 1e-3, "\(model) row \(row): max |Δ| = \(d.value) at token \(d.index)")
            checked += 1
        }
        #expect(checked >= 3)
        // Top-5 of every row computed (ties aside, the order must agree).
        var topAgree = 0
        for t in 0..<n {
            let row = logits[t * V..<(t + 1) * V]
            let top = row.indices.sorted { row[$0] > row[$1] }.prefix(5).map { $0 - t * V }
            if top == ref.top5[t] { topAgree += 1 }
        }
        #expect(topAgree >= n - 1, "\(model): top-5 agree on \(topAgree) of \(n) rows")
    }

    /// The KV cache path: the same chunk fed in pieces gives the same logits as one batch.
    @Test(arguments: models)
    func batchedEqualsIncremental(model: String) throws {
        let ref = try ModelReference(model: model)
        let m = try loadFixtureModel(model)
        let n = Fixtures.isRelease ? 100 : 16
        let tokens = Array(ref.tokens.prefix(n))
        let whole = try m.forward(tokens, cache: m.makeCache(capacity: n), logitRows: 0..<n)
        let cache = m.makeCache(capacity: n)
        var pieces: [Float] = []
        var i = 0
        for size in [5, 1, 7, 1, 1, 100] where i < n {
            let j = min(n, i + size)
            pieces += try m.forward(Array(tokens[i..<j]), cache: cache, logitRows: 0..<(j - i))
            i = j
        }
        let d = maxAbsDiff(whole, pieces)
        #expect(d.value < 1e-4, "\(model): \(d)")
    }
}
