import IngotCore

/// The `--save-base` / `--kld-base` cache: a base model's top-k log-probabilities, tail mass and target log-probability
/// for every scored token, plus the tokens and chunking they came from. Never full logits. Layout: Formats/kld-base.md.
public struct KLDBaseHeader: Sendable, Equatable {
    public static let magic: [UInt8] = Array("INGOTKLD".utf8)
    public static let version: UInt32 = 1
    /// Caps that keep a hostile header from asking for absurd allocations.
    static let maxContext = 1 << 20, maxTopK = 1024, maxVocab = 1 << 24, maxTokens = 1 << 30

    public var nCtx: Int
    public var vocab: Int
    public var chunks: Int
    public var topK: Int
    /// BOS written over each chunk's first token, or nil.
    public var bos: Int32?
    /// The whole token stream (BOS in front) the chunks were cut from: `chunks · nCtx` tokens.
    public var tokens: [Int32]

    public init(nCtx: Int, vocab: Int, chunks: Int, topK: Int, bos: Int32?, tokens: [Int32]) {
        self.nCtx = nCtx
        self.vocab = vocab
        self.chunks = chunks
        self.topK = topK
        self.bos = bos
        self.tokens = tokens
    }

    /// Bytes of one scored-token record.
    public var recordBytes: Int { 8 + 8 * topK }
    /// Scored tokens per chunk.
    public var scoredPerChunk: Int { nCtx - 1 - nCtx / 2 }

    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.raw(Self.magic)
        w.u32(Self.version)
        w.u32(UInt32(nCtx)); w.u32(UInt32(vocab)); w.u32(UInt32(chunks)); w.u32(UInt32(topK))
        w.i32(bos ?? -1)
        w.u32(UInt32(tokens.count))
        for t in tokens { w.i32(t) }
        return w.bytes
    }
}

/// Writes a base cache chunk by chunk (atomically: the file appears only when complete).
public final class KLDBaseWriter {
    let header: KLDBaseHeader
    let out: AtomicOutputFile

    public init(path: String, header: KLDBaseHeader) throws {
        self.header = header
        out = try AtomicOutputFile(path: path)
        try out.write(header.encoded())
    }

    /// Appends one chunk's records (`scoredPerChunk` of them, in position order).
    public func append(_ rows: [BaseDistribution]) throws {
        var w = ByteWriter(reservingCapacity: rows.count * header.recordBytes)
        for r in rows {
            precondition(r.ids.count == header.topK)
            w.f32(r.targetLogProb)
            w.f32(r.logTail)
            for (id, lp) in zip(r.ids, r.logProbs) { w.i32(id); w.f32(lp) }
        }
        try out.write(w.bytes)
    }

    public func commit() throws { try out.commit() }
    public func abandon() { out.abandon() }
}

/// Reads a base cache written by ``KLDBaseWriter``; every count is checked against the file size before use.
public final class KLDBaseReader {
    public let header: KLDBaseHeader
    let file: MappedFile
    let dataOffset: Int

    public init(path: String) throws {
        file = try MappedFile(path: path)
        func bad(_ what: String) -> InferenceError { .badInput("\(path): not a usable KLD base file: \(what)") }
        var r = ByteReader(file.bytes)
        do {
            guard Array(try r.bytes(8)) == KLDBaseHeader.magic else { throw bad("missing INGOTKLD magic at byte 0") }
            let v = try r.u32()
            guard v == KLDBaseHeader.version else { throw bad("version \(v) at byte 8, this build reads \(KLDBaseHeader.version)") }
            let nCtx = Int(try r.u32()), vocab = Int(try r.u32()), chunks = Int(try r.u32()), topK = Int(try r.u32())
            let bos = try r.i32()
            let nTok = Int(try r.u32())
            guard nCtx >= 4 && nCtx <= KLDBaseHeader.maxContext else { throw bad("n_ctx \(nCtx) at byte 12") }
            guard vocab >= 1 && vocab <= KLDBaseHeader.maxVocab else { throw bad("n_vocab \(vocab) at byte 16") }
            guard topK >= 1 && topK <= KLDBaseHeader.maxTopK && topK <= vocab else { throw bad("top_k \(topK) at byte 24") }
            guard chunks >= 1, nTok <= KLDBaseHeader.maxTokens, nTok == chunks * nCtx else {
                throw bad("\(nTok) tokens for \(chunks) chunks of \(nCtx) (byte 32)")
            }
            // The BOS is written over each chunk's first token and embedded: it must be a token of the vocabulary.
            guard bos < 0 || Int(bos) < vocab else { throw bad("BOS \(bos) at byte 28 is outside the vocabulary of \(vocab)") }
            try r.require(4 * nTok)
            var tokens = [Int32](repeating: 0, count: nTok)
            for i in 0..<nTok {
                let t = try r.i32()
                guard t >= 0 && Int(t) < vocab else { throw bad("token \(t) at byte \(r.offset - 4) is outside the vocabulary of \(vocab)") }
                tokens[i] = t
            }
            header = KLDBaseHeader(nCtx: nCtx, vocab: vocab, chunks: chunks, topK: topK, bos: bos < 0 ? nil : bos, tokens: tokens)
            dataOffset = r.offset
            let need = chunks * header.scoredPerChunk * header.recordBytes
            guard r.remaining == need else { throw bad("\(r.remaining) bytes of records after byte \(dataOffset), expected \(need)") }
        } catch let e as TruncatedRead {
            throw bad("truncated: \(e)")
        }
    }

    /// The records of chunk `c`.
    public func chunk(_ c: Int) throws -> [BaseDistribution] {
        precondition(c >= 0 && c < header.chunks)
        let n = header.scoredPerChunk, k = header.topK
        var r = ByteReader(file.bytes, offset: dataOffset + c * n * header.recordBytes)
        var rows: [BaseDistribution] = []
        rows.reserveCapacity(n)
        for _ in 0..<n {
            let target = try r.f32(), tail = try r.f32()
            var ids = [Int32](repeating: 0, count: k), lps = [Float](repeating: 0, count: k)
            for j in 0..<k {
                let id = try r.i32()
                guard id >= 0 && Int(id) < header.vocab else {
                    throw InferenceError.badInput("\(file.path): token id \(id) at byte \(r.offset - 4) is outside the vocabulary")
                }
                ids[j] = id
                lps[j] = try r.f32()
            }
            rows.append(BaseDistribution(ids: ids, logProbs: lps, logTail: tail, targetLogProb: target))
        }
        return rows
    }
}
