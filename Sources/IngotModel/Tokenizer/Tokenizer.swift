import Foundation
import IngotCore
import IngotFormats

/// llama.cpp's token types (`tokenizer.ggml.token_type`).
public enum TokenType: Int32, Sendable, CaseIterable {
    case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}

/// A text tokenizer loaded from tokenizer.json (+ tokenizer_config.json) or from a GGUF vocabulary.
///
/// `encode` gives the ids Hugging Face `tokenizers` gives for a tokenizer.json, and the ids llama.cpp gives
/// for a GGUF vocabulary (`llama_tokenize`); `decode` reverses them. Instances are immutable and can be shared
/// across threads (each call keeps its own word cache).
public final class Tokenizer: @unchecked Sendable {
    /// How special tokens are found and which algorithm runs on text.
    enum Engine {
        /// HF `tokenizers`: added tokens, normalizer, pre-tokenizer, BPE model, post-processor.
        case huggingFace(HFPipeline)
        /// llama.cpp `LLAMA_VOCAB_TYPE_BPE`: special partition, split pattern, byte-level BPE.
        case llamaBPE(split: SplitPattern, model: BPEModel)
        /// llama.cpp `LLAMA_VOCAB_TYPE_SPM`: special partition, space escaping, merges by score.
        /// `wordSplit`: the vocabulary lets text be tokenized word by word (`MetaspaceWords`).
        case llamaSPM(scorer: SentencePieceScorer, addSpacePrefix: Bool, wordSplit: Bool)
    }

    struct HFPipeline {
        var added: AddedTokenMatcher
        /// Added tokens with `normalized: true`, matched after normalising (only when there is a normalizer).
        var addedNormalized: AddedTokenMatcher
        var normalizer: [NormalizerStep]
        var pre: PreTokenizerPlan
        var model: BPEModel
        var prefix: [Int32]
        var suffix: [Int32]
    }

    let engine: Engine
    let partition: SpecialTokenPartition?
    let decoderSteps: [DecoderStep]

    /// Token contents in id order, as the vocabulary stores them (byte-level strings for byte-level BPE).
    public let tokens: [String]
    /// llama.cpp token types in id order.
    public let tokenTypes: [TokenType]
    /// SentencePiece scores in id order (zeros when the vocabulary has none).
    public let scores: [Float]
    /// Merges as "left right" strings, in rank order (empty for score-based vocabularies).
    public let merges: [String]
    /// Tokens matched literally before the model runs.
    public let addedTokens: [AddedToken]
    /// Special ids (nil when the vocabulary has none).
    public let bos: Int?
    public let eos: Int?
    public let unk: Int?
    public let pad: Int?
    /// Whether `encode(addSpecial: true)` adds BOS / EOS.
    public let addBOS: Bool
    public let addEOS: Bool
    /// The chat template (tokenizer_config.json `chat_template` or GGUF `tokenizer.chat_template`).
    public let chatTemplate: String?
    /// "gpt2" (byte-level BPE) or "llama" (SentencePiece-style), as `tokenizer.ggml.model` spells it.
    public let ggmlModel: String
    /// The llama.cpp pre-tokenizer name (`tokenizer.ggml.pre`) when known.
    public let preTokenizerName: String?
    /// `tokenizer.ggml.add_space_prefix` for SentencePiece vocabularies.
    public let addSpacePrefix: Bool?
    /// Ids dropped by `decode(skipSpecial: true)`.
    let specialIDs: Set<Int>
    /// The converter's special-token keys (ids, add_* flags) for `ggufMetadata`; tokenizer.json only.
    var converterSpecials: [(key: String, value: MetadataValue)] = []
    /// The parsed tokenizer.json, kept for pre-tokenizer detection errors.
    var sourceJSON: JSONValue?
    /// Content → id, built on first use (most callers never look tokens up by text).
    private var idForContentStorage: [ByteKey: Int]?
    private let idForContentLock = NSLock()

    init(engine: Engine, partition: SpecialTokenPartition?, decoderSteps: [DecoderStep], tokens: [String],
         tokenTypes: [TokenType], scores: [Float], merges: [String], addedTokens: [AddedToken],
         bos: Int?, eos: Int?, unk: Int?, pad: Int?, addBOS: Bool, addEOS: Bool, chatTemplate: String?,
         ggmlModel: String, preTokenizerName: String?, addSpacePrefix: Bool?, specialIDs: Set<Int>) {
        self.engine = engine; self.partition = partition; self.decoderSteps = decoderSteps
        self.tokens = tokens; self.tokenTypes = tokenTypes; self.scores = scores; self.merges = merges
        self.addedTokens = addedTokens; self.bos = bos; self.eos = eos; self.unk = unk; self.pad = pad
        self.addBOS = addBOS; self.addEOS = addEOS; self.chatTemplate = chatTemplate
        self.ggmlModel = ggmlModel; self.preTokenizerName = preTokenizerName; self.addSpacePrefix = addSpacePrefix
        self.specialIDs = specialIDs
    }

