/// A token matched literally in the input before any model runs (HF "added tokens", llama.cpp's control and
/// user-defined tokens).
public struct AddedToken: Equatable, Sendable {
    public var id: Int
    public var content: String
    /// Absorb whitespace to the left / right of the match into the match.
    public var lstrip: Bool
    public var rstrip: Bool
    /// Only match when not inside a word (HF `single_word`).
    public var singleWord: Bool
    /// Matched against normalised text (HF `normalized: true`) rather than raw text.
    public var normalized: Bool
    /// Dropped by `decode(skipSpecial: true)`.
    public var special: Bool

    public init(id: Int, content: String, lstrip: Bool = false, rstrip: Bool = false, singleWord: Bool = false,
                normalized: Bool = false, special: Bool = true) {
        self.id = id; self.content = content; self.lstrip = lstrip; self.rstrip = rstrip
        self.singleWord = singleWord; self.normalized = normalized; self.special = special
    }
}

/// One piece of input after added tokens are split out: raw text (a byte range) or a token id.
enum Fragment: Equatable {
    case text(Range<Int>)
    case token(Int32)
}

/// Leftmost-longest literal matching of added tokens, as HF `tokenizers` `AddedVocabulary::find_matches`
/// does with its Aho–Corasick automaton (MatchKind::LeftmostLongest), with `single_word`, `lstrip` and
/// `rstrip` handled the same way.
struct AddedTokenMatcher {
    private struct Node { var next: [UInt8: Int32] = [:]; var token: Int32 = -1 }
    private var nodes: [Node] = [Node()]
    private var firstByte = [Bool](repeating: false, count: 256)
    private var tokens: [AddedToken] = []

    init(_ list: [AddedToken]) {
        for t in list where !t.content.isEmpty {
            var n = 0
            for b in t.content.utf8 {
                if let x = nodes[n].next[b] { n = Int(x) } else {
                    nodes.append(Node())
                    nodes[n].next[b] = Int32(nodes.count - 1)
                    n = nodes.count - 1
                }
            }
            // The first token with a given content wins (HF keeps one id per content).
            if nodes[n].token < 0 {
                nodes[n].token = Int32(tokens.count)
                tokens.append(t)
            }
            firstByte[Int(t.content.utf8.first!)] = true
        }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Splits `bytes[range]` into text and token fragments.
    func split(_ bytes: [UInt8], _ range: Range<Int>) -> [Fragment] {
        if tokens.isEmpty { return range.isEmpty ? [] : [.text(range)] }
        var out: [Fragment] = []
        var startOffset = range.lowerBound
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            guard firstByte[Int(bytes[i])] else { i += 1; continue }
            // Longest match starting at i.
            var n = 0, j = i, best = -1, bestEnd = i
            while j < end, let x = nodes[n].next[bytes[j]] {
                n = Int(x); j += 1
                if nodes[n].token >= 0 { best = Int(nodes[n].token); bestEnd = j }
            }
            guard best >= 0 else { i += 1; continue }
            let t = tokens[best]
            var start = i, stop = bestEnd
            if t.singleWord {
                let startOK = start == range.lowerBound || !Self.endsWithWordCharacter(bytes, range.lowerBound, start)
                let stopOK = stop == end || !Self.startsWithWordCharacter(bytes, stop, end)
                if !startOK || !stopOK { i += 1; continue }
            }
            if t.lstrip { start = max(Self.leadingWhitespaceStart(bytes, range.lowerBound, start), startOffset) }
            if t.rstrip { stop = Self.trailingWhitespaceEnd(bytes, stop, end) }
            if startOffset < start { out.append(.text(startOffset..<start)) }
            out.append(.token(Int32(t.id)))
            startOffset = stop
            i = max(bestEnd, stop)
        }
        if startOffset < end { out.append(.text(startOffset..<end)) }
        return out
    }

    // MARK: - Neighbourhood tests (Rust `char::is_whitespace`, `is_alphanumeric() || '_'`)

    private static func scalarBefore(_ b: [UInt8], _ lo: Int, _ i: Int) -> (UInt32, Int)? {
        guard i > lo else { return nil }
        var s = i - 1
        while s > lo && b[s] & 0xC0 == 0x80 { s -= 1 }
        let (v, _) = b.withUnsafeBufferPointer { UTF8Scalar.decode($0, at: s) }
        return (v, s)
    }

    private static func isWord(_ v: UInt32) -> Bool {
        guard let u = Unicode.Scalar(v) else { return false }
        if v == 0x5F { return true }
        let p = u.properties
        return p.isAlphabetic || p.numericType != nil
    }

    private static func isSpace(_ v: UInt32) -> Bool { Unicode.Scalar(v)?.properties.isWhitespace ?? false }

