import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotModel

/// Hostile or unsupported tokenizer files fail with a message naming the file and the key.
@Suite struct TokenizerErrorTests {
    static func base() throws -> JSONObject {
        let j = try JSON.parseFile(TokenizerFixtures.fixture("vocab/tokenizer-fixtures/gpt2_style.json"))
        return try #require(j.object)
    }

    static func message(_ j: JSONObject) -> String? {
        do { _ = try Tokenizer.load(tokenizerJSON: .object(j), config: nil); return nil } catch { return "\(error)" }
    }

    @Test func mergeOutOfVocabulary() throws {
        var j = try Self.base()
        var model = try #require(j["model"]?.object)
        var merges = try #require(model["merges"]?.array)
        merges[17] = .array([.string("x"), .string("\u{1F642}")])
        model.set("merges", .array(merges))
        j.set("model", .object(model))
        #expect(Self.message(j) == "tokenizer.json: model.merges[17]: token '\u{1F642}' not in vocab")
    }

    @Test func badMergeString() throws {
        var j = try Self.base()
        var model = try #require(j["model"]?.object)
        model.set("merges", .array([.string("a b c")]))
        j.set("model", .object(model))
        #expect(Self.message(j)?.hasPrefix("tokenizer.json: model.merges[0]: 'a b c' is not two tokens") == true)
    }

    @Test func unsupportedComponents() throws {
        var j = try Self.base()
        j.set("pre_tokenizer", .object(JSONObject([("type", .string("Whitespace"))])))
        #expect(Self.message(j)?.hasPrefix("tokenizer.json: pre_tokenizer.type: unsupported pre-tokenizer 'Whitespace'") == true)
        var k = try Self.base()
        var model = try #require(k["model"]?.object)
        model.set("type", .string("Unigram"))
        k.set("model", .object(model))
        #expect(Self.message(k) == "tokenizer.json: model.type: unsupported model 'Unigram'; supported: BPE")
        var d = try Self.base()
        d.set("decoder", .object(JSONObject([("type", .string("WordPiece"))])))
        #expect(Self.message(d)?.contains("decoder.type: unsupported decoder 'WordPiece'") == true)
    }

    @Test func badIdsAndMissingKeys() throws {
        var j = try Self.base()
        var model = try #require(j["model"]?.object)
        var vocab = try #require(model["vocab"]?.object)
        vocab.set("zz", .int(-5))
        model.set("vocab", .object(vocab))
        j.set("model", .object(model))
        #expect(Self.message(j) == "tokenizer.json: model.vocab[\"zz\"]: expected a non-negative id")
        var m = try Self.base()
        m.remove("model")
        #expect(Self.message(m) == "tokenizer.json: model: missing")
    }

    @Test func ggufTypeMismatch() throws {
        var m = IngotCore.Metadata()
        m.set("tokenizer.ggml.model", .string("llama"))
        m.set("tokenizer.ggml.tokens", .array(.string, [.string("a"), .string("b")]))
        m.set("tokenizer.ggml.scores", .array(.float32, [.float32(0)]))
        #expect(throws: TokenizerError.invalid(file: "v.gguf", key: "tokenizer.ggml.scores", message: "1 entries for 2 tokens")) {
            try Tokenizer.load(gguf: m, file: "v.gguf")
        }
        m.set("tokenizer.ggml.model", .string("bert"))
        #expect(throws: TokenizerError.self) { try Tokenizer.load(gguf: m, file: "v.gguf") }
    }
}
