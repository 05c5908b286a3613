import IngotCore

extension Tokenizer {
    /// llama.cpp pre-tokenizer names (`tokenizer.ggml.pre`) Ingot maps to its split patterns, with whether
    /// llama.cpp sets `ignore_merges` and `add_bos` for them (`llama_vocab::impl::load`).
    static let llamaPreTokenizers: [String: (pattern: SplitPattern, ignoreMerges: Bool, addBOS: Bool)] = [
        "gpt-2": (.gpt2, false, false), "phi-2": (.gpt2, false, false), "jina-es": (.gpt2, false, false),
        "jina-de": (.gpt2, false, false), "gigachat": (.gpt2, false, false), "jina-v2-es": (.gpt2, false, false),
        "jina-v2-de": (.gpt2, false, false), "a.x-4.0": (.gpt2, false, false), "mellum": (.gpt2, false, false),
        "exaone4": (.gpt2, false, false), "mpt": (.gpt2, false, false), "olmo": (.gpt2, false, false),
        "jais": (.gpt2, false, false), "trillion": (.gpt2, false, false), "granite-docling": (.gpt2, false, false),
        "llama3": (.llama3, true, true), "llama-v3": (.llama3, true, true), "llama-bpe": (.llama3, true, true),
        "falcon3": (.llama3, true, true), "falcon-h1": (.llama3, true, true), "pixtral": (.llama3, true, true),
        "midm-2.0": (.llama3, true, true), "lfm2": (.llama3, true, true),
        "dbrx": (.llama3, false, false), "smaug-bpe": (.llama3, false, false),
        "chatglm-bpe": (.llama3, false, false), "glm4": (.llama3, false, false),
        "gpt-4o": (.o200k, false, false), "llama4": (.o200k, false, false), "minimax-m2": (.o200k, false, false),
    ]

