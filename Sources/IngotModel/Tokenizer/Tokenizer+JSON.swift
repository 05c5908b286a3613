import Foundation
import IngotCore
import IngotFormats

extension Tokenizer {
    /// Loads a Hugging Face tokenizer from a model directory (tokenizer.json, plus tokenizer_config.json
    /// when present) or from a tokenizer.json file path.
    public static func load(huggingFace path: String) throws -> Tokenizer {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FileError(path: path, operation: "open", message: "no such file or directory")
        }
        if isDir.boolValue {
            let tj = (path as NSString).appendingPathComponent("tokenizer.json")
            let tc = (path as NSString).appendingPathComponent("tokenizer_config.json")
            guard FileManager.default.fileExists(atPath: tj) else {
                throw FileError(path: tj, operation: "open", message: "the model directory has no tokenizer.json")
            }
            return try load(tokenizerJSON: tj, config: FileManager.default.fileExists(atPath: tc) ? tc : nil)
        }
        let sibling = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tokenizer_config.json")
        return try load(tokenizerJSON: path, config: FileManager.default.fileExists(atPath: sibling) ? sibling : nil)
    }

    /// Loads tokenizer.json, with tokenizer_config.json (`bos_token`, `eos_token`, `add_bos_token`,
    /// `add_eos_token`, `chat_template`) when given.
    public static func load(tokenizerJSON path: String, config configPath: String? = nil) throws -> Tokenizer {
        let json = try JSON.parseFile(path)
        let config = try configPath.map { try JSON.parseFile($0) }
        return try load(tokenizerJSON: json, config: config, file: (path as NSString).lastPathComponent,
                        configFile: configPath.map { ($0 as NSString).lastPathComponent } ?? "tokenizer_config.json")
    }

    /// Loads from parsed documents; `file` names tokenizer.json in errors.
    public static func load(tokenizerJSON json: JSONValue, config: JSONValue?, file: String = "tokenizer.json",
                            configFile: String = "tokenizer_config.json") throws -> Tokenizer {
        let r = TokenizerJSONReader(file: file)
        guard json.object != nil else { throw TokenizerError.invalid(file: file, key: "(root)", message: "expected an object") }
        guard let model = json["model"], model.object != nil else { throw TokenizerError.missingKey(file: file, key: "model") }
        let type = model["type"]?.string ?? "BPE"
        guard type == "BPE" else {
            throw TokenizerError.unsupported(file: file, key: "model.type", what: "model '\(type)'", supported: ["BPE"])
        }
        for k in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[k], !(v.isNull || v.string == "") {
                throw TokenizerError.unsupported(file: file, key: "model.\(k)", what: "value", supported: ["null"])
            }
        }
        if let d = model["dropout"]?.double, d > 0 {
            throw TokenizerError.unsupported(file: file, key: "model.dropout", what: "BPE dropout \(d)", supported: ["null", "0"])
        }

        // Vocabulary
        guard let vocabObj = model["vocab"]?.object else { throw TokenizerError.missingKey(file: file, key: "model.vocab") }
        if vocabObj.count > TokenizerLimits.maxVocabulary {
            throw TokenizerError.tooLarge(file: file, key: "model.vocab", count: vocabObj.count, limit: TokenizerLimits.maxVocabulary)
        }
        var vocab: [ByteKey: Int] = [:]
        vocab.reserveCapacity(vocabObj.count)
        var maxID = -1
        for (k, v) in vocabObj.entries {
            guard let id = v.int, id >= 0, id < TokenizerLimits.maxVocabulary else {
                throw TokenizerError.invalid(file: file, key: "model.vocab[\"\(k)\"]", message: "expected a non-negative id")
            }
            vocab[ByteKey(k)] = id
            maxID = max(maxID, id)
        }

        // Added tokens
        var added: [AddedToken] = []
        if let list = json["added_tokens"], !list.isNull {
            guard let arr = list.array else { throw TokenizerError.invalid(file: file, key: "added_tokens", message: "expected an array") }
            for (i, t) in arr.enumerated() {
                let key = "added_tokens[\(i)]"
                guard let id = t["id"]?.int, id >= 0, id < TokenizerLimits.maxVocabulary else {
                    throw TokenizerError.invalid(file: file, key: key + ".id", message: "expected a non-negative id")
                }
                guard let content = t["content"]?.string else { throw TokenizerError.missingKey(file: file, key: key + ".content") }
                let special = t["special"]?.bool ?? false
                added.append(AddedToken(id: id, content: content, lstrip: t["lstrip"]?.bool ?? false,
                                        rstrip: t["rstrip"]?.bool ?? false, singleWord: t["single_word"]?.bool ?? false,
                                        normalized: t["normalized"]?.bool ?? !special, special: special))
                maxID = max(maxID, id)
            }
        }

        // Merges
        var merges: [(String, String)] = []
        if let mv = model["merges"], !mv.isNull {
            guard let arr = mv.array else { throw TokenizerError.invalid(file: file, key: "model.merges", message: "expected an array") }
            if arr.count > TokenizerLimits.maxMerges {
                throw TokenizerError.tooLarge(file: file, key: "model.merges", count: arr.count, limit: TokenizerLimits.maxMerges)
            }
            merges.reserveCapacity(arr.count)
            for (i, m) in arr.enumerated() {
                if let s = m.string {
                    if s.hasPrefix("#version") { continue }
                    let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2 else {
                        throw TokenizerError.invalid(file: file, key: "model.merges[\(i)]", message: "'\(s)' is not two tokens separated by one space")
                    }
                    merges.append((String(parts[0]), String(parts[1])))
                } else if let p = m.array, p.count == 2, let a = p[0].string, let b = p[1].string {
                    merges.append((a, b))
                } else {
                    throw TokenizerError.invalid(file: file, key: "model.merges[\(i)]", message: "expected [\"a\", \"b\"] or \"a b\"")
                }
            }
        }

        let normalizer = try r.normalizer(json["normalizer"], key: "normalizer")
        let pre = try r.preTokenizer(json["pre_tokenizer"], key: "pre_tokenizer")
        let decoder = try r.decoder(json["decoder"], key: "decoder")

        let vocabCount = maxID + 1
        var tokens = (0..<vocabCount).map { "[PAD\($0)]" }
        var present = [Bool](repeating: false, count: vocabCount)
        for (t, id) in vocab { tokens[id] = t.string; present[id] = true }
        for a in added { tokens[a.id] = a.content; present[a.id] = true }
        // Added tokens that are not in the model vocabulary still need a lookup for ignore_merges etc.
        var contentID: [String: Int] = [:]
        for (t, id) in vocab { contentID[t.string] = id }
        for a in added { contentID[a.content] = a.id }

        let bpe = try BPEModelBuilder.huggingFace(
            vocab: vocab, vocabCount: vocabCount, merges: merges, byteLevel: pre.byteLevel,
            ignoreMerges: model["ignore_merges"]?.bool ?? false, byteFallback: model["byte_fallback"]?.bool ?? false,
            unkToken: model["unk_token"]?.string, fuseUnk: model["fuse_unk"]?.bool ?? false, file: file)

        var (prefix, suffix) = try r.postProcessor(json["post_processor"], key: "post_processor", ids: contentID)

        // tokenizer_config.json
        func configToken(_ k: String) throws -> Int? {
            guard let v = config?[k], !v.isNull else { return nil }
            let content = v.string ?? v["content"]?.string
            guard let c = content else { throw TokenizerError.invalid(file: configFile, key: k, message: "expected a string or {\"content\": …}") }
            return contentID[c]
        }
        let configUnk = try configToken("unk_token")
        let unk = model["unk_token"]?.string.flatMap { contentID[$0] } ?? configUnk
        var bos = try configToken("bos_token")
        var eos = try configToken("eos_token")
        let pad = try configToken("pad_token")
        if bos == nil, let p = prefix.first { bos = Int(p) }
        if eos == nil, let s = suffix.last { eos = Int(s) }
        // transformers rebuilds the template when add_bos_token / add_eos_token are set explicitly.
        if let ab = config?["add_bos_token"]?.bool, let b = bos {
            if !ab { prefix.removeAll { Int($0) == b } } else if !prefix.contains(Int32(b)) { prefix.insert(Int32(b), at: 0) }
        }
        if let ae = config?["add_eos_token"]?.bool, let e = eos {
            if !ae { suffix.removeAll { Int($0) == e } } else if !suffix.contains(Int32(e)) { suffix.append(Int32(e)) }
        }
        var template: String? = nil
        if let t = config?["chat_template"] {
            if let s = t.string { template = s } else if let arr = t.array {
                template = arr.first(where: { $0["name"]?.string == "default" })?["template"]?.string ?? arr.first?["template"]?.string
            }
        }

        // Added tokens: with a normalizer, `normalized: true` tokens match after normalising.
        let raw = normalizer.isEmpty ? added : added.filter { !$0.normalized }
        let norm = normalizer.isEmpty ? [] : added.filter { $0.normalized }
        let pipeline = HFPipeline(added: AddedTokenMatcher(raw), addedNormalized: AddedTokenMatcher(norm),
                                  normalizer: normalizer, pre: pre, model: bpe, prefix: prefix, suffix: suffix)

        let types = tokenTypes(tokens: tokens, present: present, added: added, unk: unk, byteLevel: pre.byteLevel)
        let spm = !pre.byteLevel
        let mergeStrings = merges.map { a, b in
            // llama.cpp re-encodes literal spaces inside a part as U+0120 so "a b" stays splittable.
            a.replacingOccurrences(of: " ", with: "\u{0120}") + " " + b.replacingOccurrences(of: " ", with: "\u{0120}")
        }
        let detected = try? PreTokenizerDetector.detect(json, file: file)
        let tok = Tokenizer(engine: .huggingFace(pipeline), partition: nil, decoderSteps: decoder, tokens: tokens,
                         tokenTypes: types, scores: [Float](repeating: spm ? -1000 : 0, count: vocabCount),
                         merges: spm ? [] : mergeStrings, addedTokens: added, bos: bos, eos: eos, unk: unk, pad: pad,
                         addBOS: bos.map { prefix.contains(Int32($0)) } ?? false,
                         addEOS: eos.map { suffix.contains(Int32($0)) } ?? false, chatTemplate: template,
                         ggmlModel: spm ? "llama" : "gpt2", preTokenizerName: detected, addSpacePrefix: nil,
                         specialIDs: Set(added.filter(\.special).map(\.id)))
        tok.converterSpecials = converterSpecials(json: json, config: config, added: added, vocabCount: vocabCount)
        if detected == nil { tok.sourceJSON = json }
        return tok
    }

    /// Token types as llama.cpp's converter assigns them (`TextModel.get_vocab_base`): ids missing from the
    /// vocabulary are UNUSED; added tokens are CONTROL when special or when they look special (`<|…|>`,
    /// `<pad>`, `<mask>`, …), USER_DEFINED otherwise; SentencePiece-style `<0xXX>` are BYTE and the unknown
    /// token UNKNOWN.
    static func tokenTypes(tokens: [String], present: [Bool], added: [AddedToken], unk: Int?, byteLevel: Bool) -> [TokenType] {
        var types = [TokenType](repeating: .normal, count: tokens.count)
        for i in tokens.indices where !present[i] { types[i] = .unused }
        if !byteLevel {
            for (i, t) in tokens.enumerated() where present[i] && DecoderStep.byteToken(t) != nil { types[i] = .byte }
        }
        for a in added {
            types[a.id] = a.special || looksSpecial(a.content) ? .control : .userDefined
        }
        if !byteLevel, let u = unk { types[u] = .unknown }
        return types
    }

    /// llama.cpp's `does_token_look_special`.
    static func looksSpecial(_ t: String) -> Bool {
        if ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(t) { return true }
        if t.hasPrefix("<|") && t.hasSuffix("|>") { return true }
        if t.hasPrefix("<\u{FF5C}") && t.hasSuffix("\u{FF5C}>") { return true }
        return t.hasPrefix("<unused") && t.hasSuffix(">")
    }
}
