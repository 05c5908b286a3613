import Foundation
import IngotCore
import IngotFormats

/// The `tokenizer.*` keys llama.cpp's converter writes for a Hugging Face directory with a byte-level BPE
/// tokenizer.json (`TextModel._set_vocab_gpt2` → `get_vocab_base`, then gguf-py's `SpecialVocab(load_merges=True)`),
/// in its order: model, pre, tokens, token_type, merges, special token ids, add_*_token flags, chat template.
///
/// `tokenizer.ggml.pre` is not computed here: the caller passes the name `PreTokenizerDetector` derives from the
/// pre-tokenizer definition.
public enum ConverterVocab {
    /// Token types as llama.cpp numbers them.
    enum TokenType: Int32 { case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6 }

    /// Builds the keys from `directory` (tokenizer.json required; tokenizer_config.json, config.json,
    /// chat_template.jinja / chat_template.json when present). `vocabSize` is config.json's `vocab_size` when set.
    public static func gpt2(directory: String, vocabSize: Int?, pre: String) throws -> [(String, MetadataValue)] {
        let tokPath = directory + "/tokenizer.json"
        let tok = try JSON.parseFile(tokPath)
        guard let model = tok["model"]?.object, let vocabObj = model["vocab"]?.object else {
            throw VocabError(path: tokPath, message: "model.vocab is missing or not an object")
        }
        let configPath = directory + "/tokenizer_config.json"
        var tokenizerConfig: JSONObject? = nil
        if FileManager.default.fileExists(atPath: configPath) {
            tokenizerConfig = try JSON.parseFile(configPath).object
        }
        let added = tok["added_tokens"]?.array ?? []

        // tokenizer.vocab (model vocabulary plus added tokens) and added-token flags.
        var reverse: [Int: String] = [:]
        for (t, v) in vocabObj.entries {
            guard let id = v.int, id >= 0, id < 1 << 26 else {
                throw VocabError(path: tokPath, message: "model.vocab[\"\(t)\"] is not a valid id")
            }
            reverse[id] = t
        }
        var addedByID: [Int: (content: String, special: Bool)] = [:]
        var addedContents = Set<String>()
        for a in added {
            guard let id = a["id"]?.int, id >= 0, id < 1 << 26, let content = a["content"]?.string else {
                throw VocabError(path: tokPath, message: "added_tokens has an entry without id or content")
            }
            reverse[id] = content
            addedByID[id] = (content, a["special"]?.bool ?? false)
            addedContents.insert(content)
        }
        let maxID = reverse.keys.max() ?? -1
        let n = vocabSize ?? (maxID + 1)
        guard maxID < n else {
            throw VocabError(path: tokPath, message: "token id \(maxID) is not below vocab_size \(n)")
        }
        var tokens: [MetadataValue] = []
        var types: [MetadataValue] = []
        tokens.reserveCapacity(n)
        types.reserveCapacity(n)
        for i in 0..<n {
            guard var t = reverse[i] else {
                tokens.append(.string("[PAD\(i)]"))
                types.append(.int32(TokenType.unused.rawValue))
                continue
            }
            var type = TokenType.normal
            if addedContents.contains(t), let a = addedByID[i] ?? addedByID.first(where: { $0.value.content == t })?.value {
                if a.special || looksSpecial(t) {
                    type = .control
                } else {
                    t = t.replacingOccurrences(of: "\u{2581}", with: " ")
                    type = .userDefined
                }
            }
            tokens.append(.string(t))
            types.append(.int32(type.rawValue))
        }

        var k: [(String, MetadataValue)] = []
        k.append(("tokenizer.ggml.model", .string("gpt2")))
        k.append(("tokenizer.ggml.pre", .string(pre)))
        k.append(("tokenizer.ggml.tokens", .array(.string, tokens)))
        k.append(("tokenizer.ggml.token_type", .array(.int32, types)))
        var special = try SpecialVocab(directory: directory, tokenizer: tok, tokenizerConfig: tokenizerConfig,
                                       nVocab: n, path: tokPath)
        k += special.keys()
        return k
    }

    /// `TextModel.does_token_look_special`.
    static func looksSpecial(_ t: String) -> Bool {
        if ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(t) { return true }
        if t.hasPrefix("<|") && t.hasSuffix("|>") { return true }
        if t.hasPrefix("<｜") && t.hasSuffix("｜>") { return true }
        return t.hasPrefix("<unused") && t.hasSuffix(">")
    }
}

