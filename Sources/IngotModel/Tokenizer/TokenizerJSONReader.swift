import IngotFormats

/// Reads tokenizer.json's component objects into Ingot's steps, rejecting anything it does not implement
/// with the JSON path of the offending object.
struct TokenizerJSONReader {
    let file: String

    private func type(_ v: JSONValue, _ key: String) throws -> String {
        guard let t = v["type"]?.string else { throw TokenizerError.missingKey(file: file, key: key + ".type") }
        return t
    }

    /// A `{"String": s}` pattern (Regex patterns are not supported in normalizers and decoders).
    private func stringPattern(_ v: JSONValue?, _ key: String) throws -> String {
        guard let p = v else { throw TokenizerError.missingKey(file: file, key: key) }
        if let s = p["String"]?.string { return s }
        throw TokenizerError.unsupported(file: file, key: key, what: "pattern", supported: ["{\"String\": …}"])
    }

    // MARK: - Normalizer

    func normalizer(_ v: JSONValue?, key: String) throws -> [NormalizerStep] {
        guard let v, !v.isNull else { return [] }
        let t = try type(v, key)
        switch t {
        case "Sequence":
            guard let list = v["normalizers"]?.array else { throw TokenizerError.missingKey(file: file, key: key + ".normalizers") }
            return try list.enumerated().flatMap { try normalizer($1, key: "\(key).normalizers[\($0)]") }
        case "Prepend":
            guard let p = v["prepend"]?.string else { throw TokenizerError.missingKey(file: file, key: key + ".prepend") }
            return [.prepend(p)]
        case "Replace":
            guard let c = v["content"]?.string else { throw TokenizerError.missingKey(file: file, key: key + ".content") }
            return [.replace(try stringPattern(v["pattern"], key + ".pattern"), c)]
        case "NFC": return [.nfc]
        case "NFD": return [.nfd]
        case "NFKC": return [.nfkc]
        case "NFKD": return [.nfkd]
        case "Lowercase": return [.lowercase]
        case "Strip": return [.strip(left: v["strip_left"]?.bool ?? true, right: v["strip_right"]?.bool ?? true)]
        default:
            throw TokenizerError.unsupported(file: file, key: key + ".type", what: "normalizer '\(t)'",
                                             supported: ["Sequence", "Prepend", "Replace", "NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Strip"])
        }
    }

    // MARK: - Pre-tokenizer

    func preTokenizer(_ v: JSONValue?, key: String) throws -> PreTokenizerPlan {
        var plan = PreTokenizerPlan()
        guard let v, !v.isNull else { return plan }
        var steps: [(JSONValue, String)] = [(v, key)]
        if try type(v, key) == "Sequence" {
            guard let list = v["pretokenizers"]?.array else { throw TokenizerError.missingKey(file: file, key: key + ".pretokenizers") }
            steps = list.enumerated().map { ($1, "\(key).pretokenizers[\($0)]") }
        }
        let supported = ["ByteLevel", "Split (GPT-2, Llama-3 or o200k regex, Isolated) then ByteLevel", "Metaspace"]
        for (i, (s, k)) in steps.enumerated() {
            let t = try type(s, k)
            switch t {
            case "ByteLevel":
                let prefix = s["add_prefix_space"]?.bool ?? true
                let regex = s["use_regex"]?.bool ?? true
                guard !plan.byteLevel, plan.metaspace == nil else {
                    throw TokenizerError.unsupported(file: file, key: k, what: "second ByteLevel", supported: supported)
                }
                if regex {
                    guard plan.split == nil else {
                        throw TokenizerError.unsupported(file: file, key: k, what: "ByteLevel regex after a Split", supported: supported)
                    }
                    plan.split = .gpt2
                    plan.prefixSpace = prefix
                } else if prefix {
                    // After a Split HF would prefix every piece; Ingot only supports prefixing whole segments.
                    guard plan.split == nil else {
                        throw TokenizerError.unsupported(file: file, key: k + ".add_prefix_space", what: "prefix space after a Split", supported: supported)
                    }
                    plan.prefixSpace = true
                }
                plan.byteLevel = true
            case "Split":
                guard i == 0 || (plan.split == nil && !plan.byteLevel) else {
                    throw TokenizerError.unsupported(file: file, key: k, what: "Split in this position", supported: supported)
                }
                guard let rx = s["pattern"]?["Regex"]?.string else {
                    throw TokenizerError.unsupported(file: file, key: k + ".pattern", what: "Split pattern", supported: ["{\"Regex\": …}"])
                }
                guard let p = SplitPattern.allCases.first(where: { $0.regex == rx }) else {
                    throw TokenizerError.unsupported(file: file, key: k + ".pattern.Regex", what: "split regex \(rx)",
                                                     supported: SplitPattern.allCases.map(\.rawValue))
                }
                let behavior = s["behavior"]?.string ?? ""
                guard behavior == "Isolated", !(s["invert"]?.bool ?? false) else {
                    throw TokenizerError.unsupported(file: file, key: k + ".behavior", what: "Split behavior '\(behavior)'", supported: ["Isolated (invert false)"])
                }
                plan.split = p
            case "Metaspace":
                guard steps.count == 1 else {
                    throw TokenizerError.unsupported(file: file, key: k, what: "Metaspace inside a Sequence", supported: supported)
                }
                let rep = s["replacement"]?.string ?? "\u{2581}"
                var scheme = PreTokenizerPlan.PrependScheme.always
                if let ps = s["prepend_scheme"]?.string {
                    guard let x = PreTokenizerPlan.PrependScheme(rawValue: ps) else {
                        throw TokenizerError.unsupported(file: file, key: k + ".prepend_scheme", what: "'\(ps)'", supported: ["first", "always", "never"])
                    }
                    scheme = x
                } else if let ap = s["add_prefix_space"]?.bool {
                    scheme = ap ? .always : .never
                }
                plan.metaspace = .init(replacement: rep, prependScheme: scheme, split: s["split"]?.bool ?? true)
            default:
                throw TokenizerError.unsupported(file: file, key: k + ".type", what: "pre-tokenizer '\(t)'", supported: supported)
            }
        }
        if plan.split != nil && !plan.byteLevel {
            throw TokenizerError.unsupported(file: file, key: key, what: "Split without ByteLevel", supported: supported)
        }
        return plan
    }