    /// Loads the vocabulary a GGUF file carries in its `tokenizer.ggml.*` keys (a model or a vocabulary-only
    /// file), reproducing llama.cpp's `llama_vocab` behaviour. `file` names the source in error messages.
    public static func load(gguf metadata: Metadata, file: String = "GGUF") throws -> Tokenizer {
        func str(_ k: String) throws -> String? {
            guard let v = metadata[k] else { return nil }
            guard let s = v.stringValue else { throw TokenizerError.invalid(file: file, key: k, message: "expected a string") }
            return s
        }
        func array(_ k: String) throws -> [MetadataValue]? {
            guard let v = metadata[k] else { return nil }
            guard let a = v.arrayValue else { throw TokenizerError.invalid(file: file, key: k, message: "expected an array") }
            return a
        }
        guard let model = try str("tokenizer.ggml.model") else {
            throw TokenizerError.missingKey(file: file, key: "tokenizer.ggml.model")
        }
        guard model == "gpt2" || model == "llama" else {
            throw TokenizerError.unsupported(file: file, key: "tokenizer.ggml.model", what: "tokenizer model '\(model)'",
                                             supported: ["gpt2", "llama"])
        }
        guard let tokVals = try array("tokenizer.ggml.tokens") else {
            throw TokenizerError.missingKey(file: file, key: "tokenizer.ggml.tokens")
        }
        let n = tokVals.count
        if n > TokenizerLimits.maxVocabulary {
            throw TokenizerError.tooLarge(file: file, key: "tokenizer.ggml.tokens", count: n, limit: TokenizerLimits.maxVocabulary)
        }
        var tokens: [String] = []
        tokens.reserveCapacity(n)
        for (i, v) in tokVals.enumerated() {
            guard let s = v.stringValue else {
                throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.tokens[\(i)]", message: "expected a string")
            }
            tokens.append(s.isEmpty ? "[EMPTY_\(i)]" : s)
        }
        var types = [TokenType](repeating: .normal, count: n)
        if let tv = try array("tokenizer.ggml.token_type") {
            guard tv.count == n else {
                throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.token_type",
                                             message: "\(tv.count) entries for \(n) tokens")
            }
            for (i, v) in tv.enumerated() {
                guard let x = v.intValue else {
                    throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.token_type[\(i)]", message: "expected an integer")
                }
                // llama.cpp maps unknown values to UNDEFINED, which behaves as a plain token.
                types[i] = TokenType(rawValue: Int32(truncatingIfNeeded: x)) ?? .normal
            }
        }
        var scores = [Float](repeating: 0, count: n)
        if let sv = try array("tokenizer.ggml.scores") {
            guard sv.count == n else {
                throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.scores", message: "\(sv.count) entries for \(n) tokens")
            }
            for (i, v) in sv.enumerated() {
                guard let d = v.doubleValue else {
                    throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.scores[\(i)]", message: "expected a number")
                }
                scores[i] = Float(d)
            }
        }
        let pre = try str("tokenizer.ggml.pre")
        let isBPE = model == "gpt2"
        var bos: Int? = isBPE ? 11 : 1
        var eos: Int? = isBPE ? 11 : 2
        var unk: Int? = isBPE ? nil : 0
        var pad: Int? = nil
        var addBOS = !isBPE
        var addEOS = false
        var preInfo: (pattern: SplitPattern, ignoreMerges: Bool, addBOS: Bool)? = nil
        if isBPE {
            guard let name = pre, let info = llamaPreTokenizers[name] else {
                throw TokenizerError.unknownPreTokenizer(file: file, name: pre ?? "(missing)",
                                                         supported: llamaPreTokenizers.keys.sorted())
            }
            preInfo = info
            if info.addBOS { addBOS = true }
        }
        for (key, assign) in [("bos", 0), ("eos", 1), ("unknown", 2), ("padding", 3)] {
            let k = "tokenizer.ggml.\(key)_token_id"
            guard let v = metadata[k] else { continue }
            guard let id = v.intValue else { throw TokenizerError.invalid(file: file, key: k, message: "expected an integer") }
            guard id >= 0 && id < n else { continue } // llama.cpp warns and keeps the default
            switch assign { case 0: bos = id; case 1: eos = id; case 2: unk = id; default: pad = id }
        }
        if let v = metadata["tokenizer.ggml.add_bos_token"] {
            guard let b = v.boolValue else { throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.add_bos_token", message: "expected a bool") }
            addBOS = b
        }
        if let v = metadata["tokenizer.ggml.add_eos_token"] {
            guard let b = v.boolValue else { throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.add_eos_token", message: "expected a bool") }
            addEOS = b
        }
        var addSpacePrefix = !isBPE
        if let v = metadata["tokenizer.ggml.add_space_prefix"] {
            guard let b = v.boolValue else { throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.add_space_prefix", message: "expected a bool") }
            addSpacePrefix = b
        }
        if bos.map({ $0 >= n }) ?? false { bos = nil }
        if eos.map({ $0 >= n }) ?? false { eos = nil }
        if unk.map({ $0 >= n }) ?? false { unk = nil }

        // Token attributes llama.cpp overrides by text (end-of-generation tokens become control tokens; the
        // gpt-oss channel markers are always rendered, as user-defined tokens).
        let eogTexts: Set<String> = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>",
                                     "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>",
                                     "<end_of_utterance>"]
        let userDefinedTexts: Set<String> = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]
        var attrTypes = types
        for i in 0..<n {
            // All of these texts start with "<" or "_"; testing the first byte skips hashing almost every token.
            guard let f = tokens[i].utf8.first, f == 0x3C || f == 0x5F else { continue }
            if eogTexts.contains(tokens[i]) { attrTypes[i] = .control }
            if userDefinedTexts.contains(tokens[i]) { attrTypes[i] = .userDefined }
        }
        // Phi-3: special tokens absorb whitespace on their right, except <unk>, <s>, <|endoftext|>.
        let name = (try? str("general.name"))??.lowercased() ?? ""
        let phi3 = name.contains("phi-3") || name.contains("phi3")
        var entries: [SpecialTokenPartition.Entry] = []
        var special = Set<Int>()
        for i in 0..<n {
            let t = attrTypes[i]
            guard t == .control || t == .userDefined || t == .unknown else { continue }
            var rstrip = phi3
            if phi3 && ["<unk>", "<s>", "<|endoftext|>"].contains(tokens[i]) { rstrip = false }
            entries.append(.init(id: Int32(i), text: Array(tokens[i].utf8), lstrip: false, rstrip: rstrip,
                                 control: t != .userDefined))
            if t != .userDefined { special.insert(i) }
        }
        let partition = SpecialTokenPartition(entries)
        let template = try str("tokenizer.chat_template")

        if isBPE {
            guard let mv = try array("tokenizer.ggml.merges") else {
                throw TokenizerError.missingKey(file: file, key: "tokenizer.ggml.merges")
            }
            if mv.count > TokenizerLimits.maxMerges {
                throw TokenizerError.tooLarge(file: file, key: "tokenizer.ggml.merges", count: mv.count, limit: TokenizerLimits.maxMerges)
            }
            var merges: [String] = []
            merges.reserveCapacity(mv.count)
            for (i, v) in mv.enumerated() {
                guard let s = v.stringValue else {
                    throw TokenizerError.invalid(file: file, key: "tokenizer.ggml.merges[\(i)]", message: "expected a string")
                }
                merges.append(s)
            }
            let bpe = try BPEModelBuilder.llamaCpp(tokens: tokens, merges: merges, ignoreMerges: preInfo!.ignoreMerges)
            return Tokenizer(engine: .llamaBPE(split: preInfo!.pattern, model: bpe), partition: partition,
                             decoderSteps: [.byteLevel], tokens: tokens, tokenTypes: types, scores: scores,
                             merges: merges, addedTokens: [], bos: bos, eos: eos, unk: unk, pad: pad,
                             addBOS: addBOS, addEOS: addEOS, chatTemplate: template, ggmlModel: model,
                             preTokenizerName: pre, addSpacePrefix: nil, specialIDs: special)
        }
        // SentencePiece: text → id (the last id wins for duplicate texts, as llama.cpp's map assignment does).
        var lookup = ByteStringMap(capacity: n)
        for (i, t) in tokens.enumerated() { lookup.insert(Array(t.utf8), UInt64(i), replace: true) }
        var byteTokens = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let hex = "<0x" + String(b, radix: 16, uppercase: true).leftPadded(2) + ">"
            if let v = lookup.find(Array(hex.utf8)) { byteTokens[b] = Int32(v) } else if b < 0x80, let v = lookup.find([UInt8(b)]) {
                byteTokens[b] = Int32(v)
            }
        }
        let scorer = SentencePieceScorer(lookup: lookup, scores: scores, byteTokens: byteTokens)
        var steps: [DecoderStep] = [.replace("\u{2581}", " "), .byteFallback, .fuse]
        if addSpacePrefix { steps.append(.strip(content: " ", start: 1, stop: 0)) }
        let wordSplit = MetaspaceWords.vocabularyAllows(tokens)
        return Tokenizer(engine: .llamaSPM(scorer: scorer, addSpacePrefix: addSpacePrefix, wordSplit: wordSplit),
                         partition: partition,
                         decoderSteps: steps, tokens: tokens, tokenTypes: types, scores: scores, merges: [],
                         addedTokens: [], bos: bos, eos: eos, unk: unk, pad: pad, addBOS: addBOS, addEOS: addEOS,
                         chatTemplate: template, ggmlModel: model, preTokenizerName: pre ?? "default",
                         addSpacePrefix: addSpacePrefix, specialIDs: special)
    }
}

extension String {
    func leftPadded(_ width: Int, with c: Character = "0") -> String {
        count >= width ? self : String(repeating: c, count: width - count) + self
    }
}
