import Foundation
import Testing
import IngotTestSupport

/// A gguf-split set runs like the file it was split from: ppl, generate and tokenize on the first file of a set
/// made by `ingot convert --split-max-size` give exactly what they give on the same model unsplit.
@Suite struct SplitModelCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let model = fixtures.appendingPathComponent("models/tiny-llama").path

    /// The first 4 kB of Calibration/eval.txt.
    static func textFile(in dir: String) throws -> String {
        let repo = fixtures.deletingLastPathComponent().deletingLastPathComponent()
        let all = try Data(contentsOf: repo.appendingPathComponent("Calibration/eval.txt"))
        let path = dir + "/eval.txt"
        FileManager.default.createFile(atPath: path, contents: all.prefix(4000))
        return path
    }

    @Test func splitSetEqualsUnsplit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-cli-split-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try IngotBinary.run(["convert", Self.model, "-o", dir + "/whole.gguf", "--type", "Q8_0", "--threads", "2"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let split = try IngotBinary.run(["convert", Self.model, "-o", dir + "/split.gguf", "--type", "Q8_0",
                                         "--split-max-size", "1M", "--threads", "2"])
        #expect(split.status == 0, "\(split.stderr)")
        let shards = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("split-") }.sorted()
        try #require(shards.count >= 2, "\(shards)")
        let first = dir + "/" + shards[0]
        #expect(first.hasSuffix("-00001-of-0000\(shards.count).gguf"))

        let text = try Self.textFile(in: dir)
        func ppl(_ m: String) throws -> [String: Any] {
            let r = try IngotBinary.run(["ppl", m, "--text", text, "--ctx", "32", "--chunks", "3", "--threads", "2", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        }
        let a = try ppl(dir + "/whole.gguf"), b = try ppl(first)
        let pa = try #require(a["ppl"] as? Double), pb = try #require(b["ppl"] as? Double)
        #expect(pa == pb, "split \(pb) vs whole \(pa)")
        #expect(a["ppl_by_chunk"] as? [Double] == b["ppl_by_chunk"] as? [Double])
        #expect(a["tokens_scored"] as? Int == b["tokens_scored"] as? Int && (a["tokens_scored"] as? Int ?? 0) == 45)

        let gen = ["-p", "Once upon a time", "-n", "6", "--temperature", "0", "--threads", "2"]
        let ga = try IngotBinary.run(["generate", dir + "/whole.gguf"] + gen)
        let gb = try IngotBinary.run(["generate", first] + gen)
        #expect(ga.status == 0 && gb.status == 0, "\(ga.stderr) \(gb.stderr)")
        #expect(ga.stdout == gb.stdout && !ga.stdout.isEmpty)

        let ta = try IngotBinary.run(["tokenize", dir + "/whole.gguf", "Hello world"])
        let tb = try IngotBinary.run(["tokenize", first, "Hello world"])
        #expect(ta.status == 0 && ta.stdout == tb.stdout && !ta.stdout.isEmpty, "\(tb.stderr)")
    }

    /// `-n` is `--max-tokens`; the speed line starts on its own line even when stdout and stderr are one pipe.
    @Test func shortMaxTokensAndSpeedLineOnItsOwnLine() throws {
        let exe = try #require(IngotBinary.path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["generate", Self.model, "-p", "Once upon a time", "-n", "3", "--temperature", "0", "--threads", "2"]
        let both = Pipe()
        p.standardOutput = both
        p.standardError = both
        try p.run()
        let out = String(decoding: both.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(out)")
        let line = try #require(out.range(of: "prompt: "), "\(out)")
        #expect(line.lowerBound > out.startIndex && out[out.index(before: line.lowerBound)] == "\n", "\(out)")
        #expect(out.hasSuffix(")\n"), "the speed line is the last line: \(out)")
        let generated = try #require(out.range(of: #"generation: (\d+) tokens"#, options: .regularExpression))
        let n = Int(out[generated].dropFirst("generation: ".count).prefix { $0.isNumber }) ?? 99
        #expect(n >= 1 && n <= 3, "\(out)")
    }
}
