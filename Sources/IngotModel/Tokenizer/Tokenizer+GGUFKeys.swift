import IngotCore
import IngotFormats

extension Tokenizer {
    /// The `tokenizer.*` GGUF keys for this tokenizer, in the order llama.cpp's convert_hf_to_gguf.py writes
    /// them: model, pre, tokens, (scores,) token_type, (merges,) special ids, add_* flags, chat template.
    /// `vocabSize` (config.json's `vocab_size`) pads the token list with `[PAD{i}]` / UNUSED as the converter
    /// does. Throws the pre-tokenizer detector's error for a byte-level vocabulary llama.cpp cannot name.
    public func ggufMetadata(vocabSize: Int? = nil, file: String = "tokenizer.json") throws -> [(key: String, value: MetadataValue)] {
        var out: [(key: String, value: MetadataValue)] = []
        let n = max(vocabSize ?? tokens.count, tokens.count)
        out.append(("tokenizer.ggml.model", .string(ggmlModel)))
        let pre: String
        if let p = preTokenizerName { pre = p } else if let j = sourceJSON { pre = try PreTokenizerDetector.detect(j, file: file) } else {
            pre = ggmlModel == "llama" ? "default" : "gpt-2"
        }
        out.append(("tokenizer.ggml.pre", .string(pre)))
        var list = tokens.map { MetadataValue.string($0) }
        var types = tokenTypes.map { MetadataValue.int32($0.rawValue) }
        for i in tokens.count..<n { list.append(.string("[PAD\(i)]")); types.append(.int32(TokenType.unused.rawValue)) }
        out.append(("tokenizer.ggml.tokens", .array(.string, list)))
        if ggmlModel == "llama" {
            var s = scores.map { MetadataValue.float32($0) }
            while s.count < n { s.append(.float32(-1000)) }
            out.append(("tokenizer.ggml.scores", .array(.float32, s)))
        }
        out.append(("tokenizer.ggml.token_type", .array(.int32, types)))
        if ggmlModel == "gpt2" { out.append(("tokenizer.ggml.merges", .array(.string, merges.map { .string($0) }))) }
        out.append(contentsOf: converterSpecials)
        if let t = chatTemplate { out.append(("tokenizer.chat_template", .string(t))) }
        return out
    }

    /// gguf-py `SpecialVocab` on tokenizer.json and tokenizer_config.json (`_try_load_from_tokenizer_json`):
    /// the crude TemplateProcessing reading of add_bos/add_eos/add_sep, then tokenizer_config.json's
    /// `add_*_token` and `*_token` entries (ids looked up among the added tokens, first match).
    static func converterSpecials(json: JSONValue, config: JSONValue?, added: [AddedToken], vocabCount: Int) -> [(key: String, value: MetadataValue)] {
        func content(_ v: JSONValue?) -> String? { v?.string ?? v?["content"]?.string }
        var bos = content(config?["bos_token"]), eos = content(config?["eos_token"])
        let cls = content(config?["cls_token"]), sep = content(config?["sep_token"])
        if bos == nil, cls != nil, config != nil { bos = cls }
        if eos == nil, sep != nil, config != nil { eos = sep }
        var add: [(String, Bool)] = []
        func setAdd(_ k: String, _ v: Bool) {
            if let i = add.firstIndex(where: { $0.0 == k }) { add[i].1 = v } else { add.append((k, v)) }
        }
        if let post = json["post_processor"], !post.isNull {
            for p in post["processors"]?.array ?? [post] {
                if p["type"]?.string == "RobertaProcessing" {
                    setAdd("bos", true); setAdd("eos", true); setAdd("sep", true)
                    continue
                }
                guard p["type"]?.string == "TemplateProcessing" else { continue }
                let single = p["single"]?.array ?? [], pair = p["pair"]?.array ?? []
                var first: String? = nil, last: String? = nil
                if single.count > 1 {
                    first = single[0]["SpecialToken"]?["id"]?.string
                    if let f = first {
                        if config == nil { bos = f }
                        setAdd("bos", f == bos || f == cls)
                    }
                    last = single[single.count - 1]["SpecialToken"]?["id"]?.string
                    if let l = last {
                        if config == nil || l != eos { eos = l }
                        setAdd("eos", l == eos)
                    }
                }
                if !pair.isEmpty {
                    let start = first != nil && pair[0]["SpecialToken"]?["id"]?.string == first ? 1 : 0
                    let stop = last != nil && pair[pair.count - 1]["SpecialToken"]?["id"]?.string == last ? pair.count - 1 : pair.count
                    guard start < stop else { continue }
                    let mid = Array(pair[start..<stop])
                    if mid.first?["Sequence"]?["id"]?.string == "A", mid.last?["Sequence"]?["id"]?.string == "B", mid.count > 2 {
                        let inner = Array(mid[1..<(mid.count - 1)])
                        var addSep = false
                        if let e = inner[0]["SpecialToken"]?["id"]?.string, (e == sep || e == eos) && last == nil { addSep = true }
                        if inner.count == 2, let e = inner[1]["SpecialToken"]?["id"]?.string, e == sep || e == eos { addSep = true }
                        setAdd("sep", addSep)
                    }
                }
            }
        }
        var ids: [(String, Int)] = []
        if let config {
            for typ in ["bos", "eos", "unk", "sep", "pad", "cls", "mask"] {
                if let b = config["add_\(typ)_token"]?.bool { setAdd(typ, b) }
                guard let c = content(config["\(typ)_token"]),
                      let id = added.first(where: { $0.content == c })?.id, id < vocabCount,
                      !ids.contains(where: { $0.0 == typ }) else { continue }
                ids.append((typ, id))
            }
        }
        let idKey = ["bos": "bos", "eos": "eos", "unk": "unknown", "sep": "seperator", "pad": "padding", "mask": "mask"]
        var out: [(key: String, value: MetadataValue)] = []
        for (typ, id) in ids { if let k = idKey[typ] { out.append(("tokenizer.ggml.\(k)_token_id", .uint32(UInt32(id)))) } }
        for (typ, v) in add where ["bos", "eos", "sep"].contains(typ) { out.append(("tokenizer.ggml.add_\(typ)_token", .bool(v))) }
        return out
    }
}
