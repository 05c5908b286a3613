/// Builds `BPEModel`s from a tokenizer.json model or a GGUF vocabulary.
enum BPEModelBuilder {
    /// llama.cpp semantics for a GGUF `gpt2` vocabulary: merges are text split at the first space after the
    /// first byte (`word.find(' ', 1)`), the first occurrence of a pair keeps its rank (`emplace`), and parts
    /// or results that are not tokens still merge (as extra symbols).
    static func llamaCpp(tokens: [String], merges: [String], ignoreMerges: Bool) throws -> BPEModel {
        let n = tokens.count
        var lookup = ByteStringMap(capacity: n)
        // Symbol table keyed by the token's byte-level text (UTF-8), last id wins like llama.cpp's token_to_id.
        var textToSymbol = ByteStringMap(capacity: n + 1024)
        for (i, t) in tokens.enumerated() {
            textToSymbol.insert(Array(t.utf8), UInt64(i), replace: true)
            if let raw = ByteLevel.decode(t) { lookup.insert(raw, UInt64(i), replace: true) }
        }
        var extra: [[UInt8]] = []
        func symbol(_ text: [UInt8]) -> Int32 {
            if let v = textToSymbol.find(text) { return Int32(v) }
            let id = n + extra.count
            extra.append(text)
            textToSymbol.insert(text, UInt64(id))
            return Int32(id)
        }
        var byteSymbols = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            byteSymbols[b] = symbol(Array(String(Unicode.Scalar(ByteLevel.scalarForByte[b])!).utf8))
        }
        var pairs = PairTable(capacity: merges.count + 16)
        for (rank, m) in merges.enumerated() {
            let u = Array(m.utf8)
            guard u.count > 1, let sp = u[1...].firstIndex(of: 0x20) else { continue }
            let a = Array(u[..<sp]), b = Array(u[(sp + 1)...])
            let sa = symbol(a), sb = symbol(b), sm = symbol(a + b)
            pairs.insert(sa, sb, rank: Int32(rank), merged: sm, replace: false)
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
    static func huggingFace(vocab: [String: Int], vocabCount: Int, merges: [(String, String)], byteLevel: Bool,
                            ignoreMerges: Bool, byteFallback: Bool, unkToken: String?, fuseUnk: Bool,
                            file: String) throws -> BPEModel {
        var lookup = ByteStringMap(capacity: vocab.count)
        for (t, id) in vocab {
            if byteLevel {
                if let raw = ByteLevel.decode(t) { lookup.insert(raw, UInt64(id), replace: true) }
            } else {
                lookup.insert(Array(t.utf8), UInt64(id), replace: true)
            }
        }
        var pairs = PairTable(capacity: merges.count + 16)
        for (rank, (a, b)) in merges.enumerated() {
            guard let ia = vocab[a] else {
                throw TokenizerError.invalid(file: file, key: "model.merges[\(rank)]", message: "token '\(a)' not in vocab")
            }
            guard let ib = vocab[b] else {
                throw TokenizerError.invalid(file: file, key: "model.merges[\(rank)]", message: "token '\(b)' not in vocab")
            }
            guard let im = vocab[a + b] else {
                throw TokenizerError.invalid(file: file, key: "model.merges[\(rank)]", message: "token '\(a + b)' not in vocab")
            }
            pairs.insert(Int32(ia), Int32(ib), rank: Int32(rank), merged: Int32(im), replace: true)
        }
        var byteSymbols = [Int32](repeating: -1, count: 256)
        var fallback: [Int32]? = nil
        if byteLevel {
            for b in 0..<256 {
                if let id = vocab[String(Unicode.Scalar(ByteLevel.scalarForByte[b])!)] { byteSymbols[b] = Int32(id) }
            }
        }
        if byteFallback {
            var fb = [Int32](repeating: -1, count: 256)
            for b in 0..<256 {
                let hex = "<0x" + String(b, radix: 16, uppercase: true).leftPadded(2) + ">"
                if let id = vocab[hex] { fb[b] = Int32(id) }
            }
            fallback = fb
        }
        var unk: Int32? = nil
        if let u = unkToken {
            guard let id = vocab[u] else {
                throw TokenizerError.invalid(file: file, key: "model.unk_token", message: "token '\(u)' not in vocab")
            }
            unk = Int32(id)
        }
        return BPEModel(merger: BPEMerger(pairs: pairs), vocabCount: vocabCount, lookup: lookup,
                        byteSymbols: byteSymbols, byteLevel: byteLevel, ignoreMerges: ignoreMerges,
                        byteFallback: fallback, unk: unk, fuseUnk: fuseUnk, extraSymbolText: [],
                        singleByteTokens: [Int32](repeating: -1, count: 256))
    }
}
