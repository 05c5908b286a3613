import Foundation
import IngotModel
import Testing
@testable import IngotInference
import IngotTestSupport

@Suite struct PerplexityTests {
    /// Calibration/eval.txt tokenized with the model's tokenizer.json, BOS in front (llama-perplexity's input).
    /// Debug builds tokenize only the first 16 kB (cut at a line end), enough for the first chunks.
    static func evalTokens(_ model: String) throws -> [Int32] {
        let tok = try Tokenizer.load(huggingFace: Fixtures.model(model).path)
        var text = Array(try Data(contentsOf: Fixtures.repoRoot.appendingPathComponent("Calibration/eval.txt")))
        if !Fixtures.isRelease, let cut = text[..<16_000].lastIndex(of: 0x0A) { text = Array(text[...cut]) }
        return tok.encode32(text, addSpecial: true)
    }

    /// PPL within 0.1 % of transformers' reference (n_ctx 256, 16 chunks) in release; the first chunk's running
    /// estimate in debug.
    @Test(arguments: ReferenceLogitsTests.models)
    func perplexityMatchesReference(model: String) throws {
        let ref = try ModelReference(model: model)
        let data = try Data(contentsOf: Fixtures.model(model).appendingPathComponent("reference.json"))
        let byChunk = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["ppl_by_chunk"] as? [Double])
        let tokens = try Self.evalTokens(model)
        #expect(Array(tokens.prefix(ref.tokens.count)) == ref.tokens)
        let m = try loadFixtureModel(model)
        let chunks = Fixtures.isRelease ? ref.chunks : 1
        let plan = try PerplexityPlan(tokenCount: tokens.count, nCtx: ref.nCtx, maxChunks: chunks, batch: nil, bos: 1)
        let r = try PerplexityRun.run(model: m, tokens: tokens, plan: plan)
        #expect(r.chunks == chunks && r.tokensScored == chunks * (ref.nCtx - 1 - ref.nCtx / 2))
        for (i, p) in r.runningPPL.enumerated() {
            #expect(abs(p / byChunk[i] - 1) < 1e-3, "\(model) chunk \(i + 1): \(p) vs \(byChunk[i])")
        }
        if Fixtures.isRelease { #expect(abs(r.ppl / ref.ppl - 1) < 1e-3, "\(model): \(r.ppl) vs \(ref.ppl)") }
        #expect(r.pplError > 0)
    }

    /// Feeding each chunk in small batches through the cache scores the same.
    @Test func batchSizeDoesNotChangePerplexity() throws {
        let tokens = try ModelReference(model: "tiny-mixtral").tokens
        let m = try loadFixtureModel("tiny-mixtral")
        let a = try PerplexityRun.run(model: m, tokens: tokens, plan: try PerplexityPlan(tokenCount: tokens.count, nCtx: 48, maxChunks: 2, batch: nil, bos: 1))
        let b = try PerplexityRun.run(model: m, tokens: tokens, plan: try PerplexityPlan(tokenCount: tokens.count, nCtx: 48, maxChunks: 2, batch: 10, bos: 1))
        #expect(abs(a.ppl / b.ppl - 1) < 1e-5)
    }

    @Test func planFollowsLlamaPerplexity() throws {
        let p = try PerplexityPlan(tokenCount: 1000, nCtx: 256, maxChunks: nil, batch: nil, bos: 1)
        #expect(p.chunks == 3 && p.first == 128 && p.scoredPerChunk == 127)
        let t = (0..<1000).map { Int32($0 + 5) }
        #expect(p.chunkTokens(1, of: t).first == 1 && p.chunkTokens(1, of: t)[1] == 5 + 257)
        #expect(throws: InferenceError.self) { try PerplexityPlan(tokenCount: 500, nCtx: 256, maxChunks: nil, batch: nil, bos: 1) }
        var acc = PerplexityAccumulator()
        for x in [1.0, 2.0, 3.0] { acc.add(nll: x) }
        #expect(abs(acc.ppl - exp(2.0)) < 1e-12)
        #expect(abs(acc.pplError - exp(2.0) * ((14.0 / 3 - 4) / 2).squareRoot()) < 1e-12)
    }
}
