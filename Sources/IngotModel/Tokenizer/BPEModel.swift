/// A BPE model over symbol ids: initial symbols from a word's bytes (byte-level) or characters
/// (SentencePiece-style, with byte fallback and unknown tokens), then `BPEMerger`.
///
/// Symbols below `vocabCount` are vocabulary ids. A GGUF merge list is text ("a b"), and llama.cpp merges
/// text even when a part is not a token, so the GGUF loader interns such parts as extra symbols above
/// `vocabCount`; on output they fall back the way llama.cpp's `llm_tokenizer_bpe_session` does.
struct BPEModel {
    var merger: BPEMerger
    let vocabCount: Int
    /// Token content bytes → id. Byte-level: the raw bytes a token stands for; otherwise its UTF-8.
    let lookup: ByteStringMap
    /// Byte-level: the symbol of each byte (-1 when none).
    let byteSymbols: [Int32]
    let byteLevel: Bool
    /// HF `ignore_merges` / llama.cpp's per-pre-tokenizer flag: a word that is a whole token is emitted as is.
    let ignoreMerges: Bool
    /// `<0xXX>` ids per byte, for byte fallback (-1 when absent); nil when byte fallback is off.
    let byteFallback: [Int32]?
    let unk: Int32?
    let fuseUnk: Bool
    /// Extra (non-vocabulary) symbols: their byte-level text's UTF-8, for llama.cpp's fallback.
    let extraSymbolText: [[UInt8]]
    /// Token ids of one-byte contents (llama.cpp's fallback for extra symbols), -1 where none.
    let singleByteTokens: [Int32]
    /// Character-level text without a pre-tokenizer may be cut into "▁" words (`MetaspaceWords`).
    var metaspaceWords = false

    /// Appends the ids for one pre-tokenized word.
    func encodeWord(_ w: UnsafeRawBufferPointer, into out: inout [Int32], cache: inout WordCache) {
        if w.isEmpty { return }
        if ignoreMerges, let id = lookup.find(w) { out.append(Int32(truncatingIfNeeded: id)); return }
        let cacheable = w.count <= WordCache.maxKeyBytes
        if cacheable, cache.lookup(w, into: &out) { return }
        var sym = initialSymbols(w)
        merger.merge(&sym)
        let start = out.count
        for s in sym {
            if Int(s) < vocabCount { out.append(s) } else { appendFallback(s, into: &out) }
        }
        if cacheable { cache.store(w, out[start...]) }
    }

    /// The word's symbols before any merge.
    func initialSymbols(_ w: UnsafeRawBufferPointer) -> [Int32] {
        var sym: [Int32] = []
        sym.reserveCapacity(w.count)
        if byteLevel {
            for b in w where byteSymbols[Int(b)] >= 0 { sym.append(byteSymbols[Int(b)]) }
            return sym
        }
        // Characters, HF `BPE::merge_word`: a pending unknown is flushed before a known character but not
        // before byte-fallback tokens (the library's order, kept for identical ids).
        var pendingUnk = false
        var i = 0
        let p = w.bindMemory(to: UInt8.self)
        while i < w.count {
            let len = min(UTF8Scalar.sequenceLength(lead: p[i]), w.count - i)
            let ch = UnsafeRawBufferPointer(rebasing: w[i..<(i + len)])
            i += len
            if let id = lookup.find(ch) {
                if pendingUnk, let u = unk { sym.append(u); pendingUnk = false }
                sym.append(Int32(truncatingIfNeeded: id))
                continue
            }
            if let fb = byteFallback, ch.allSatisfy({ fb[Int($0)] >= 0 }) {
                for b in ch { sym.append(fb[Int(b)]) }
                continue
            }
            if let u = unk {
                if pendingUnk && !fuseUnk { sym.append(u) }
                pendingUnk = true
            }
        }
        if pendingUnk, let u = unk { sym.append(u) }
        return sym
    }

    private func appendFallback(_ s: Int32, into out: inout [Int32]) {
        for b in extraSymbolText[Int(s) - vocabCount] where singleByteTokens[Int(b)] >= 0 {
            out.append(singleByteTokens[Int(b)])
        }
    }
}

/// Word → ids cache for one encode call (HF keeps a similar bounded cache; results never depend on it).
struct WordCache {
    static let maxKeyBytes = 256
    static let maxEntries = 1 << 16
    private var map = ByteStringMap(capacity: 4096)
    private var ids: [Int32] = []

    @inline(__always)
    func lookup(_ w: UnsafeRawBufferPointer, into out: inout [Int32]) -> Bool {
        guard let v = map.find(w) else { return false }
        let start = Int(v >> 32), count = Int(v & 0xFFFF_FFFF)
        out.append(contentsOf: ids[start..<(start + count)])
        return true
    }

    mutating func store(_ w: UnsafeRawBufferPointer, _ result: ArraySlice<Int32>) {
        if map.count >= Self.maxEntries { map.removeAll(); ids.removeAll(keepingCapacity: true) }
        let v = UInt64(ids.count) << 32 | UInt64(result.count)
        ids.append(contentsOf: result)
        map.insert(w, v)
    }
}
