import Foundation
import IngotCore
import IngotFormats
import IngotInference
@testable import IngotPipeline
import Testing
import IngotTestSupport

/// `PerplexityJob` on the tiny llama checkpoint, and the text and JSON renderings of its report.
@Suite struct PerplexityJobTests {
    /// The first 4 kB of Calibration/eval.txt: a few chunks of 32 tokens.
    static let text: String = {
        let repo = ConvertFixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        let all = (try? Data(contentsOf: repo.appendingPathComponent("Calibration/eval.txt"))) ?? Data()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-ppl-job-\(getpid()).txt").path
        FileManager.default.createFile(atPath: path, contents: Data(all.prefix(4000)))
        return path
    }()

    static func options(_ extra: (inout PerplexityOptions) -> Void = { _ in }) -> PerplexityOptions {
        var o = PerplexityOptions(model: ConvertFixtures.model("tiny-llama"), text: text, nCtx: 32, maxChunks: 2, threads: 2)
        extra(&o)
        return o
    }

    @Test func runReportsEventsAndBothRenderings() throws {
        var events: [String] = []
        let report = try PerplexityJob.run(Self.options()) { e in
            switch e {
            case .started(let tokens, let plan, _): events.append("started \(tokens > 64) \(plan.chunks) \(plan.nCtx)")
            case .chunk(let i, let ppl): events.append("chunk \(i) \(ppl > 1)")
            case .finished: events.append("finished")
            }
        }
        #expect(events == ["started true 2 32", "chunk 0 true", "chunk 1 true", "finished"])
        let r = report.result
        #expect(r.chunks == 2 && r.nCtx == 32 && r.tokensScored == 2 * 15 && r.kld == nil)
        #expect(r.runningPPL.count == 2 && r.runningPPL[1] == r.ppl)

        let text = report.text()
        #expect(text.hasPrefix("Final estimate: PPL = \(String(format: "%.4f", r.ppl)) +/- \(String(format: "%.5f", r.pplError))\n"))
        #expect(text.contains("30 tokens scored in 2 chunks of 32; "))
        #expect(!text.contains("KL divergence"))

        let json = report.json()
        #expect(json["ppl"]?.double == r.ppl)
        #expect(json["tokens_scored"]?.int == 30 && json["chunks"]?.int == 2 && json["n_ctx"]?.int == 32)
        #expect(json["ppl_by_chunk"]?.array?.count == 2)
        #expect(json["kld"] == nil)
    }

    /// Against itself: KLD 0, the same top token everywhere, and the KLD table in the text.
    @Test func kldAgainstItself() throws {
        let report = try PerplexityJob.run(Self.options { $0.kldAgainst = ConvertFixtures.model("tiny-llama") })
        let k = try #require(report.result.kld)
        #expect(abs(k.mean) < 1e-6 && k.sameTopPercent == 100)
        #expect(report.result.tokensEvaluated == 2 * 2 * 32)
        let text = report.text()
        #expect(text.contains("====== KL divergence statistics ======"))
        #expect(text.contains("Same top p      : 100.000 ± "))
        #expect(report.json()["kld"]?["same_top_p"]?.double == 100)
        #expect(report.json()["kld"]?["tokens"]?.int == 30)
    }

    @Test func progressLines() throws {
        let plan = try PerplexityPlan(tokenCount: 100, nCtx: 32, maxChunks: nil, batch: nil, bos: 1)
        #expect(PerplexityReport.startLine(tokens: 100, plan: plan, threads: 2)
                == "ppl: 100 tokens, 3 chunks of 32, 15 scored per chunk, 2 threads\n")
        #expect(PerplexityReport.chunkText(index: 0, ppl: 12.345678) == "[1]12.3457,")
    }

    @Test func optionsAreValidatedBeforeAnythingOpens() {
        func message(_ o: PerplexityOptions) -> String {
            do { try o.validate(); return "valid" } catch { return String(describing: error) }
        }
        #expect(message(Self.options()) == "valid")
        #expect(message(Self.options { $0.nCtx = 2 }) == "--ctx must be at least 4")
        #expect(message(Self.options { $0.text = nil }).contains("--text FILE is required"))
        #expect(message(Self.options { $0.kldBase = "b"; $0.kldAgainst = "m" }).contains("not both"))
        #expect(message(Self.options { $0.saveTopK = 0 }).contains("--top-k"))
        // The job checks too: a bad option is refused without opening the (missing) model.
        #expect { _ = try PerplexityJob.run(Self.options { $0.model = "/nonexistent"; $0.maxChunks = 0 }) } throws: {
            String(describing: $0).contains("--chunks must be at least 1")
        }
    }
}
