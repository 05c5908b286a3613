/// Applies byte-pair merges to one word's symbols, giving the classic BPE result: repeatedly merge the
/// adjacent pair with the lowest rank, the leftmost one on ties (HF `tokenizers` `Word::merge_all`,
/// llama.cpp `llm_tokenizer_bpe_session`).
///
/// Two implementations, tested equal: `mergeReference` is the plain loop; `merge` uses it in place for short
/// words and a heap over a linked list for long ones (a normaliser-only tokenizer sees whole lines as one word).
struct BPEMerger {
    let pairs: PairTable

    /// Words up to this many symbols use the in-place quadratic loop (faster than a heap when short).
    static let smallWord = 48

    /// The plain reference: scan all pairs for the lowest rank, merge it, repeat.
    func mergeReference(_ w: inout [Int32]) {
        while w.count > 1 {
            var best = -1
            var bestRank = Int32.max
            var merged: Int32 = 0
            for i in 0..<(w.count - 1) {
                if let m = pairs.find(w[i], w[i + 1]), m.rank < bestRank {
                    best = i; bestRank = m.rank; merged = m.merged
                }
            }
            if best < 0 { return }
            w[best] = merged
            w.remove(at: best + 1)
        }
    }

    /// Merges `w` in place.
    func merge(_ w: inout [Int32]) {
        if w.count <= 1 { return }
        if w.count <= Self.smallWord { mergeSmall(&w) } else { mergeHeap(&w) }
    }

    /// The reference loop with the pair ranks kept in an array and only the neighbours of a merge re-looked-up.
    private func mergeSmall(_ w: inout [Int32]) {
        var n = w.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * n) { tmp in
            let rank = UnsafeMutableBufferPointer(rebasing: tmp[0..<n])
            let into = UnsafeMutableBufferPointer(rebasing: tmp[n..<(2 * n)])
            rank[n - 1] = .max
            into[n - 1] = 0
            w.withUnsafeMutableBufferPointer { s in
                for i in 0..<(n - 1) {
                    if let m = pairs.find(s[i], s[i + 1]) { rank[i] = m.rank; into[i] = m.merged } else {
                        rank[i] = .max
                    }
                }
                while n > 1 {
                    var best = 0
                    var bestRank = rank[0]
                    for i in 1..<(n - 1) where rank[i] < bestRank { best = i; bestRank = rank[i] }
                    if bestRank == .max { break }
                    s[best] = into[best]
                    // Remove s[best + 1] and the pair (best, best + 1)'s old successor entry.
                    var i = best + 1
                    while i < n - 1 {
                        s[i] = s[i + 1]; rank[i] = rank[i + 1]; into[i] = into[i + 1]
                        i += 1
                    }
                    n -= 1
                    if best > 0 {
                        if let m = pairs.find(s[best - 1], s[best]) { rank[best - 1] = m.rank; into[best - 1] = m.merged } else {
                            rank[best - 1] = .max
                        }
                    }
                    if best < n - 1 {
                        if let m = pairs.find(s[best], s[best + 1]) { rank[best] = m.rank; into[best] = m.merged } else {
                            rank[best] = .max
                        }
                    }
                }
            }
        }
        w.removeLast(w.count - n)
    }

    /// Heap of (rank, left position) over a doubly linked list of symbols; stale entries are skipped when the
    /// pair at that position no longer has that rank (ranks are unique per pair).
    private func mergeHeap(_ w: inout [Int32]) {
        let n = w.count
        var next = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = Int32(i + 1) }
            b[n - 1] = -1
            c = n
        }
        var prev = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = Int32(i - 1) }
            c = n
        }
        var heap = MinHeap64()
        heap.reserve(n)
        for i in 0..<(n - 1) {
            if let m = pairs.find(w[i], w[i + 1]) { heap.push(UInt64(UInt32(m.rank)) << 32 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let pos = Int(top & 0xFFFF_FFFF)
            let rank = Int32(truncatingIfNeeded: top >> 32)
            if w[pos] < 0 { continue }
            let nx = Int(next[pos])
            if nx < 0 { continue }
            guard let m = pairs.find(w[pos], w[nx]), m.rank == rank else { continue }
            w[pos] = m.merged
            w[nx] = -1
            let nn = next[nx]
            next[pos] = nn
            if nn >= 0 { prev[Int(nn)] = Int32(pos) }
            let pv = Int(prev[pos])
            if pv >= 0, let m2 = pairs.find(w[pv], w[pos]) { heap.push(UInt64(UInt32(m2.rank)) << 32 | UInt64(pv)) }
            if nn >= 0, let m3 = pairs.find(w[pos], w[Int(nn)]) { heap.push(UInt64(UInt32(m3.rank)) << 32 | UInt64(pos)) }
        }
        w.removeAll { $0 < 0 }
    }
}

/// A binary min-heap of packed 64-bit keys.
struct MinHeap64 {
    private var a: [UInt64] = []
    mutating func reserve(_ n: Int) { a.reserveCapacity(n) }
    var isEmpty: Bool { a.isEmpty }

    mutating func push(_ x: UInt64) {
        a.append(x)
        var i = a.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if a[p] <= x { break }
            a[i] = a[p]
            i = p
        }
        a[i] = x
    }

    mutating func pop() -> UInt64? {
        guard let last = a.popLast() else { return nil }
        if a.isEmpty { return last }
        let top = a[0]
        let n = a.count
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            let r = l + 1
            let c = (r < n && a[r] < a[l]) ? r : l
            if a[c] >= last { break }
            a[i] = a[c]
            i = c
        }
        a[i] = last
        return top
    }
}