    // MARK: - Lookups

    /// Number of ids (the largest id + 1).
    public var vocabSize: Int { tokens.count }

    /// The stored content of a token, or nil when out of range.
    public func tokenString(_ id: Int) -> String? { id >= 0 && id < tokens.count ? tokens[id] : nil }

    /// The id of a token given its exact content (e.g. "<|eot_id|>"), or nil.
    public func tokenID(_ content: String) -> Int? {
        idForContentLock.lock()
        defer { idForContentLock.unlock() }
        if idForContentStorage == nil {
            var m: [ByteKey: Int] = [:]
            m.reserveCapacity(tokens.count)
            for (i, t) in tokens.enumerated() where m[ByteKey(t)] == nil { m[ByteKey(t)] = i }
            for a in addedTokens { m[ByteKey(a.content)] = a.id }
            idForContentStorage = m
        }
        return idForContentStorage![ByteKey(content)]
    }

    /// Whether `decode(skipSpecial: true)` drops this id.
    public func isSpecial(_ id: Int) -> Bool { specialIDs.contains(id) }

    // MARK: - Encode

    /// Token ids for `text`. `addSpecial` adds BOS/EOS as the tokenizer's post-processor (or GGUF flags) say;
    /// `parseSpecial` lets control tokens written in the text match as tokens (always on for tokenizer.json,
    /// as in HF `tokenizers`; llama.cpp's `parse_special`).
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = true) -> [Int] {
        encode32(Array(text.utf8), addSpecial: addSpecial, parseSpecial: parseSpecial).map(Int.init)
    }

    /// `encode` on UTF-8 bytes, returning 32-bit ids (the hot path for large texts).
    public func encode32(_ bytes: [UInt8], addSpecial: Bool = true, parseSpecial: Bool = true) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(bytes.count / 3 + 8)
        var cache = WordCache()
        switch engine {
        case .huggingFace(let p):
            encodeHF(p, bytes, into: &out, cache: &cache)
            if addSpecial { out = p.prefix + out + p.suffix }
        case .llamaBPE(let split, let model):
            if addSpecial && addBOS, let b = bos { out.append(Int32(b)) }
            for f in partition!.split(bytes, parseSpecial: parseSpecial) {
                switch f {
                case .token(let id): out.append(id)
                case .text(let r): encodeSplit(Array(bytes[r]), split, model, into: &out, cache: &cache)
                }
            }
            if addSpecial && addEOS, let e = eos { out.append(Int32(e)) }
        case .llamaSPM(let scorer, let addSpacePrefix, let wordSplit):
            if addSpecial && addBOS, let b = bos { out.append(Int32(b)) }
            var prevSpecial = true
            for f in partition!.split(bytes, parseSpecial: parseSpecial) {
                switch f {
                case .token(let id):
                    out.append(id)
                    prevSpecial = true
                case .text(let r):
                    var t: [UInt8] = []
                    t.reserveCapacity(r.count + r.count / 2 + 3)
                    if addSpacePrefix && prevSpecial { t.append(contentsOf: [0xE2, 0x96, 0x81]) }
                    for b in bytes[r] { if b == 0x20 { t.append(contentsOf: [0xE2, 0x96, 0x81]) } else { t.append(b) } }
                    t.withUnsafeBytes { raw in
                        guard wordSplit else { scorer.tokenize(raw, into: &out); return }
                        MetaspaceWords.forEachWord(raw) { w in
                            let cacheable = w.count <= WordCache.maxKeyBytes
                            if cacheable && cache.lookup(w, into: &out) { return }
                            let start = out.count
                            scorer.tokenize(w, into: &out)
                            if cacheable { cache.store(w, out[start...]) }
                        }
                    }
                    prevSpecial = false
                }
            }
            if addSpecial && addEOS, let e = eos { out.append(Int32(e)) }
        }
        return out
    }

    private func encodeSplit(_ seg: [UInt8], _ split: SplitPattern?, _ model: BPEModel, into out: inout [Int32],
                             cache: inout WordCache) {
        guard let split else {
            seg.withUnsafeBytes { raw in
                if model.metaspaceWords {
                    MetaspaceWords.forEachWord(raw) { model.encodeWord($0, into: &out, cache: &cache) }
                } else {
                    model.encodeWord(raw, into: &out, cache: &cache)
                }
            }
            return
        }
        let text = ScalarText(seg)
        text.bytes.withUnsafeBytes { raw in
            text.byteOffsets.withUnsafeBufferPointer { offs in
                split.split(text, 0..<text.count) { r in
                    let piece = UnsafeRawBufferPointer(rebasing: raw[offs[r.lowerBound]..<offs[r.upperBound]])
                    model.encodeWord(piece, into: &out, cache: &cache)
                }
            }
        }
    }

    private func encodeHF(_ p: HFPipeline, _ bytes: [UInt8], into out: inout [Int32], cache: inout WordCache) {
        for f in p.added.split(bytes, 0..<bytes.count) {
            switch f {
            case .token(let id): out.append(id)
            case .text(let r):
                var seg = Array(bytes[r])
                if !p.normalizer.isEmpty { seg = normalize(p.normalizer, seg) }
                if p.addedNormalized.isEmpty {
                    encodeHFSegment(p, seg, first: r.lowerBound == 0, into: &out, cache: &cache)
                } else {
                    var first = r.lowerBound == 0
                    for g in p.addedNormalized.split(seg, 0..<seg.count) {
                        switch g {
                        case .token(let id): out.append(id)
                        case .text(let q): encodeHFSegment(p, Array(seg[q]), first: first, into: &out, cache: &cache)
                        }
                        first = false
                    }
                }
            }
        }
    }

    private func normalize(_ steps: [NormalizerStep], _ seg: [UInt8]) -> [UInt8] {
        var b = seg
        var s: String? = nil
        for st in steps {
            if s == nil, let r = st.applyBytes(b) { b = r; continue }
            s = st.apply(s ?? String(decoding: b, as: UTF8.self))
        }
        return s.map { Array($0.utf8) } ?? b
    }

    private func encodeHFSegment(_ p: HFPipeline, _ segment: [UInt8], first: Bool, into out: inout [Int32],
                                 cache: inout WordCache) {
        var seg = segment
        if seg.isEmpty { return }
        if let m = p.pre.metaspace {
            let rep = Array(m.replacement.utf8)
            var t: [UInt8] = []
            t.reserveCapacity(seg.count + seg.count / 2)
            for b in seg { if b == 0x20 { t.append(contentsOf: rep) } else { t.append(b) } }
            let prepend = m.prependScheme == .always || (m.prependScheme == .first && first)
            if prepend && !t.starts(with: rep) { t = rep + t }
            if m.split {
                // MergedWithNext on the replacement: each word starts at a replacement.
                var start = 0
                var i = 0
                while i < t.count {
                    if i > start && t[i...].starts(with: rep) {
                        let w = Array(t[start..<i])
                        w.withUnsafeBytes { p.model.encodeWord($0, into: &out, cache: &cache) }
                        start = i
                    }
                    i += 1
                }
                let w = Array(t[start...])
                w.withUnsafeBytes { p.model.encodeWord($0, into: &out, cache: &cache) }
                return
            }
            seg = t
        }
        if p.pre.prefixSpace && seg.first != 0x20 { seg.insert(0x20, at: 0) }
        encodeSplit(seg, p.pre.split, p.model, into: &out, cache: &cache)
    }

    // MARK: - Decode

    /// The bytes one token stands for (for streaming output: a UTF-8 sequence may span tokens, so the caller
    /// joins bytes before decoding them). Byte-level tokens map back through GPT-2's table, `<0xXX>` tokens
    /// give their byte, SentencePiece's `▁` gives a space.
    public func decodePiece(_ id: Int) -> [UInt8] {
        guard let t = tokenString(id) else { return [] }
        if ggmlModel == "gpt2" {
            if addedTokens.contains(where: { $0.id == id }) || tokenTypes[id] == .control
                || tokenTypes[id] == .userDefined {
                return Array(t.utf8)
            }
            return ByteLevel.decode(t) ?? Array(t.utf8)
        }
        if let b = DecoderStep.byteToken(t), tokenTypes[id] == .byte || !specialIDs.contains(id) { return [b] }
        return Array(t.replacingOccurrences(of: "\u{2581}", with: " ").utf8)
    }

    /// Text for `ids`, through the tokenizer's decoder chain. `skipSpecial` drops special tokens.
    public func decode(_ ids: [Int], skipSpecial: Bool = false) -> String {
        var pieces: [String] = []
        pieces.reserveCapacity(ids.count)
        for id in ids {
            guard let t = tokenString(id) else { continue }
            if skipSpecial && specialIDs.contains(id) { continue }
            pieces.append(t)
        }
        return DecoderStep.run(decoderSteps, pieces)
    }
}
