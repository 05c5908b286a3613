import Foundation
import Testing
import IngotTestSupport

private let fixtures = Fixtures.root
private let repo = fixtures.deletingLastPathComponent().deletingLastPathComponent()

@Suite struct PplGenerateCLITests {
    static let model = fixtures.appendingPathComponent("models/tiny-llama").path
    /// The first 8 kB of Calibration/eval.txt (cut at a line end): a few small chunks without tokenizing 1 MB.
    static let text: String = {
        let all = (try? Data(contentsOf: repo.appendingPathComponent("Calibration/eval.txt"))) ?? Data()
        let cut = all.prefix(8000).lastIndex(of: 0x0A).map { all.prefix(through: $0) } ?? all.prefix(8000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-cli-eval-\(getpid()).txt").path
        FileManager.default.createFile(atPath: path, contents: Data(cut))
        return path
    }()

    @Test func pplJSONHasTheKeys() throws {
        let r = try IngotBinary.run(["ppl", Self.model, "--text", Self.text, "--ctx", "32", "--chunks", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for k in ["ppl", "ppl_error", "tokens_scored", "chunks", "n_ctx", "seconds", "tokens_per_second"] {
            #expect(o[k] != nil, "missing \(k)")
        }
        #expect(o["tokens_scored"] as? Int == 2 * 15 && o["chunks"] as? Int == 2 && o["n_ctx"] as? Int == 32)
        #expect((o["ppl"] as? Double ?? 0) > 1)
        #expect(r.stderr.contains("[1]") && r.stderr.contains("[2]"))
    }

    @Test func pplAgainstItselfHasZeroKLD() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-cli-kld-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let save = try IngotBinary.run(["ppl", Self.model, "--text", Self.text, "--ctx", "32", "--chunks", "2", "--save-base", base])
        #expect(save.status == 0, "\(save.stderr)")
        #expect(save.stdout.contains("Final estimate: PPL = "))
        let r = try IngotBinary.run(["ppl", Self.model, "--kld-base", base, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let k = try #require(o["kld"] as? [String: Any])
        for key in ["mean", "mean_error", "median", "p90", "p99", "max", "same_top_p", "rms_delta_p"] { #expect(k[key] != nil, "missing \(key)") }
        #expect(abs(k["mean"] as? Double ?? 1) < 1e-5)
        #expect(k["same_top_p"] as? Double == 100)
    }

    @Test func pplErrorsExitTwo() throws {
        let missing = try IngotBinary.run(["ppl", "/nonexistent/model", "--text", Self.text])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/model"))
        let short = try IngotBinary.run(["ppl", Self.model, "--text", Self.text, "--ctx", "2"])
        #expect(short.status == 2)
    }

    @Test func greedyGenerateIsDeterministic() throws {
        let args = ["generate", Self.model, "-p", "Once upon a time", "--max-tokens", "8", "--temperature", "0"]
        let a = try IngotBinary.run(args), b = try IngotBinary.run(args)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout == b.stdout && !a.stdout.isEmpty)
        #expect(a.stderr.contains("tokens/s"))
        let chat = try IngotBinary.run(args + ["--chat"])
        #expect(chat.status == 0, "\(chat.stderr)")
    }
}
