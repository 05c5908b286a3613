import Foundation
import IngotFormats

/// A chat template (tokenizer_config.json `chat_template`, GGUF `tokenizer.chat_template`) rendered by a
/// small Jinja interpreter with the environment transformers uses (`trim_blocks`, `lstrip_blocks`,
/// `raise_exception`, `strftime_now`, `tojson` without ASCII escaping, loop controls).
public struct ChatTemplate {
    let nodes: [JinjaNode]
    /// The template source.
    public let source: String

    /// Parses `source`; throws `ChatTemplateError.syntax` naming the line.
    public init(_ source: String) throws {
        self.source = source
        var p = JinjaParser(try JinjaLexer(source).segments())
        nodes = try p.parseTemplate()
    }

    /// Renders `messages` (each with "role" and "content").
    public func apply(messages: [[String: String]], addGenerationPrompt: Bool, bosToken: String? = nil,
                      eosToken: String? = nil) throws -> String {
        let list = messages.map { m -> JinjaValue in
            var d = JinjaDict()
            for k in ["role", "content"] where m[k] != nil { d.set(k, .string(m[k]!)) }
            for k in m.keys.sorted() where k != "role" && k != "content" { d.set(k, .string(m[k]!)) }
            return .dict(d)
        }
        return try render(["messages": .list(list), "add_generation_prompt": .bool(addGenerationPrompt),
                           "bos_token": bosToken.map { .string($0) } ?? .undefined,
                           "eos_token": eosToken.map { .string($0) } ?? .undefined])
    }

    /// Renders with a JSON context object (messages with tool calls, `tools`, extra keyword arguments).
    /// `now` fixes the date `strftime_now` sees.
    public func apply(context: JSONValue, now: Date? = nil) throws -> String {
        guard case .object(let o) = context else { throw ChatTemplateError.runtime("the context must be an object") }
        var globals: [String: JinjaValue] = [:]
        for (k, v) in o.entries { globals[k] = Self.value(v) }
        return try render(globals, now: now)
    }

    func render(_ globals: [String: JinjaValue], now: Date? = nil) throws -> String {
        let interp = JinjaInterpreter(globals: globals)
        if let now { interp.now = { now } }
        return try interp.render(nodes)
    }

    static func value(_ j: JSONValue) -> JinjaValue {
        switch j {
        case .null: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .list(a.map(value))
        case .object(let o): return .dict(JinjaDict(o.entries.map { ($0.key, value($0.value)) }))
        }
    }
}

extension Tokenizer {
    /// Renders the tokenizer's chat template with its BOS/EOS token strings; nil when it has no template.
    public func applyChatTemplate(messages: [[String: String]], addGenerationPrompt: Bool = true) throws -> String? {
        guard let src = chatTemplate else { return nil }
        return try ChatTemplate(src).apply(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                           bosToken: bos.flatMap(tokenString), eosToken: eos.flatMap(tokenString))
    }
}
