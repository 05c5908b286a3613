import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotModel

/// llama.cpp's tokenizer tests (`test-tokenizer-0`): each `.inp` holds inputs separated by
/// "\n__ggml_vocab_test__\n", each `.out` one line of ids per input; tokenized without BOS/EOS and without
/// parsing special tokens, as the test does.
@Suite struct LlamaCppVocabTests {
    static let vocabs = ["gpt-2", "llama-bpe", "llama-spm", "phi-3"]

    static func cases(_ name: String) throws -> [(String, [Int])] {
        let base = TokenizerFixtures.fixture("vocab/ggml-vocab-\(name).gguf")
        let inp = try String(contentsOfFile: base + ".inp", encoding: .utf8)
        let out = try String(contentsOfFile: base + ".out", encoding: .utf8)
        var inputs = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
        if inputs.last == "" { inputs.removeLast() }
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return inputs.enumerated().map { i, s in
            (s, i < lines.count ? lines[i].split(separator: " ").compactMap { Int($0) } : [-1])
        }
    }

    @Test(arguments: vocabs)
    func matchesLlamaCpp(_ name: String) throws {
        let tok = try TokenizerFixtures.shared("vocab/ggml-vocab-\(name).gguf")
        let cs = try Self.cases(name)
        #expect(cs.count == 46)
        var bad = 0
        for (text, want) in cs {
            let got = tok.encode(text, addSpecial: false, parseSpecial: false)
            if got != want {
                bad += 1
                if bad <= 4 { Issue.record("\(name): \(text.debugDescription): \(got) want \(want)") }
            }
        }
        #expect(bad == 0)
    }

    @Test func specialFlagsFromGGUF() throws {
        let spm = try TokenizerFixtures.shared("vocab/ggml-vocab-llama-spm.gguf")
        #expect(spm.bos == 1 && spm.eos == 2 && spm.addBOS && !spm.addEOS)
        #expect(spm.encode("Hello").first == 1)
        #expect(spm.decode(spm.encode("Hello world"), skipSpecial: true) == "Hello world")
        let l3 = try TokenizerFixtures.shared("vocab/ggml-vocab-llama-bpe.gguf")
        #expect(l3.bos == 128000 && l3.addBOS)
        #expect(l3.encode("<|begin_of_text|>Hi", addSpecial: false).first == 128000)
        #expect(l3.encode("<|begin_of_text|>Hi", addSpecial: false, parseSpecial: false).first != 128000)
        let g2 = try TokenizerFixtures.shared("vocab/ggml-vocab-gpt-2.gguf")
        #expect(!g2.addBOS)
        #expect(g2.decode(g2.encode("it's 中文 🙂")) == "it's 中文 🙂")
    }

    @Test func unknownPreTokenizerIsRejected() throws {
        var m = Metadata()
        m.set("tokenizer.ggml.model", .string("gpt2"))
        m.set("tokenizer.ggml.pre", .string("deepseek-llm"))
        m.set("tokenizer.ggml.tokens", .array(.string, [.string("a")]))
        m.set("tokenizer.ggml.merges", .array(.string, []))
        #expect(throws: TokenizerError.self) { try Tokenizer.load(gguf: m, file: "x.gguf") }
        do { _ = try Tokenizer.load(gguf: m, file: "x.gguf") } catch {
            #expect("\(error)".contains("x.gguf: tokenizer.ggml.pre: unknown pre-tokenizer 'deepseek-llm'"))
        }
    }
}
