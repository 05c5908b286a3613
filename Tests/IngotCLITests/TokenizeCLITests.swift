import Foundation
import IngotFormats
import Testing
import IngotTestSupport

private let fixtures = Fixtures.root

/// `ingot tokenize` through the built binary (IngotBinary is shared with InspectCLITests).
@Suite struct TokenizeCLITests {
    @Test func modelDirectoryJSON() throws {
        let dir = fixtures.appendingPathComponent("models/tiny-llama").path
        let r = try IngotBinary.run(["tokenize", dir, "Hello world", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let ids = try #require(try JSON.parse(r.stdout)["ids"]?.array).compactMap(\.int)
        #expect(ids.first == 1) // BOS from the TemplateProcessing post-processor
        let noBOS = try IngotBinary.run(["tokenize", dir, "Hello world", "--json", "--no-bos"])
        let ids2 = try #require(try JSON.parse(noBOS.stdout)["ids"]?.array).compactMap(\.int)
        #expect(Array(ids.dropFirst()) == ids2)
    }

    /// A vocabulary-only GGUF, text from a file, ids as llama.cpp's test expects (first case of the .out file).
    @Test func vocabularyGGUFFromFile() throws {
        let gguf = fixtures.appendingPathComponent("vocab/ggml-vocab-llama-spm.gguf").path
        let dir = URL(fileURLWithPath: Fixtures.temporaryDirectory("ingot-tok"))
        defer { Fixtures.cleanup(dir.path) }
        let f = dir.appendingPathComponent("in.txt").path
        try "ied 4 ½ months".write(toFile: f, atomically: true, encoding: .utf8)
        let r = try IngotBinary.run(["tokenize", gguf, "--file", f, "--no-bos"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "474 287 29871 29946 29871 30226 7378\n")
        let withBOS = try IngotBinary.run(["tokenize", gguf, "--file", f])
        #expect(withBOS.stdout.hasPrefix("1 474 "))
    }

    @Test func badInputExitsTwo() throws {
        let missing = try IngotBinary.run(["tokenize", "/nonexistent/model", "x"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/model"))
        let tj = fixtures.appendingPathComponent("models/tokenizer.json").path
        let neither = try IngotBinary.run(["tokenize", tj])
        #expect(neither.status == 2)
        #expect(neither.stderr.contains("TEXT or --file"))
        // A file that is not a tokenizer: the error names the file.
        let notTok = try IngotBinary.run(["tokenize", fixtures.appendingPathComponent("models/tiny-llama/config.json").path, "x"])
        #expect(notTok.status == 2)
        #expect(notTok.stderr.contains("config.json"))
    }
}
