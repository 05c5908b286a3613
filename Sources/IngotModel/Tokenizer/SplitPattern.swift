/// The pre-tokenizer split regexes Ingot knows, each run by a hand-written scanner that returns exactly the
/// successive leftmost matches a backtracking engine (Oniguruma, as HF `tokenizers` uses) finds: alternatives
/// are tried in order, quantifiers are greedy and give back one scalar at a time.
///
/// Every pattern here matches at every position (each scalar is a letter, a number, whitespace or "other"),
/// so "Isolated" splitting is simply the sequence of matches.
public enum SplitPattern: String, CaseIterable, Sendable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// o200k / gpt-oss: upper-/lower-case aware words with optional contractions, `\p{N}{1,3}`,
    /// ` ?[^\s\p{L}\p{N}]+[\r\n/]*`, then the llama3 whitespace rules.
    case o200k

    /// The regex text as tokenizer.json writes it (HF `tokenizers` syntax).
    public var regex: String {
        switch self {
        case .gpt2:
            return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .llama3:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .o200k:
            return #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// Calls `body` with each piece's scalar range over `scalars[range]`, in order. The pieces tile the range.
    func split(_ text: ScalarText, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        text.scalars.withUnsafeBufferPointer { s in
            text.classes.withUnsafeBufferPointer { c in
                let scan = Scanner(s: s, c: c, end: range.upperBound)
                var i = range.lowerBound
                while i < range.upperBound {
                    let e: Int
                    switch self {
                    case .gpt2: e = scan.gpt2(i)
                    case .llama3: e = scan.llama3(i)
                    case .o200k: e = scan.o200k(i)
                    }
                    body(i..<e)
                    i = e
                }
            }
        }
    }

    /// The pieces as strings (for tests and diagnostics).
    public func pieces(_ string: String) -> [String] {
        let t = ScalarText(string)
        var out: [String] = []
        split(t, 0..<t.count) { r in
            out.append(String(decoding: t.bytes[t.byteOffsets[r.lowerBound]..<t.byteOffsets[r.upperBound]],
                              as: UTF8.self))
        }
        return out
    }
}

/// The scanners. Each `f(i)` returns the end of the match starting at `i` (always > i).
private struct Scanner {
    let s: UnsafeBufferPointer<UInt32>
    let c: UnsafeBufferPointer<UInt8>
    let end: Int

    @inline(__always) func has(_ i: Int, _ bits: UInt8) -> Bool { i < end && c[i] & bits != 0 }
    /// `[^\s\p{L}\p{N}]`
    @inline(__always) func isOther(_ i: Int) -> Bool {
        i < end && c[i] & (ScalarClass.space | ScalarClass.letter | ScalarClass.number) == 0
    }
    /// `[^\r\n\p{L}\p{N}]`
    @inline(__always) func isPrefix(_ i: Int) -> Bool {
        i < end && c[i] & (ScalarClass.newline | ScalarClass.letter | ScalarClass.number) == 0
    }
    @inline(__always) func run(_ i: Int, _ bits: UInt8) -> Int {
        var j = i
        while j < end && c[j] & bits != 0 { j += 1 }
        return j
    }
    @inline(__always) func runOther(_ i: Int) -> Int {
        var j = i
        while isOther(j) { j += 1 }
        return j
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `i`, ASCII-case-insensitive when `fold`; returns the end or nil.
    /// Oniguruma's case folding also maps U+017F (long s) to "s" and U+212A (Kelvin) to "k"; only the former
    /// can occur in these contractions.
    @inline(__always) func contraction(_ i: Int, fold: Bool) -> Int? {
        guard i + 1 < end, s[i] == 0x27 else { return nil }
        var a = s[i + 1]
        if fold {
            if a == 0x17F { a = 0x73 } else if a >= 0x41 && a <= 0x5A { a |= 0x20 }
        }
        switch a {
        case 0x73, 0x74, 0x6D, 0x64: return i + 2 // s t m d
        case 0x72, 0x76, 0x6C: // r v l: need e e l
            guard i + 2 < end else { return nil }
            var b = s[i + 2]
            if fold, b >= 0x41 && b <= 0x5A { b |= 0x20 }
            let want: UInt32 = a == 0x6C ? 0x6C : 0x65
            return b == want ? i + 3 : nil
        default: return nil
        }
    }

    /// `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace scalar `i` (the common tail of llama3 and o200k);
    /// `crlf` enables the first alternative.
    @inline(__always) func whitespace(_ i: Int, crlf: Bool) -> Int {
        let k = run(i, ScalarClass.space)
        if crlf {
            // \s* gives back from the end until [\r\n]+ can match: the last newline in the run ends the match.
            var p = k - 1
            while p >= i {
                if c[p] & ScalarClass.newline != 0 { return p + 1 }
                p -= 1
            }
        }
        if k == end { return k }          // \s+(?!\S) with nothing after
        if k - i > 1 { return k - 1 }     // \s+ gives back one so the next scalar is whitespace
        return k                          // \s+
    }

    func gpt2(_ i: Int) -> Int {
        if let e = contraction(i, fold: false) { return e }
        let j = has(i, ScalarClass.blank) ? i + 1 : i
        if has(j, ScalarClass.letter) { return run(j, ScalarClass.letter) }
        if has(j, ScalarClass.number) { return run(j, ScalarClass.number) }
        if isOther(j) { return runOther(j) }
        // Only whitespace is left at i (a blank before whitespace or the end falls through to here).
        return whitespace(i, crlf: false)
    }

    func llama3(_ i: Int) -> Int {
        if let e = contraction(i, fold: true) { return e }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if has(i, ScalarClass.letter) { return run(i, ScalarClass.letter) }
        if isPrefix(i) && has(i + 1, ScalarClass.letter) { return run(i + 1, ScalarClass.letter) }
        // \p{N}{1,3}
        if has(i, ScalarClass.number) {
            var j = i + 1
            while j < i + 3 && has(j, ScalarClass.number) { j += 1 }
            return j
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        let j = has(i, ScalarClass.blank) ? i + 1 : i
        if isOther(j) { return run(runOther(j), ScalarClass.newline) }
        return whitespace(i, crlf: true)
    }

    /// Alternatives 1 and 2 of o200k from a fixed start `st` (after the optional prefix was or was not taken).
    @inline(__always) func o200kWord(_ st: Int, upperFirst: Bool) -> Int? {
        let u = run(st, ScalarClass.upperish)
        var e: Int
        if !upperFirst {
            // [U]*[W]+: U* takes the whole run, then gives back until W+ can start.
            if has(u, ScalarClass.lowerish) {
                e = run(u, ScalarClass.lowerish)
            } else {
                var p = u - 1
                while p >= st && c[p] & ScalarClass.lowerish == 0 { p -= 1 }
                guard p >= st else { return nil }
                e = p + 1
            }
        } else {
            // [U]+[W]*
            guard u > st else { return nil }
            e = run(u, ScalarClass.lowerish)
        }
        if let x = contraction(e, fold: true) { e = x }
        return e
    }

    func o200k(_ i: Int) -> Int {
        // Alternative 1, then 2; each first with the optional prefix scalar taken (greedy `?`), then without.
        let prefixed = isPrefix(i)
        if prefixed, let e = o200kWord(i + 1, upperFirst: false) { return e }
        if let e = o200kWord(i, upperFirst: false) { return e }
        if prefixed, let e = o200kWord(i + 1, upperFirst: true) { return e }
        if let e = o200kWord(i, upperFirst: true) { return e }
        if has(i, ScalarClass.number) {
            var j = i + 1
            while j < i + 3 && has(j, ScalarClass.number) { j += 1 }
            return j
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
        let j = has(i, ScalarClass.blank) ? i + 1 : i
        if isOther(j) {
            var k = runOther(j)
            while k < end && (c[k] & ScalarClass.newline != 0 || s[k] == 0x2F) { k += 1 }
            return k
        }
        return whitespace(i, crlf: true)
    }
}
