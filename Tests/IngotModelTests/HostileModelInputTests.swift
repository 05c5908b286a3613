import Foundation
import IngotCore
import IngotFormats
import IngotModel
import Testing
import IngotTestSupport

/// The hostile-input promise for the model-level readers: tokenizers (GGUF vocabulary and tokenizer.json),
/// config.json and importance matrices (GGUF and legacy .dat), each fed thousands of seeded corruptions of a small
/// valid file. A mutant either loads — and then is used (tokenize and decode; look up importance rows) — or fails
/// with a non-empty error naming the file. A trap kills the test process: that is a found bug.
@Suite struct HostileModelInputTests {
    static let fixtures = Fixtures.root

    /// Runs `load` on every mutant; `use` exercises what loaded.
    static func sweep<T>(_ mutants: [HostileMutator.Mutant], fileName: String, tag: String,
                         load: (String) throws -> T, use: (T) throws -> Void) -> HostileFindings {
        var files = MutantFiles(tag: tag, fileName: fileName)
        defer { files.cleanup() }
        var f = HostileFindings()
        for m in mutants {
            let path = files.write(m.bytes)
            defer { files.remove(path) }
            let value: T
            do {
                value = try load(path)
            } catch {
                f.rejected += 1
                let d = "\(error)"
                if d.isEmpty { f.fail(m.label, "empty error description") }
                if !d.contains((path as NSString).lastPathComponent) { f.fail(m.label, "error does not name the file: \(d)") }
                continue
            }
            f.accepted += 1
            do { try use(value) } catch {
                let d = "\(error)"
                if d.isEmpty || !d.contains((path as NSString).lastPathComponent) {
                    f.fail(m.label, "using the loaded value failed without naming the file: \(d)")
                }
            }
        }
        return f
    }

    /// Byte edits that keep JSON text plausible, at every offset (`perOffset` seeded replacements each).
    static func jsonEdits(of base: [UInt8], seed: UInt64, perOffset: Int = 1) -> [HostileMutator.Mutant] {
        var out: [HostileMutator.Mutant] = []
        let swaps: [UInt8] = Array("{}[]:,\"\\u9-e .0".utf8) + [0, 0x1F, 0x80, 0xC3, 0xFF]
        var rng = SeededRandom(seed: seed)
        for at in base.indices {
            for _ in 0..<perOffset {
                let b = swaps[rng.below(swaps.count)]
                guard b != base[at] else { continue }
                var m = base
                m[at] = b
                out.append(.init(label: "byte \(at) → 0x\(String(b, radix: 16))", bytes: m))
            }
        }
        return out
    }

    /// Every JSON number in `base` replaced by huge, negative, fractional and non-numeric values.
    static func numberEdits(of base: [UInt8]) -> [HostileMutator.Mutant] {
        var out: [HostileMutator.Mutant] = []
        var k = 0
        while k < base.count {
            let c = base[k]
            let startsNumber = (c >= 0x30 && c <= 0x39) && (k == 0 || !(base[k - 1] >= 0x30 && base[k - 1] <= 0x39))
                && (k == 0 || base[k - 1] != UInt8(ascii: "\\"))
            guard startsNumber else { k += 1; continue }
            var e = k
            while e < base.count, (base[e] >= 0x30 && base[e] <= 0x39) || base[e] == UInt8(ascii: ".") { e += 1 }
            for repl in ["0", "-1", "-2147483649", "2147483648", "4294967296", "1099511627776", "9223372036854775807",
                         "99999999999999999999", "1e300", "-1e300", "1e-300", "2.5", "\"7\"", "null", "[]", "{}", "true"] {
                out.append(.init(label: "number at \(k) → \(repl)", bytes: Array(base[0..<k]) + Array(repl.utf8) + Array(base[e...])))
            }
            k = e
        }
        return out
    }

    // MARK: - Tokenizer: GGUF vocabulary

