import Foundation
import IngotFormats
import Testing
@testable import IngotModel

/// Every tokenizer.json fixture gives Hugging Face `tokenizers`' ids on Calibration/eval.txt
/// (expected ids from scripts/make_tokenizer_expected.py). Debug builds check the first 64k characters;
/// release builds the whole file.
@Suite struct HuggingFaceParityTests {
    static let names = TokenizerFixtures.huggingFace.map(\.name)

    static func expected(_ name: String) throws -> JSONValue {
        try JSON.parseFile(TokenizerFixtures.fixture("tokenizer/\(name).expected.json"))
    }

    static func tokenizer(_ name: String) throws -> Tokenizer {
        try TokenizerFixtures.load(TokenizerFixtures.huggingFace.first { $0.name == name }!.path)
    }

    /// Compares ids with a digest record, naming the first differing chunk.
    static func check(_ ids: [Int32], _ d: JSONValue, _ what: String) throws {
        let count = try #require(d["count"]?.int)
        let chunk = try #require(d["chunk"]?.int)
        let chunks = try #require(d["chunks"]?.array).compactMap(\.string)
        #expect(ids.count == count, "\(what): \(ids.count) ids, want \(count)")
        for (i, want) in chunks.enumerated() {
            let lo = i * chunk, hi = min(ids.count, lo + chunk)
            guard lo < hi else { break }
            let got = String(TokenizerFixtures.digest(ids[lo..<hi]).prefix(16))
            if got != want {
                Issue.record("\(what): first difference in ids \(lo)..<\(hi)")
                return
            }
        }
        #expect(TokenizerFixtures.digest(ids[...]) == d["sha256"]?.string, "\(what): digest")
    }

    @Test(arguments: names)
    func lines(_ name: String) throws {
        let tok = try Self.tokenizer(name)
        let exp = try Self.expected(name)
        let want = try #require(exp["lines"]?.array)
        let text = String(decoding: try TokenizerFixtures.evalText, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var bad = 0
        for (i, w) in want.enumerated() {
            let ids = (w.array ?? []).compactMap(\.int)
            let got = tok.encode(String(lines[i]), addSpecial: false)
            if got != ids {
                bad += 1
                if bad <= 3 { Issue.record("\(name) line \(i + 1) '\(lines[i])': \(got) want \(ids)") }
            }
        }
        #expect(bad == 0)
    }

    @Test(arguments: names)
    func evalText(_ name: String) throws {
        let tok = try Self.tokenizer(name)
        let exp = try Self.expected(name)
        let bytes = try TokenizerFixtures.evalText
        if TokenizerFixtures.isDebugBuild {
            let head = try #require(exp["head_chars"]?.int)
            let text = String(decoding: bytes, as: UTF8.self)
            let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(head)))
            try Self.check(tok.encode32(Array(prefix.utf8)), try #require(exp["head"]), "\(name) head")
        } else {
            try Self.check(tok.encode32(bytes), try #require(exp["whole"]), "\(name) whole")
        }
    }
}