    static func endsWithWordCharacter(_ b: [UInt8], _ lo: Int, _ i: Int) -> Bool {
        guard let (v, _) = scalarBefore(b, lo, i) else { return false }
        return isWord(v)
    }

    static func startsWithWordCharacter(_ b: [UInt8], _ i: Int, _ hi: Int) -> Bool {
        guard i < hi else { return false }
        let (v, _) = b.withUnsafeBufferPointer { UTF8Scalar.decode($0, at: i) }
        return isWord(v)
    }

    static func leadingWhitespaceStart(_ b: [UInt8], _ lo: Int, _ i: Int) -> Int {
        var s = i
        while let (v, p) = scalarBefore(b, lo, s), isSpace(v) { s = p }
        return s
    }

    static func trailingWhitespaceEnd(_ b: [UInt8], _ i: Int, _ hi: Int) -> Int {
        var s = i
        while s < hi {
            let (v, l) = b.withUnsafeBufferPointer { UTF8Scalar.decode($0, at: s) }
            if !isSpace(v) { break }
            s += l
        }
        return s
    }
}

/// llama.cpp's special-token partition (`tokenizer_st_partition`): each special token, longest text first,
/// is cut out of every remaining text fragment in turn (leftmost occurrences, non-overlapping). Control and
/// unknown tokens are only cut when `parseSpecial`; user-defined tokens always are. `lstrip`/`rstrip`
/// remove ASCII whitespace (C `isspace`) beside the match from the neighbouring text.
struct SpecialTokenPartition {
    struct Entry { var id: Int32; var text: [UInt8]; var lstrip: Bool; var rstrip: Bool; var control: Bool }
    let entries: [Entry]

    /// A byte trie over all entries, to find in one pass which entries occur at all.
    private var trie: [[UInt8: Int32]] = [[:]]
    private var ends: [[Int32]] = [[]]
    private var firstByte = [Bool](repeating: false, count: 256)

    init(_ list: [Entry]) {
        // Stable on ties so the result does not depend on the sort algorithm.
        entries = list.enumerated().sorted { a, b in
            a.element.text.count != b.element.text.count ? a.element.text.count > b.element.text.count : a.offset < b.offset
        }.map(\.element)
        for (k, e) in entries.enumerated() where !e.text.isEmpty {
            var n = 0
            for b in e.text {
                if let x = trie[n][b] { n = Int(x) } else {
                    trie.append([:]); ends.append([])
                    trie[n][b] = Int32(trie.count - 1)
                    n = trie.count - 1
                }
            }
            ends[n].append(Int32(k))
            firstByte[Int(e.text[0])] = true
        }
    }

    /// Which entries occur anywhere in `bytes`. Cutting tokens out only ever shrinks fragments, so an entry
    /// absent from the whole text is absent from every fragment: skipping it changes nothing, and spares a
    /// scan of the text per special token (Llama-3 has 256).
    private func occurring(_ bytes: [UInt8]) -> [Bool] {
        var seen = [Bool](repeating: false, count: entries.count)
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<b.count where firstByte[Int(b[i])] {
                var n = 0, j = i
                while j < b.count, let x = trie[n][b[j]] {
                    n = Int(x); j += 1
                    for k in ends[n] { seen[Int(k)] = true }
                }
            }
        }
        return seen
    }

    private static func isCSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    func split(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        var frags: [Fragment] = bytes.isEmpty ? [] : [.text(0..<bytes.count)]
        let present = occurring(bytes)
        for (k, e) in entries.enumerated() where present[k] && (parseSpecial || !e.control) {
            var out: [Fragment] = []
            out.reserveCapacity(frags.count)
            for f in frags {
                guard case .text(let r) = f else { out.append(f); continue }
                var from = r.lowerBound
                var pieceStart = r.lowerBound
                while let m = Self.find(e.text, in: bytes, from: from, to: r.upperBound) {
                    var leftEnd = m
                    if e.lstrip { while leftEnd > pieceStart && Self.isCSpace(bytes[leftEnd - 1]) { leftEnd -= 1 } }
                    if leftEnd > pieceStart { out.append(.text(pieceStart..<leftEnd)) }
                    out.append(.token(e.id))
                    var rightStart = m + e.text.count
                    if e.rstrip { while rightStart < r.upperBound && Self.isCSpace(bytes[rightStart]) { rightStart += 1 } }
                    pieceStart = rightStart
                    from = rightStart
                }
                if pieceStart < r.upperBound { out.append(.text(pieceStart..<r.upperBound)) }
            }
            frags = out
        }
        return frags
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int, to: Int) -> Int? {
        let n = needle.count
        guard n > 0, to - from >= n else { return nil }
        let first = needle[0]
        var i = from
        while i + n <= to {
            if hay[i] == first {
                var k = 1
                while k < n && hay[i + k] == needle[k] { k += 1 }
                if k == n { return i }
            }
            i += 1
        }
        return nil
    }
}
