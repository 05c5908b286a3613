import Foundation
import IngotFormats
import Testing
@testable import IngotModel

@Suite struct PreTokenizerDetectorTests {
    @Test(arguments: [
        ("models/tokenizer.json", "gpt-2"),
        ("vocab/tokenizer-fixtures/gpt2_style.json", "gpt-2"),
        ("vocab/tokenizer-fixtures/llama3_style.json", "llama-bpe"),
        ("vocab/tokenizer-fixtures/o200k_style.json", "gpt-4o"),
        ("vocab/tokenizer-fixtures/llama2_spm_style.json", "default"),
    ])
    func detects(_ path: String, _ name: String) throws {
        #expect(try PreTokenizerDetector.detect(tokenizerJSON: TokenizerFixtures.fixture(path)) == name)
    }

    /// What llama.cpp's converter wrote for the fixture model.
    @Test func matchesConverterOutput() throws {
        let meta = try JSON.parseFile(TokenizerFixtures.fixture("models/tiny-llama/llamacpp/tiny-llama-F16.json"))
        let pre = meta["metadata"]?.array?.first { $0["key"]?.string == "tokenizer.ggml.pre" }?["value"]?.string
        #expect(try PreTokenizerDetector.detect(tokenizerJSON: TokenizerFixtures.fixture("models/tokenizer.json")) == pre)
    }

    @Test func unknownNamesClosest() throws {
        var json = try JSON.parseFile(TokenizerFixtures.fixture("vocab/tokenizer-fixtures/llama3_style.json"))
        // Qwen2-like: one digit at a time, but with a twist llama.cpp does not know.
        let rx = SplitPattern.llama3.regex.replacingOccurrences(of: #"\p{N}{1,3}"#, with: #"\p{N}{1,4}"#)
        guard case .object(var root) = json, case .object(var pre)? = root["pre_tokenizer"],
              case .array(var steps)? = pre["pretokenizers"], case .object(var split) = steps[0] else {
            Issue.record("fixture shape"); return
        }
        split.set("pattern", .object(JSONObject([("Regex", .string(rx))])))
        steps[0] = .object(split)
        pre.set("pretokenizers", .array(steps))
        root.set("pre_tokenizer", .object(pre))
        json = .object(root)
        #expect(throws: TokenizerError.self) { try PreTokenizerDetector.detect(json) }
        do { _ = try PreTokenizerDetector.detect(json) } catch let e as TokenizerError {
            #expect(e.description.contains("closest is 'llama-bpe'"))
        }
    }
}