    static func vocabGGUF(spm: Bool) throws -> [UInt8] {
        var md = Metadata()
        if spm {
            let toks = ["<unk>", "<s>", "</s>", "\u{2581}h", "e", "l", "o", "\u{2581}", "<0x41>", "<0xFF>", "<|eot_id|>"]
            md.append("tokenizer.ggml.model", .string("llama"))
            md.append("tokenizer.ggml.tokens", .array(.string, toks.map { .string($0) }))
            md.append("tokenizer.ggml.scores", .array(.float32, toks.indices.map { .float32(-Float($0)) }))
            md.append("tokenizer.ggml.token_type", .array(.int32, [2, 3, 3, 1, 1, 1, 1, 1, 6, 6, 3].map { .int32($0) }))
            md.append("tokenizer.ggml.bos_token_id", .uint32(1))
            md.append("tokenizer.ggml.eos_token_id", .uint32(2))
        } else {
            let toks = ["h", "e", "l", "o", "he", "ll", "hell", "\u{0120}", "<|endoftext|>", "<s>"]
            md.append("tokenizer.ggml.model", .string("gpt2"))
            md.append("tokenizer.ggml.pre", .string("llama-bpe"))
            md.append("tokenizer.ggml.tokens", .array(.string, toks.map { .string($0) }))
            md.append("tokenizer.ggml.token_type", .array(.int32, [1, 1, 1, 1, 1, 1, 1, 1, 3, 3].map { .int32($0) }))
            md.append("tokenizer.ggml.merges", .array(.string, ["h e", "l l", "he ll"].map { .string($0) }))
            md.append("tokenizer.ggml.bos_token_id", .uint32(9))
            md.append("tokenizer.ggml.add_bos_token", .bool(true))
        }
        md.append("tokenizer.chat_template", .string("{{ messages }}"))
        let dir = Fixtures.temporaryDirectory("ingot-vocab")
        defer { Fixtures.cleanup(dir) }
        let w = try GGUFWriter(path: dir + "/v.gguf", metadata: md)
        try w.finish()
        return Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/v.gguf")))
    }

    static func exercise(_ t: Tokenizer) {
        for text in ["hello", " hell o<|endoftext|>", "A\u{FF}é <s>", ""] {
            let ids = t.encode(text)
            _ = t.decode(ids)
            for id in ids { _ = t.decodePiece(id) }
        }
        _ = t.decode([0, 1, 2, 1 << 20, -1])
    }

    @Test(arguments: [false, true]) func ggufVocabulary(spm: Bool) throws {
        let base = try HostileModelInputTests.vocabGGUF(spm: spm)
        var mutator = HostileMutator(base, seed: spm ? 0x5B : 0xB9E)
        let mutants = mutator.all(header: 0..<base.count, boundaries: [], randomFlips: 200, step: HostileMutator.debugStep(6))
        let f = HostileModelInputTests.sweep(mutants, fileName: spm ? "spm.gguf" : "bpe.gguf", tag: "hostile-vocab",
                                             load: { try Tokenizer.load(path: $0) }, use: { HostileModelInputTests.exercise($0) })
        #expect(f.problems.isEmpty, f.report("GGUF vocabulary"))
        #expect(f.accepted > 0 && f.rejected > mutants.count / 3, "loaded \(f.accepted), rejected \(f.rejected) of \(mutants.count)")
    }

