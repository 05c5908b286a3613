import Foundation
import Testing
@testable import IngotModel

/// decode(encode(x)) == x, and the special-token and post-processor behaviour of the fixtures.
@Suite struct TokenizerRoundTripTests {
    static let samples = [
        "Hello world", " Hello  world", "it's 2026\r\n\ttabs\n\n", "中文 ✓ 🙂 emoji", "ied 4 ½ months",
        "a  \n  b", "", " ", "<|endoftext|> inside", "x" + String(repeating: " ", count: 40) + "y",
    ]

    @Test(arguments: TokenizerFixtures.huggingFace.map(\.path))
    func roundTrip(_ path: String) throws {
        let tok = try TokenizerFixtures.load(path)
        for s in Self.samples {
            let ids = tok.encode(s, addSpecial: false)
            #expect(tok.decode(ids) == s, "\(path): '\(s)' → \(ids)")
        }
        let text = String(decoding: try TokenizerFixtures.evalText.prefix(20000), as: UTF8.self)
        #expect(tok.decode(tok.encode(text, addSpecial: false)) == text)
    }

    @Test func modelsFixtureAddsBOS() throws {
        let tok = try TokenizerFixtures.load("models/tokenizer.json")
        #expect(tok.bos == 1)
        #expect(tok.addBOS)
        let ids = tok.encode("Hello")
        #expect(ids.first == 1)
        #expect(Array(ids.dropFirst()) == tok.encode("Hello", addSpecial: false))
        #expect(tok.decode(ids, skipSpecial: true) == "Hello")
        #expect(tok.decode(ids, skipSpecial: false) == "<|begin_of_text|>Hello")
        #expect(tok.tokenID("<|end|>") == 4)
    }

    @Test func addedTokensSplitFirst() throws {
        let tok = try TokenizerFixtures.load("models/tokenizer.json")
        let ids = tok.encode("<|start|>user<|message|>hi<|end|>", addSpecial: false)
        #expect(ids.first == 2)
        #expect(ids.contains(3) && ids.last == 4)
    }

    @Test func sentencePieceStyle() throws {
        let tok = try TokenizerFixtures.load("vocab/tokenizer-fixtures/llama2_spm_style.json")
        // The Prepend normaliser runs per segment after added tokens are split out.
        let ids = tok.encode("</s>Hello")
        #expect(ids.prefix(2) == [1, 2])
        #expect(tok.decode(Array(ids.dropFirst(2))) == "Hello")
        // Byte fallback for characters outside the vocabulary.
        let emoji = tok.encode("🙂", addSpecial: false)
        #expect(emoji.suffix(4).map { tok.tokenString($0)! } == ["<0xF0>", "<0x9F>", "<0x99>", "<0x82>"])
        #expect(tok.decodePiece(emoji.last!) == [0x82])
    }

    @Test func decodePieceConcatenatesToText() throws {
        for (_, path) in TokenizerFixtures.huggingFace where !path.contains("spm") {
            let tok = try TokenizerFixtures.load(path)
            let s = "Stream 🙂 me, 中文"
            let bytes = tok.encode(s, addSpecial: false).flatMap { tok.decodePiece($0) }
            #expect(String(decoding: bytes, as: UTF8.self) == s, "\(path)")
        }
    }
}
