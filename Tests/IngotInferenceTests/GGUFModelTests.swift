import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotInference
import IngotTestSupport

@Suite struct GGUFModelTests {
    static func tempPath(_ tag: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ingot-\(tag)-\(getpid()).gguf").path
    }

    /// The F16 GGUF of the F16 checkpoint holds the same numbers: logits equal transformers' (permuted q/k,
    /// llama.cpp names, interleaved RoPE).
    @Test func f16GGUFLogitsMatchTransformers() throws {
        let path = Self.tempPath("f16")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TinyGGUF.writeLlama(to: path, type: .f16)
        let m = try Transformer(ggufSource: try GGUFReader(path: path), threads: 2)
        #expect(m.spec.ropeStyle == .interleaved)
        let ref = try ModelReference(model: "tiny-llama")
        let n = Fixtures.isRelease ? ref.tokens.count : 33
        let logits = try m.forward(Array(ref.tokens.prefix(n)), cache: m.makeCache(capacity: n), logitRows: 0..<n)
        let V = m.spec.vocabSize
        for (row, expected) in ref.rows where row < n {
            let d = maxAbsDiff(Array(logits[row * V..<(row + 1) * V]), expected)
            #expect(d.value < 1e-3, "row \(row): \(d)")
        }
    }

    /// A Q8_0 GGUF against the checkpoint: KLD small but positive, nearly always the same top token.
    @Test func q8GGUFHasSmallPositiveKLD() throws {
        let path = Self.tempPath("q8")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TinyGGUF.writeLlama(to: path, type: .q8_0)
        let q = try Transformer(ggufSource: try GGUFReader(path: path), threads: 2)
        let base = try loadFixtureModel("tiny-llama")
        let tokens = try ModelReference(model: "tiny-llama").tokens
        let plan = try PerplexityPlan(tokenCount: tokens.count, nCtx: 64, maxChunks: Fixtures.isRelease ? 4 : 1, batch: nil, bos: 1)
        var acc = KLDAccumulator()
        let bc = base.makeCache(capacity: 64), qc = q.makeCache(capacity: 64)
        let V = base.spec.vocabSize
        for c in 0..<plan.chunks {
            let (bl, targets) = try plan.scoredLogits(chunk: c, tokens: tokens, model: base, cache: bc)
            let (ql, _) = try plan.scoredLogits(chunk: c, tokens: tokens, model: q, cache: qc)
            bl.withUnsafeBufferPointer { bp in ql.withUnsafeBufferPointer { qp in
                for (i, t) in targets.enumerated() {
                    let b = BaseDistribution(logits: bp.baseAddress! + i * V, vocab: V, topK: 32, target: t)
                    acc.add(base: b, logits: qp.baseAddress! + i * V, vocab: V, target: t)
                }
            } }
        }
        let s = acc.summary
        #expect(s.mean > 0 && s.mean < 0.01, "mean KLD \(s.mean)")
        #expect(s.sameTopPercent > 90, "same top \(s.sameTopPercent)%")
    }
}