    /// Semantically hostile vocabularies that parse as GGUF: ids out of range, arrays of the wrong type or length.
    @Test func ggufVocabularyValues() throws {
        var variants: [(String, Metadata)] = []
        func bpe(_ edit: (inout Metadata) -> Void) -> Metadata {
            var md = Metadata()
            md.append("tokenizer.ggml.model", .string("gpt2"))
            md.append("tokenizer.ggml.pre", .string("gpt-2"))
            md.append("tokenizer.ggml.tokens", .array(.string, [.string("a"), .string("b"), .string("ab")]))
            md.append("tokenizer.ggml.merges", .array(.string, [.string("a b")]))
            edit(&md)
            return md
        }
        variants.append(("bos id huge", bpe { $0.set("tokenizer.ggml.bos_token_id", .uint64(UInt64.max)) }))
        variants.append(("eos id negative", bpe { $0.set("tokenizer.ggml.eos_token_id", .int64(-5)) }))
        variants.append(("merge of unknown tokens", bpe { $0.set("tokenizer.ggml.merges", .array(.string, [.string("x y"), .string("a"), .string(" "), .string("")])) }))
        variants.append(("merges not strings", bpe { $0.set("tokenizer.ggml.merges", .array(.int32, [.int32(1)])) }))
        variants.append(("no tokens", bpe { $0.set("tokenizer.ggml.tokens", .array(.string, [])) }))
        variants.append(("empty tokens", bpe { $0.set("tokenizer.ggml.tokens", .array(.string, [.string(""), .string("")])) }))
        variants.append(("token types short", bpe { $0.set("tokenizer.ggml.token_type", .array(.int32, [.int32(1)])) }))
        variants.append(("token types huge", bpe { $0.set("tokenizer.ggml.token_type", .array(.int64, [.int64(.max), .int64(.min), .int64(-1)])) }))
        variants.append(("scores NaN", bpe { $0.set("tokenizer.ggml.scores", .array(.float64, [.float64(.nan), .float64(.infinity), .float64(-1e308)])) }))
        variants.append(("pre unknown", bpe { $0.set("tokenizer.ggml.pre", .string("nope")) }))
        variants.append(("model int", bpe { $0.set("tokenizer.ggml.model", .uint8(3)) }))
        variants.append(("tokens of ints", bpe { $0.set("tokenizer.ggml.tokens", .array(.uint8, [.uint8(1)])) }))
        let dir = Fixtures.temporaryDirectory("ingot-vocabv")
        defer { Fixtures.cleanup(dir) }
        var problems: [String] = []
        for (i, (label, md)) in variants.enumerated() {
            let path = dir + "/vocab\(i).gguf"
            let w = try GGUFWriter(path: path, metadata: md)
            try w.finish()
            do {
                HostileModelInputTests.exercise(try Tokenizer.load(path: path))
            } catch {
                let d = "\(error)"
                if !d.contains("vocab\(i).gguf") { problems.append("\(label): \(d)") }
            }
        }
        #expect(problems.isEmpty, "\(problems)")
    }

    // MARK: - Tokenizer: tokenizer.json

