import Foundation
import IngotFormats
import Testing
@testable import IngotModel

/// The Jinja-subset interpreter against jinja2 renderings (scripts/make_chat_template_expected.py) of the
/// fixture models' template, Phi-3's and gpt-oss's, including tool calls and `raise_exception`.
@Suite struct ChatTemplateTests {
    static let doc: JSONValue = (try? JSON.parseFile(TokenizerFixtures.fixture("chat-templates/cases.json"))) ?? .null
    static var indices: [Int] { Array(0..<(doc["cases"]?.array?.count ?? 0)) }

    static func template(_ name: String) throws -> ChatTemplate {
        let src = try #require(doc["templates"]?[name]?.string)
        if src.hasPrefix("@") {
            return try ChatTemplate(String(contentsOfFile: TokenizerFixtures.fixture(String(src.dropFirst())), encoding: .utf8))
        }
        return try ChatTemplate(src)
    }

    @Test(arguments: indices)
    func matchesJinja2(_ i: Int) throws {
        let c = try #require(Self.doc["cases"]?[i])
        let t = try Self.template(try #require(c["template"]?.string))
        let now = ISO8601DateFormatter().date(from: (Self.doc["now"]?.string ?? "") + "Z")
        let ctx = try #require(c["context"])
        if let want = c["expected"]?.string {
            let got = try t.apply(context: ctx, now: now)
            if got != want {
                let g = Array(got), w = Array(want)
                let k = zip(g, w).prefix { $0 == $1 }.count
                Issue.record("case \(i): differs at \(k): got …\(String(g[max(0, k - 40)..<min(g.count, k + 40)]))… want …\(String(w[max(0, k - 40)..<min(w.count, k + 40)]))…")
            }
        } else {
            let err = try #require(c["error"]?.string)
            #expect(throws: ChatTemplateError.raised(err)) { try t.apply(context: ctx, now: now) }
        }
    }

    @Test func simpleAPI() throws {
        let t = try ChatTemplate("{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m.content | trim }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}")
        let s = try t.apply(messages: [["role": "user", "content": " hi "]], addGenerationPrompt: true, bosToken: "<s>")
        #expect(s == "<s>[user] hi\n[assistant]")
    }

    @Test func syntaxErrorsNameTheLine() {
        #expect(throws: ChatTemplateError.self) { try ChatTemplate("a\n{% if x %}\nno end") }
        #expect(throws: ChatTemplateError.self) { try ChatTemplate("{{ x + }}") }
    }

    @Test func namespacesAndLoops() throws {
        let t = try ChatTemplate("{% set ns = namespace(n=0) %}{% for x in [1,2,3] %}{% set ns.n = ns.n + x %}{% if loop.last %}{{ loop.index }}{% endif %}{% endfor %}:{{ ns.n }}{{ [1,2,3][1:] | length }}{{ 'a,b' .split(',') | join('-') }}")
        #expect(try t.render([:]) == "3:62a-b")
    }
}

@Suite struct TokenizerChatTemplateTests {
    @Test func fixtureModelTemplate() throws {
        let tok = try Tokenizer.load(huggingFace: TokenizerFixtures.fixture("models/tiny-llama"))
        let s = try #require(try tok.applyChatTemplate(messages: [["role": "user", "content": "Hi"]]))
        #expect(s == "<|start|>user<|message|>Hi<|end|><|start|>assistant<|message|>")
        // The markers are added tokens, so they encode as single ids.
        #expect(tok.encode(s, addSpecial: false).prefix(1) == [2])
    }
}
