import Foundation
import IngotCore
import IngotInference
import IngotModel
@testable import IngotPipeline
import Testing
import IngotTestSupport

/// `GenerateJob`: the prompt through the chat template, the end-token set, validation, and a greedy run.
@Suite struct GenerateJobTests {
    static let model = ConvertFixtures.model("tiny-llama")

    @Test func promptWithAndWithoutTheChatTemplate() throws {
        let tok = try Tokenizer.load(huggingFace: Self.model)
        let plain = try GenerateJob.promptText("Hi there", chat: false, tokenizer: tok, model: Self.model)
        #expect(plain.text == "Hi there" && plain.addSpecial)
        let chat = try GenerateJob.promptText("Hi there", chat: true, tokenizer: tok, model: Self.model)
        #expect(chat.text.contains("Hi there") && chat.text != "Hi there")
        // The template writes BOS itself when the model wants one: the tokenizer adds nothing.
        #expect(!chat.addSpecial)
        let expected = try ChatTemplate(try #require(tok.chatTemplate)).apply(
            messages: [["role": "user", "content": "Hi there"]], addGenerationPrompt: true,
            bosToken: tok.bos.flatMap { tok.tokenString($0) }, eosToken: tok.eos.flatMap { tok.tokenString($0) })
        #expect(chat.text == expected)
    }

    @Test func aModelWithoutATemplateIsAnErrorNamingIt() throws {
        let gguf = ConvertFixtures.root.appendingPathComponent("vocab/ggml-vocab-gpt-2.gguf").path
        let tok = try Tokenizer.load(path: gguf)
        try #require(tok.chatTemplate == nil)
        #expect { _ = try GenerateJob.promptText("x", chat: true, tokenizer: tok, model: gguf) } throws: {
            String(describing: $0).hasPrefix(gguf + ": the model has no chat template")
        }
    }

    @Test func endTokensJoinTheModelsAndTheTokenizers() throws {
        let tok = try Tokenizer.load(huggingFace: Self.model)
        let eos = try #require(tok.eos)
        #expect(GenerateJob.endTokens(modelEOS: [7, 9], tokenizer: tok) == [7, 9, Int32(eos)])
        #expect(GenerateJob.endTokens(modelEOS: [], tokenizer: tok) == [Int32(eos)])
    }

    @Test func optionsAreValidated() {
        func message(_ change: (inout GenerateOptions) -> Void) -> String {
            var o = GenerateOptions(model: Self.model, prompt: "x")
            change(&o)
            do { try o.validate(); return "valid" } catch { return String(describing: error) }
        }
        #expect(message { _ in } == "valid")
        #expect(message { $0.maxTokens = -1 } == "--max-tokens must not be negative")
        #expect(message { $0.sampling.topP = 0 } == "--top-p must be in (0, 1]")
        #expect(message { $0.sampling.temperature = .infinity } == "--temperature must be 0 or more")
        #expect(message { $0.sampling.repeatLastN = -2 } == "--repeat-last-n must be -1 or more")
        #expect(message { $0.threads = 0 } == "--threads must be at least 1")
    }

    /// Greedy: the same text twice; what streams is what the report holds; at most maxTokens tokens.
    @Test func greedyRunStreamsTheReportedText() throws {
        var o = GenerateOptions(model: Self.model, prompt: "Once upon a time", maxTokens: 6, threads: 2)
        o.sampling.temperature = 0
        var streamed = ""
        var seeds = 0
        let a = try GenerateJob.run(o) { e in
            switch e {
            case .text(let t): streamed += t
            case .seed: seeds += 1
            }
        }
        let b = try GenerateJob.run(o)
        #expect(a.text == streamed && a.text == b.text && a.tokens == b.tokens)
        #expect(seeds == 0, "a greedy run reports no seed")
        #expect(a.tokens.count <= 6 && a.stats.generatedTokens == a.tokens.count)
        #expect(a.promptTokens.first == 1) // BOS from the tokenizer, no chat template
        #expect(a.speedLine.hasPrefix("prompt: \(a.promptTokens.count) tokens, "))
        #expect(a.speedLine.hasSuffix(" tokens/s (\(a.stats.finishReason))\n"))
    }
}