    static let tokenizerJSON = #"""
    {"version": "1.0", "truncation": null, "padding": null,
     "added_tokens": [{"id": 8, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                      {"id": 9, "content": "<|x|>", "special": false}],
     "normalizer": null,
     "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
     "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                        "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [8], "tokens": ["<s>"]}}},
     "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
     "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null,
               "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
               "vocab": {"h": 0, "e": 1, "l": 2, "o": 3, "he": 4, "ll": 5, "hell": 6, "\u0120": 7},
               "merges": ["h e", ["l", "l"], "he ll"]}}
    """#

    @Test func tokenizerJSONMutants() throws {
        let base = Array(HostileModelInputTests.tokenizerJSON.utf8)
        _ = try Tokenizer.load(tokenizerJSON: JSON.parse(HostileModelInputTests.tokenizerJSON), config: nil)
        var mutator = HostileMutator(base, seed: 0x70C)
        var mutants = mutator.all(header: 0..<0, boundaries: Array(stride(from: 0, to: base.count, by: 3)), randomFlips: 200)
        mutants += HostileModelInputTests.jsonEdits(of: base, seed: 0x70C)
        mutants += HostileModelInputTests.numberEdits(of: base)
        let f = HostileModelInputTests.sweep(mutants, fileName: "tokenizer.json", tag: "hostile-tokjson",
                                             load: { try Tokenizer.load(tokenizerJSON: $0) }, use: { HostileModelInputTests.exercise($0) })
        #expect(f.problems.isEmpty, f.report("tokenizer.json"))
        #expect(f.accepted > 0 && f.rejected > mutants.count / 3, "loaded \(f.accepted), rejected \(f.rejected) of \(mutants.count)")
    }

    // MARK: - config.json

    @Test func configMutants() throws {
        let base = Array(try Data(contentsOf: HostileModelInputTests.fixtures.appendingPathComponent("models/tiny-llama/config.json")))
        var mutator = HostileMutator(base, seed: 0xC0F)
        var mutants = mutator.all(header: 0..<0, boundaries: Array(stride(from: 0, to: base.count, by: 2)), randomFlips: 200)
        mutants += HostileModelInputTests.jsonEdits(of: base, seed: 0xC0F)
        mutants += HostileModelInputTests.numberEdits(of: base)
        let f = HostileModelInputTests.sweep(mutants, fileName: "config.json", tag: "hostile-config",
                                             load: { try ModelConfig(contentsOf: $0) },
                                             use: { c in _ = (c.effectiveHeadDim, c.rope, c.blockCount) })
        #expect(f.problems.isEmpty, f.report("config.json"))
        #expect(f.accepted > 0 && f.rejected > mutants.count / 4, "loaded \(f.accepted), rejected \(f.rejected) of \(mutants.count)")
    }

    // MARK: - Chat templates (GGUF tokenizer.chat_template, tokenizer_config.json chat_template)

    /// Templates built to overflow the stack or the integers: each must be refused or rendered, never trap.
    @Test func hostileChatTemplates() throws {
        let n = 20_000
        let deep: [(String, String)] = [
            ("parentheses", "{{ " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) + " }}"),
            ("lists", "{{ " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + " }}"),
            ("not chain", "{{ " + String(repeating: "not ", count: n) + "x }}"),
            ("unary minus", "{{ " + String(repeating: "-", count: n) + "1 }}"),
            ("plus chain", "{{ 1" + String(repeating: " + 1", count: n) + " }}"),
            ("concat chain", "{{ 'a'" + String(repeating: " ~ 'a'", count: n) + " }}"),
            ("attribute chain", "{{ x" + String(repeating: ".a", count: n) + " }}"),
            ("filter chain", "{{ 'a'" + String(repeating: " | trim", count: n) + " }}"),
            ("call chain", "{{ range" + String(repeating: "(1)", count: n) + " }}"),
            ("nested ifs", String(repeating: "{% if true %}", count: n) + "x" + String(repeating: "{% endif %}", count: n)),
            ("nested fors", String(repeating: "{% for i in [1] %}", count: 5000) + "x" + String(repeating: "{% endfor %}", count: 5000)),
        ]
        for (label, source) in deep {
            #expect(throws: ChatTemplateError.self, "\(label)") { _ = try ChatTemplate(source).apply(messages: [], addGenerationPrompt: false) }
        }
        // Integer edges, huge repetitions and indents: an answer or a runtime error, never a trap.
        let edges = [
            "{{ -9223372036854775807 - 1 // -1 }}", "{{ (-9223372036854775807 - 1) % -1 }}", "{{ 9223372036854775807 % -2 }}",
            "{{ 7 // -2 }}|{{ -7 % 3 }}", "{{ 1e300 | int }}", "{{ (0.0 / 1) | int }}", "{{ range(9223372036854775800, 9223372036854775807, 5) | length }}",
            "{{ range(0, -9223372036854775807, -4611686018427387904) | length }}", "{{ ('x' * 1000) * 1000000 }}",
            "{{ [1, [2]] | tojson(indent=-3) }}", "{{ [1, [2]] | tojson(indent=9223372036854775807) }}",
        ]
        var rendered: [String] = []
        for source in edges {
            do { rendered.append(try ChatTemplate(source).apply(messages: [], addGenerationPrompt: false)) } catch is ChatTemplateError {
                rendered.append("error")
            }
        }
        #expect(rendered[3] == "-4|2", "Python's floor division and modulo")
        #expect(rendered[2] == "-1")
        // A real template with a long but sane chain still renders.
        let chain = try ChatTemplate("{{ 'a'" + String(repeating: " + 'b'", count: 40) + " }}").apply(messages: [], addGenerationPrompt: false)
        #expect(chain == "a" + String(repeating: "b", count: 40))
    }

    // MARK: - Importance matrices

    @Test(arguments: ["tiny-mixtral.imatrix.gguf", "tiny-mixtral.imatrix.dat"]) func imatrixMutants(file: String) throws {
        let base = Array(try Data(contentsOf: HostileModelInputTests.fixtures.appendingPathComponent("imatrix/" + file)))
        var mutator = HostileMutator(base, seed: 0x1A7)
        // Header sweep: the GGUF's key/values and tensor infos, or the legacy file's first entries.
        let mutants = mutator.all(header: 0..<min(base.count, file.hasSuffix(".gguf") ? 700 : 300),
                                  boundaries: [base.count - 4, base.count - 8], randomFlips: 150, step: HostileMutator.debugStep(12))
        let f = HostileModelInputTests.sweep(mutants, fileName: file, tag: "hostile-imatrix",
                                             load: { try ImportanceMatrix.load(path: $0) },
                                             use: { m in
                                                 for (name, e) in m.entries {
                                                     let info = TensorInfo(name: name, type: .f32, shape: [e.matrixCount, 8], byteCount: 0)
                                                     _ = try m.importance(for: info)
                                                 }
                                             })
        #expect(f.problems.isEmpty, f.report("imatrix"))
        #expect(f.rejected > 0, "no mutant rejected")
    }
}