/// A tokenizer file that cannot be converted.
public struct VocabError: IngotDiagnostic {
    public let path: String
    public let message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// gguf-py's `SpecialVocab` (vocab.py): merges, special token ids, add_*_token flags and the chat template,
/// read from tokenizer.json's post-processor, tokenizer_config.json and config.json with the same precedence.
struct SpecialVocab {
    var merges: [String] = []
    /// Insertion-ordered (Python dict order matters: it is the key order written).
    var specialIDs: [(String, Int)] = []
    var addSpecial: [(String, Bool)] = []
    var chatTemplate: String?
    var types = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"]
    let nVocab: Int

    init(directory: String, tokenizer tok: JSONValue, tokenizerConfig: JSONObject?, nVocab: Int, path: String) throws {
        self.nVocab = nVocab
        // Merges: "a b" strings, or the 4.45+ list-of-pairs form with spaces re-encoded as U+0120.
        if let m = tok["model"]?["merges"]?.array, let first = m.first {
            if first.string != nil {
                merges = m.compactMap(\.string)
            } else if let pair = first.array, pair.count == 2, pair[0].string != nil {
                merges = m.map { p in
                    (p.array ?? []).map { part in
                        String((part.string ?? "").map { $0 == " " ? "\u{0120}" : $0 })
                    }.joined(separator: " ")
                }
            } else {
                throw VocabError(path: path, message: "unknown tokenizer merges format")
            }
        }
        var config = tokenizerConfig
        let added = tok["added_tokens"]?.array ?? []
        func cfg(_ k: String) -> String? {
            guard let v = config?[k] else { return nil }
            if let s = v.string { return s.isEmpty ? nil : s }
            return nil
        }
        var bos = cfg("bos_token"), cls = cfg("cls_token"), eos = cfg("eos_token"), sep = cfg("sep_token")
        if bos == nil, let c = cls, config != nil { config!.set("bos_token", .string(c)); bos = c }
        if eos == nil, let s = sep, config != nil { config!.set("eos_token", .string(s)); eos = s }
        if let post = tok["post_processor"], post.object != nil {
            let processors = post["processors"]?.array ?? [post]
            for p in processors {
                switch p["type"]?.string {
                case "ByteLevel":
                    setDefault("bos", false)
                    setDefault("eos", false)
                case "RobertaProcessing":
                    setAdd("bos", true); setAdd("eos", true); setAdd("sep", true)
                    if cls == nil, config != nil {
                        cls = p["cls"]?[0]?.string ?? bos
                        config!.set("cls_token", cls.map { .string($0) } ?? .null)
                    }
                    if sep == nil, config != nil {
                        sep = p["sep"]?[0]?.string ?? eos
                        config!.set("sep_token", sep.map { .string($0) } ?? .null)
                    }
                case "TemplateProcessing":
                    let single = p["single"]?.array ?? []
                    var pair = p["pair"]?.array ?? []
                    var first: String? = nil, last: String? = nil
                    if single.count > 1 {
                        if let f = single[0]["SpecialToken"]?["id"]?.string, !f.isEmpty {
                            first = f
                            if config == nil {
                                bos = f
                            } else if f != bos && f != cls {
                                if bos == nil { config!.set("bos_token", .string(f)); bos = f }
                                if cls == nil { config!.set("cls_token", .string(f)); cls = f }
                            }
                            setAdd("bos", f == bos || f == cls)
                        }
                        if let l = single[single.count - 1]["SpecialToken"]?["id"]?.string, !l.isEmpty {
                            last = l
                            if config == nil {
                                eos = l
                            } else if l != eos {
                                if !types.contains("eot") {
                                    types.append("eot")
                                    config!.set("eot_token", eos.map { .string($0) } ?? .null)
                                } else if !types.contains("eom") {
                                    types.append("eom")
                                    config!.set("eom_token", eos.map { .string($0) } ?? .null)
                                }
                                config!.set("eos_token", .string(l))
                                eos = l
                            }
                            setAdd("eos", l == eos)
                        }
                    }
                    if !pair.isEmpty {
                        let start = (first != nil && pair[0]["SpecialToken"]?["id"]?.string == first) ? 1 : 0
                        let stop = (last != nil && pair[pair.count - 1]["SpecialToken"]?["id"]?.string == last) ? pair.count - 1 : pair.count
                        pair = start < stop ? Array(pair[start..<stop]) : []
                        if !pair.isEmpty {
                            let a = pair[0]["Sequence"]?["id"]?.string
                            let b = pair[pair.count - 1]["Sequence"]?["id"]?.string
                            if a == "A" && b == "B" && pair.count > 2 {
                                let middle = Array(pair[1..<(pair.count - 1)])
                                var addSep = false
                                if let e = middle[0]["SpecialToken"]?["id"]?.string, !e.isEmpty {
                                    if (e == sep || e == eos) && last == nil { addSep = true }
                                }
                                if middle.count == 2, let e = middle[1]["SpecialToken"]?["id"]?.string, !e.isEmpty {
                                    if e == sep || e == eos { addSep = true }
                                }
                                setAdd("sep", addSep)
                                if addSep && sep == nil && config != nil {
                                    config!.set("sep_token", eos.map { .string($0) } ?? .null)
                                }
                            }
                        }
                    }
                default:
                    break
                }
            }
        }
        if let config {
            // chat template: tokenizer_config's, else chat_template.jinja, else chat_template.json.
            var alt: String? = nil
            let jinja = directory + "/chat_template.jinja", jsonT = directory + "/chat_template.json"
            if FileManager.default.fileExists(atPath: jinja) {
                alt = try String(contentsOfFile: jinja, encoding: .utf8)
            } else if FileManager.default.fileExists(atPath: jsonT) {
                alt = try JSON.parseFile(jsonT)["chat_template"]?.string
            }
            if let t = config["chat_template"] {
                chatTemplate = t.string   // a list of named templates is not supported (written by nothing here)
            } else {
                chatTemplate = alt
            }
            for typ in types {
                if let add = config["add_\(typ)_token"]?.bool, !addSpecial.contains(where: { $0.0 == typ }) {
                    addSpecial.append((typ, add))
                }
                let content: String?
                switch config["\(typ)_token"] {
                case .some(.string(let s)): content = s
                case .some(.object(let o)): content = o["content"]?.string
                default: content = nil
                }
                guard let content else { continue }
                let id = added.first { $0["content"]?.string == content }?["id"]?.int
                try setSpecial(typ, id)
            }
        }
        // config.json *_token_id (root, then text_config).
        let cfgPath = directory + "/config.json"
        if FileManager.default.fileExists(atPath: cfgPath) {
            let c = try JSON.parseFile(cfgPath)
            for typ in types {
                var v = c["\(typ)_token_id"]
                if v == nil || v!.isNull { v = c["text_config"]?["\(typ)_token_id"] }
                if case .some(.int(let id)) = v { try setSpecial(typ, id) }
            }
        }
    }

