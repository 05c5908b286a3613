/// Cutting SentencePiece-style text ("▁" for spaces, no pre-tokenizer) into words before each "▁" that
/// follows another character.
///
/// Both llama.cpp's score-based merging and HF's rank-based BPE run on the whole text, but a merge can only
/// join two symbols whose concatenation is a token. When no token has a "▁" right after a different
/// character, no merge ever crosses such a boundary; merges inside different words never interact, and the
/// global order (score or rank, then position) restricted to one word is that word's own order. So
/// tokenizing word by word gives the same ids, with a word cache and small heaps instead of one heap over
/// the whole text. `vocabularyAllows` checks the condition once per vocabulary.
enum MetaspaceWords {
    static let mark: [UInt8] = [0xE2, 0x96, 0x81]

    /// True when no token contains "▁" preceded by a character other than "▁".
    static func vocabularyAllows<S: Sequence>(_ tokens: S) -> Bool where S.Element == String {
        for t in tokens {
            var prev: Unicode.Scalar? = nil
            for u in t.unicodeScalars {
                if u == "\u{2581}", let p = prev, p != "\u{2581}" { return false }
                prev = u
            }
        }
        return true
    }

    @inline(__always)
    private static func isMark(_ t: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        i >= 0 && i + 2 < t.count && t[i] == 0xE2 && t[i + 1] == 0x96 && t[i + 2] == 0x81
    }

    /// Calls `body` with each word of `t`, in order; the words tile `t`.
    static func forEachWord(_ t: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        var i = 1
        while i < t.count {
            if t[i] == 0xE2, isMark(t, i), !isMark(t, i - 3) {
                body(UnsafeRawBufferPointer(rebasing: t[start..<i]))
                start = i
                i += 3
                continue
            }
            i += 1
        }
        if start < t.count { body(UnsafeRawBufferPointer(rebasing: t[start...])) }
    }
}
