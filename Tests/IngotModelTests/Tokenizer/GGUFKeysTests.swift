import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotModel
import IngotTestSupport

/// `ggufMetadata()` against what llama.cpp's converter wrote for the fixture model
/// (tiny-llama-F16.json records each array's count and the sha256 of Python's `json.dumps` of its values).
@Suite struct GGUFKeysTests {
    static func sha256(_ s: String) -> String {
        var h = SHA256()
        h.update(Array(s.utf8))
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    @Test func matchesConverterOutput() throws {
        let tok = try Tokenizer.load(huggingFace: TokenizerFixtures.fixture("models/tiny-llama"))
        let got = try tok.ggufMetadata()
        let ref = try JSON.parseFile(TokenizerFixtures.fixture("models/tiny-llama/llamacpp/tiny-llama-F16.json"))
        let want = try #require(ref["metadata"]?.array).filter { $0["key"]?.string?.hasPrefix("tokenizer.") == true }
        #expect(got.map(\.key) == want.compactMap { $0["key"]?.string })
        for (g, w) in zip(got, want) {
            let v = try #require(w["value"])
            if let count = v["count"]?.int {
                #expect(g.value.arrayValue?.count == count, "\(g.key) count")
                #expect(Self.sha256(ConvertFixtures.pythonJSON(g.value)) == v["sha256"]?.string, "\(g.key) values")
            } else if let s = v.string {
                #expect(g.value.stringValue == s, "\(g.key)")
            } else if let b = v.bool {
                #expect(g.value.boolValue == b, "\(g.key)")
            } else {
                #expect(g.value.intValue == v.int, "\(g.key)")
            }
        }
    }
}