    // MARK: - Decoder

    func decoder(_ v: JSONValue?, key: String) throws -> [DecoderStep] {
        guard let v, !v.isNull else { return [] }
        let t = try type(v, key)
        switch t {
        case "Sequence":
            guard let list = v["decoders"]?.array else { throw TokenizerError.missingKey(file: file, key: key + ".decoders") }
            return try list.enumerated().flatMap { try decoder($1, key: "\(key).decoders[\($0)]") }
        case "ByteLevel": return [.byteLevel]
        case "ByteFallback": return [.byteFallback]
        case "Fuse": return [.fuse]
        case "Replace":
            guard let c = v["content"]?.string else { throw TokenizerError.missingKey(file: file, key: key + ".content") }
            return [.replace(try stringPattern(v["pattern"], key + ".pattern"), c)]
        case "Strip":
            guard let c = v["content"]?.string, c.count == 1 else {
                throw TokenizerError.invalid(file: file, key: key + ".content", message: "expected one character")
            }
            return [.strip(content: c.first!, start: v["start"]?.int ?? 0, stop: v["stop"]?.int ?? 0)]
        case "Metaspace":
            let rep = v["replacement"]?.string ?? "\u{2581}"
            var scheme = PreTokenizerPlan.PrependScheme.always
            if let ps = v["prepend_scheme"]?.string, let x = PreTokenizerPlan.PrependScheme(rawValue: ps) { scheme = x } else if let ap = v["add_prefix_space"]?.bool {
                scheme = ap ? .always : .never
            }
            return [.metaspace(replacement: rep, prependScheme: scheme)]
        default:
            throw TokenizerError.unsupported(file: file, key: key + ".type", what: "decoder '\(t)'",
                                             supported: ["Sequence", "ByteLevel", "ByteFallback", "Fuse", "Replace", "Strip", "Metaspace"])
        }
    }

    // MARK: - Post-processor

    /// The ids added before and after a single sequence.
    func postProcessor(_ v: JSONValue?, key: String, ids: [String: Int]) throws -> ([Int32], [Int32]) {
        guard let v, !v.isNull else { return ([], []) }
        let t = try type(v, key)
        switch t {
        case "ByteLevel": return ([], [])
        case "Sequence":
            guard let list = v["processors"]?.array else { throw TokenizerError.missingKey(file: file, key: key + ".processors") }
            var pre: [Int32] = [], suf: [Int32] = []
            for (i, p) in list.enumerated() {
                let (a, b) = try postProcessor(p, key: "\(key).processors[\(i)]", ids: ids)
                pre = a + pre
                suf += b
            }
            return (pre, suf)
        case "TemplateProcessing":
            guard let single = v["single"]?.array else { throw TokenizerError.missingKey(file: file, key: key + ".single") }
            var pre: [Int32] = [], suf: [Int32] = []
            var seenA = false
            for (i, piece) in single.enumerated() {
                if piece["Sequence"] != nil { seenA = true; continue }
                guard let name = piece["SpecialToken"]?["id"]?.string else {
                    throw TokenizerError.invalid(file: file, key: "\(key).single[\(i)]", message: "expected SpecialToken or Sequence")
                }
                var tokenIDs: [Int32] = []
                if let st = v["special_tokens"]?[name] {
                    guard let arr = st["ids"]?.array else { throw TokenizerError.missingKey(file: file, key: "\(key).special_tokens.\(name).ids") }
                    for x in arr {
                        guard let id = x.int, id >= 0, id < TokenizerLimits.maxVocabulary else {
                            throw TokenizerError.invalid(file: file, key: "\(key).special_tokens.\(name).ids",
                                                         message: "expected ids below \(TokenizerLimits.maxVocabulary)")
                        }
                        tokenIDs.append(Int32(id))
                    }
                } else if let id = ids[name] {
                    tokenIDs = [Int32(id)]
                } else {
                    throw TokenizerError.invalid(file: file, key: "\(key).single[\(i)]", message: "special token '\(name)' not in vocab")
                }
                if seenA { suf += tokenIDs } else { pre += tokenIDs }
            }
            return (pre, suf)
        default:
            throw TokenizerError.unsupported(file: file, key: key + ".type", what: "post-processor '\(t)'",
                                             supported: ["ByteLevel", "TemplateProcessing", "Sequence"])
        }
    }
}
