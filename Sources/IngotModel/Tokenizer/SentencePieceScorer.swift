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
        // Symbols: start offset and byte length, prev/next links; a merged-away symbol has length 0. Scratch
        // lives in one temporary allocation (on the stack for short words): the heap holds at most n - 1
        // initial bigrams plus two per merge, so 3n entries suffice.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * total + 4) { ints in
            withUnsafeTemporaryAllocation(of: Bigram.self, capacity: 3 * total + 4) { heap in
                let start = ints.baseAddress!, len = start + total, prev = len + total, next = prev + total
                var n = 0
                var offs = 0
                while offs < total {
                    let l = min(UTF8Scalar.sequenceLength(lead: text[offs]), total - offs)
                    start[n] = Int32(offs); len[n] = Int32(l)
                    offs += l
                    n += 1
                }
                for i in 0..<n { prev[i] = Int32(i - 1); next[i] = i + 1 < n ? Int32(i + 1) : -1 }
                var count = 0
                @inline(__always) func tryAdd(_ l: Int32, _ r: Int32) {
                    guard l >= 0, r >= 0 else { return }
                    let st = Int(start[Int(l)]), size = Int(len[Int(l)] + len[Int(r)])
                    guard let v = lookup.find(UnsafeRawBufferPointer(rebasing: text[st..<(st + size)])) else { return }
                    let id = Int(v)
                    guard id < scores.count else { return }
                    push(heap.baseAddress!, &count, Bigram(score: scores[id], left: l, right: r, size: Int32(size)))
                }
                var i = 1
                while i < n { tryAdd(Int32(i - 1), Int32(i)); i += 1 }
                while count > 0 {
                    let b = pop(heap.baseAddress!, &count)
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
                var k: Int32 = 0
                while k != -1 {
                    let st = Int(start[Int(k)]), l = Int(len[Int(k)])
                    let piece = UnsafeRawBufferPointer(rebasing: text[st..<(st + l)])
                    if let v = lookup.find(piece) {
                        out.append(Int32(v))
                    } else {
                        // A merged symbol is always a token, so only single characters reach here: their bytes.
                        for b in piece where byteTokens[Int(b)] >= 0 { out.append(byteTokens[Int(b)]) }
                    }
                    k = next[Int(k)]
                }
            }
        }
    }

    private func push(_ h: UnsafeMutablePointer<Bigram>, _ count: inout Int, _ x: Bigram) {
        var i = count
        count += 1
        while i > 0 {
            let p = (i - 1) / 2
            if !x.before(h[p]) { break }
            h[i] = h[p]
            i = p
        }
        h[i] = x
    }

    private func pop(_ h: UnsafeMutablePointer<Bigram>, _ count: inout Int) -> Bigram {
        let top = h[0]
        count -= 1
        let n = count
        if n == 0 { return top }
        let last = h[n]
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
