import Foundation
import IngotFormats
import Testing
@testable import IngotModel

/// The hand-written scanners against Oniguruma's splits (HF `tokenizers`), recorded by
/// scripts/make_split_expected.py over random strings from a pool of every character class involved.
@Suite struct SplitPatternTests {
    static let cases: JSONValue = (try? JSON.parseFile(TokenizerFixtures.fixture("tokenizer/split-cases.json"))) ?? .null

    @Test(arguments: SplitPattern.allCases)
    func matchesOniguruma(_ p: SplitPattern) throws {
        let list = try #require(Self.cases[p.rawValue]?.array)
        #expect(list.count > 300)
        var failures = 0
        for c in list {
            let text = try #require(c[0]?.string)
            let want = try #require(c[1]?.array).compactMap(\.string)
            let got = p.pieces(text)
            if got != want {
                failures += 1
                if failures <= 5 {
                    Issue.record("\(p): \(text.unicodeScalars.map { String($0.value, radix: 16) }) → \(got.map { Array($0.unicodeScalars) }) want \(want.map { Array($0.unicodeScalars) })")
                }
            }
        }
        #expect(failures == 0)
    }

    @Test func carriageReturnIsNotMergedWithNewline() {
        // Swift's Character would treat "\r\n" as one grapheme; the scanners see two scalars.
        #expect(SplitPattern.gpt2.pieces("a\r\nb") == ["a", "\r", "\n", "b"])
        #expect(SplitPattern.llama3.pieces("a\r\n\r\nb") == ["a", "\r\n\r\n", "b"])
    }

    @Test func piecesTileTheInput() {
        let s = "Hello   world's 12345\n\n\t中文 🙂 don't ABCdef"
        for p in SplitPattern.allCases { #expect(p.pieces(s).joined() == s) }
    }
}
