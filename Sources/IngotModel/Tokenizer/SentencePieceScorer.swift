/// llama.cpp's SentencePiece tokenizer for `tokenizer.ggml.model = llama` vocabularies
/// (`llm_tokenizer_spm_session::tokenize`): start from UTF-8 characters, repeatedly merge the adjacent pair
/// whose concatenation is a vocabulary token with the highest score (leftmost on ties), then emit each
/// symbol's token, or its bytes as `<0xXX>` tokens when the symbol is not a token.
struct SentencePieceScorer {
    /// Byte string → token id.
    let lookup: ByteStringMap
    let scores: [Float]
    /// Token id for each byte (`<0xXX>`, else the one-byte string), -1 where the vocabulary has neither.
    let byteTokens: [Int32]

    private struct Bigram {
        var score: Float
        var left: Int32
        var right: Int32
        var size: Int32
        /// Heap order: higher score first, then the leftmost (llama.cpp's `llm_bigram_spm::comparator`).
        @inline(__always) func before(_ o: Bigram) -> Bool {
            score > o.score || (score == o.score && left < o.left)
        }
    }

    /// Tokenizes `text` (already space-escaped to U+2581 by the caller) and appends the ids to `out`.
    func tokenize(_ text: UnsafeRawBufferPointer, into out: inout [Int32]) {
        let total = text.count
        if total == 0 { return }
        // Symbols: start offset and byte length; prev/next links. A merged-away symbol has length 0.
        var start: [Int32] = [], len: [Int32] = []
        start.reserveCapacity(total); len.reserveCapacity(total)
        var offs = 0
        while offs < total {
            let l = min(UTF8Scalar.sequenceLength(lead: text[offs]), total - offs)
            start.append(Int32(offs)); len.append(Int32(l))
            offs += l
        }
        let n = start.count
        var prev = (0..<n).map { Int32($0 - 1) }
        var next = (0..<n).map { Int32($0 + 1 < n ? $0 + 1 : -1) }
        var heap: [Bigram] = []
        heap.reserveCapacity(n)

        func tryAdd(_ l: Int32, _ r: Int32) {
            guard l >= 0, r >= 0 else { return }
            let st = Int(start[Int(l)]), size = Int(len[Int(l)] + len[Int(r)])
            guard let v = lookup.find(UnsafeRawBufferPointer(rebasing: text[st..<(st + size)])) else { return }
            let id = Int(v)
            guard id < scores.count else { return }
            push(&heap, Bigram(score: scores[id], left: l, right: r, size: Int32(size)))
        }
        for i in 1..<max(n, 1) { tryAdd(Int32(i - 1), Int32(i)) }
        while let b = pop(&heap) {
            let l = Int(b.left), r = Int(b.right)
            // Stale: either side has merged since (lengths only grow, so the sum is exact).
            if len[l] == 0 || len[r] == 0 || len[l] + len[r] != b.size { continue }
            len[l] += len[r]
            len[r] = 0
            next[l] = next[r]
            if next[r] >= 0 { prev[Int(next[r])] = Int32(l) }
            tryAdd(prev[l], Int32(l))
            tryAdd(Int32(l), next[l])
        }
        var i: Int32 = 0
        while i != -1 {
            let st = Int(start[Int(i)]), l = Int(len[Int(i)])
            let piece = UnsafeRawBufferPointer(rebasing: text[st..<(st + l)])
            if let v = lookup.find(piece) {
                out.append(Int32(v))
            } else {
                // A merged symbol is always a token, so only single characters reach here: emit their bytes.
                for b in piece where byteTokens[Int(b)] >= 0 { out.append(byteTokens[Int(b)]) }
            }
            i = next[Int(i)]
        }
    }

    private func push(_ h: inout [Bigram], _ x: Bigram) {
        h.append(x)
        var i = h.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !x.before(h[p]) { break }
            h[i] = h[p]
            i = p
        }
        h[i] = x
    }

    private func pop(_ h: inout [Bigram]) -> Bigram? {
        guard let last = h.popLast() else { return nil }
        if h.isEmpty { return last }
        let top = h[0]
        let n = h.count
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            let r = l + 1
            let c = (r < n && h[r].before(h[l])) ? r : l
            if !h[c].before(last) { break }
            h[i] = h[c]
            i = c
        }
        h[i] = last
        return top
    }
}
