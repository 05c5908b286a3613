import Foundation
import Testing
@testable import IngotInference
import IngotTestSupport

@Suite struct KLDTests {
    /// A model against itself: KLD 0 everywhere, the same top token everywhere, Δp 0; also through the cache file.
    @Test func selfKLDIsZero() throws {
        let m = try loadFixtureModel("tiny-llama")
        let tokens = try ModelReference(model: "tiny-llama").tokens
        let plan = try PerplexityPlan(tokenCount: tokens.count, nCtx: 32, maxChunks: Fixtures.isRelease ? 8 : 2, batch: nil, bos: 1)
        let cache = m.makeCache(capacity: plan.nCtx)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-kld-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let header = KLDBaseHeader(nCtx: plan.nCtx, vocab: m.spec.vocabSize, chunks: plan.chunks, topK: 16, bos: 1,
                                   tokens: Array(tokens.prefix(plan.chunks * plan.nCtx)))
        let writer = try KLDBaseWriter(path: path, header: header)
        var direct = KLDAccumulator()
        var chunks: [[Float]] = []
        for c in 0..<plan.chunks {
            let (logits, targets) = try plan.scoredLogits(chunk: c, tokens: tokens, model: m, cache: cache)
            chunks.append(logits)
            let V = m.spec.vocabSize
            var rows: [BaseDistribution] = []
            try logits.withUnsafeBufferPointer { lp in
                for (i, t) in targets.enumerated() {
                    let b = BaseDistribution(logits: lp.baseAddress! + i * V, vocab: V, topK: 16, target: t)
                    rows.append(b)
                    direct.add(base: b, logits: lp.baseAddress! + i * V, vocab: V, target: t)
                }
                _ = lp
            }
            try writer.append(rows)
        }
        try writer.commit()
        let s = direct.summary
        #expect(abs(s.mean) < 1e-6 && s.max < 1e-5)
        #expect(s.sameTopPercent == 100)
        #expect(s.rmsDeltaPPercent < 1e-4)
        #expect(s.tokens == plan.chunks * plan.scoredPerChunk)

        let reader = try KLDBaseReader(path: path)
        #expect(reader.header == header)
        var fromFile = KLDAccumulator()
        for c in 0..<plan.chunks {
            let rows = try reader.chunk(c)
            let targets = Array(plan.chunkTokens(c, of: tokens)[(plan.first + 1)...])
            chunks[c].withUnsafeBufferPointer { lp in
                for (i, r) in rows.enumerated() {
                    fromFile.add(base: r, logits: lp.baseAddress! + i * m.spec.vocabSize, vocab: m.spec.vocabSize, target: targets[i])
                }
            }
        }
        #expect(abs(fromFile.summary.mean) < 1e-5 && fromFile.summary.sameTopPercent == 100)
    }

    @Test func statisticsFollowLlamaPerplexity() {
        #expect(KLDAccumulator.percentile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(KLDAccumulator.percentile([0, 10], 0.9) == 9)
        let (m, e) = KLDAccumulator.meanAndError([1, 2, 3])
        #expect(m == 2 && e == 0)                              // N ≤ 10: no error estimate
        let v = (1...20).map(Double.init)
        let (m2, e2) = KLDAccumulator.meanAndError(v)
        let expected = ((v.map { $0 * $0 }.reduce(0, +) / 20 - m2 * m2) / 19).squareRoot()
        #expect(m2 == 10.5 && abs(e2 - expected) < 1e-12)
    }

    @Test func hostileBaseFilesAreRejected() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-kld-bad-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let header = KLDBaseHeader(nCtx: 8, vocab: 10, chunks: 1, topK: 2, bos: 1, tokens: [1, 2, 3, 4, 5, 6, 7, 8])
        var bytes = header.encoded()
        try Data(bytes).write(to: URL(fileURLWithPath: path))   // no records
        #expect(throws: InferenceError.self) { try KLDBaseReader(path: path) }
        bytes[12] = 0xFF; bytes[13] = 0xFF                      // n_ctx absurd
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: InferenceError.self) { try KLDBaseReader(path: path) }
        try Data(bytes.prefix(10)).write(to: URL(fileURLWithPath: path))
        #expect(throws: InferenceError.self) { try KLDBaseReader(path: path) }
    }
}