    private mutating func setDefault(_ typ: String, _ v: Bool) {
        if !addSpecial.contains(where: { $0.0 == typ }) { addSpecial.append((typ, v)) }
    }

    private mutating func setAdd(_ typ: String, _ v: Bool) {
        if let i = addSpecial.firstIndex(where: { $0.0 == typ }) { addSpecial[i].1 = v } else { addSpecial.append((typ, v)) }
    }

    private mutating func setSpecial(_ typ: String, _ id: Int?) throws {
        guard let id else { return }
        guard id >= 0 else { throw VocabError(path: "config", message: "invalid value for special token type \(typ): \(id)") }
        guard id < nVocab, !specialIDs.contains(where: { $0.0 == typ }) else { return }
        specialIDs.append((typ, id))
    }

    /// `SpecialVocab.add_to_gguf`: merges, ids (types with a GGUF handler), add flags, chat template.
    mutating func keys() -> [(String, MetadataValue)] {
        var k: [(String, MetadataValue)] = []
        if !merges.isEmpty { k.append(("tokenizer.ggml.merges", .array(.string, merges.map { .string($0) }))) }
        let idKeys = ["bos": "bos_token_id", "eos": "eos_token_id", "unk": "unknown_token_id", "sep": "seperator_token_id",
                      "pad": "padding_token_id", "mask": "mask_token_id", "eot": "eot_token_id", "eom": "eom_token_id"]
        for (typ, id) in specialIDs {
            guard let key = idKeys[typ] else { continue }   // cls has no handler
            k.append(("tokenizer.ggml.\(key)", .uint32(UInt32(id))))
        }
        for (typ, v) in addSpecial where ["bos", "eos", "sep"].contains(typ) {
            k.append(("tokenizer.ggml.add_\(typ)_token", .bool(v)))
        }
        if let t = chatTemplate, !t.isEmpty { k.append(("tokenizer.chat_template", .string(t))) }
        return k
    }
}
