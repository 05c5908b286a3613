/// Builds `BPEModel`s from a tokenizer.json model or a GGUF vocabulary.
enum BPEModelBuilder {
    /// llama.cpp semantics for a GGUF `gpt2` vocabulary: merges are text split at the first space after the
    /// first byte (`word.find(' ', 1)`), the first occurrence of a pair keeps its rank (`emplace`), and parts
    /// or results that are not tokens still merge (as extra symbols).
    static func llamaCpp(tokens: [String], merges: [String], ignoreMerges: Bool) throws -> BPEModel {
        let n = tokens.count
        // Symbol table keyed by the token's byte-level text (byte-exact); the last id wins like llama.cpp's
        // token_to_id. Merge parts are looked up as slices of the merge string, without building Strings.
        var textToSymbol = ByteStringMap(capacity: n + 1024)
        for (i, t) in tokens.enumerated() {
            var t = t
            t.withUTF8 { _ = textToSymbol.insert(UnsafeRawBufferPointer($0), UInt64(i), replace: true) }
        }
        var lookup = ByteStringMap(capacity: ignoreMerges ? n : 16)
        if ignoreMerges {
            for (i, t) in tokens.enumerated() { if let raw = ByteLevel.decode(t) { lookup.insert(raw, UInt64(i), replace: true) } }
        }
        var extra: [[UInt8]] = []
        func symbol(_ text: UnsafeRawBufferPointer) -> Int32 {
            if let v = textToSymbol.find(text) { return Int32(v) }
            let id = Int32(n + extra.count)
            extra.append(Array(text))
            textToSymbol.insert(text, UInt64(id))
            return id
        }
        var byteSymbols = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let s = Array(String(Unicode.Scalar(ByteLevel.scalarForByte[b])!).utf8)
            byteSymbols[b] = s.withUnsafeBytes { symbol($0) }
        }
        var pairs = PairTable(capacity: merges.count + 16)
        var joined: [UInt8] = []
        for (rank, m) in merges.enumerated() {
            var m = m
            m.withUTF8 { u in
                // The first space after the first byte separates the parts (`word.find(' ', 1)`).
                guard u.count > 1 else { return }
                var sp = 1
                while sp < u.count && u[sp] != 0x20 { sp += 1 }
                guard sp < u.count else { return }
                let all = UnsafeRawBufferPointer(u)
                let a = UnsafeRawBufferPointer(rebasing: all[0..<sp])
                let b = UnsafeRawBufferPointer(rebasing: all[(sp + 1)...])
                joined.removeAll(keepingCapacity: true)
                joined.append(contentsOf: a)
                joined.append(contentsOf: b)
                let sa = symbol(a), sb = symbol(b)
                let sm = joined.withUnsafeBytes { symbol($0) }
                pairs.insert(sa, sb, rank: Int32(rank), merged: sm, replace: false)
            }
        }
        var single = [Int32](repeating: -1, count: 256)
        for b in 0..<128 { if let v = textToSymbol.find([UInt8(b)]), Int(v) < n { single[b] = Int32(v) } }
        return BPEModel(merger: BPEMerger(pairs: pairs), vocabCount: n, lookup: lookup, byteSymbols: byteSymbols,
                        byteLevel: true, ignoreMerges: ignoreMerges, byteFallback: nil, unk: nil, fuseUnk: false,
                        extraSymbolText: extra, singleByteTokens: single)
    }

    /// HF `tokenizers` semantics: every merge part and result must be in the vocabulary
    /// (`MergeTokenOutOfVocabulary` otherwise), a repeated pair takes its last rank (the map is built by
    /// inserting in order).
    static func huggingFace(vocab: [ByteKey: Int], vocabCount: Int, merges: [(String, String)], byteLevel: Bool,
                            ignoreMerges: Bool, byteFallback: Bool, unkToken: String?, fuseUnk: Bool,
                            file: String) throws -> BPEModel {
        var lookup = ByteStringMap(capacity: vocab.count)
        for (key, id) in vocab {
            let t = key.string
            if byteLevel {
                if let raw = ByteLevel.decode(t) { lookup.insert(raw, UInt64(id), replace: true) }
            } else {
                lookup.insert(Array(t.utf8), UInt64(id), replace: true)
            }
        }
        var pairs = PairTable(capacity: merges.count + 16)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocab[ByteKey(a)] else {
                throw TokenizerError.invalid(file: file, key: "model.merges[\(rank)]", message: "token '\(a)' not in vocab")
            }
            guard let ib = vocab[ByteKey(b)] else {
                throw TokenizerError.invalid(file: file, key: "model.merges[\(rank)]", message: "token '\(b)' not in vocab")
            }
            guard let im = vocab[ByteKey(a + b)] else {
                throw TokenizerError.invalid(file: file, key: "model.merges[\(rank)]", message: "token '\(a + b)' not in vocab")
            }
            pairs.insert(Int32(ia), Int32(ib), rank: Int32(rank), merged: Int32(im), replace: true)
        }
        var byteSymbols = [Int32](repeating: -1, count: 256)
        var fallback: [Int32]? = nil
        if byteLevel {
            for b in 0..<256 {
                if let id = vocab[ByteKey(String(Unicode.Scalar(ByteLevel.scalarForByte[b])!))] { byteSymbols[b] = Int32(id) }
            }
        }
        if byteFallback {
            var fb = [Int32](repeating: -1, count: 256)
            for b in 0..<256 {
                let hex = "<0x" + String(b, radix: 16, uppercase: true).leftPadded(2) + ">"
                if let id = vocab[ByteKey(hex)] { fb[b] = Int32(id) }
            }
            fallback = fb
        }
        var unk: Int32? = nil
        if let u = unkToken {
            guard let id = vocab[ByteKey(u)] else {
                throw TokenizerError.invalid(file: file, key: "model.unk_token", message: "token '\(u)' not in vocab")
            }
            unk = Int32(id)
        }
        var model = BPEModel(merger: BPEMerger(pairs: pairs), vocabCount: vocabCount, lookup: lookup,
                             byteSymbols: byteSymbols, byteLevel: byteLevel, ignoreMerges: ignoreMerges,
                             byteFallback: fallback, unk: unk, fuseUnk: fuseUnk, extraSymbolText: [],
                             singleByteTokens: [Int32](repeating: -1, count: 256))
        // With ignore_merges a whole word can be a token even if no merge builds it; keep whole segments then.
        model.metaspaceWords = !byteLevel && !ignoreMerges && vocab[ByteKey("\u{2581}")] != nil && MetaspaceWords.vocabularyAllows(vocab.keys.map(\.string))
        return model
    }
}
