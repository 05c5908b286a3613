/// Text decoded once into Unicode scalars with one class byte each, so the split scanners test bits
/// instead of asking Unicode properties again at every backtracking step.
///
/// Scanners work on scalars, never on `Character`: Swift's grapheme clusters merge "\r\n" and combining
/// marks, which the tokenizers' regexes (Oniguruma in HF `tokenizers`, llama.cpp's unicode.cpp) do not.
struct ScalarText {
    /// The scalars' values, in order.
    var scalars: [UInt32] = []
    /// `ScalarClass` bits per scalar.
    var classes: [UInt8] = []
    /// UTF-8 byte offset of each scalar, plus one final entry: the total byte count.
    var byteOffsets: [Int] = []
    /// The UTF-8 bytes of the whole text.
    var bytes: [UInt8] = []

    init(_ utf8: [UInt8]) {
        bytes = utf8
        scalars.reserveCapacity(utf8.count)
        classes.reserveCapacity(utf8.count)
        byteOffsets.reserveCapacity(utf8.count + 1)
        var i = 0
        let n = utf8.count
        utf8.withUnsafeBufferPointer { b in
            while i < n {
                byteOffsets.append(i)
                let (v, len) = UTF8Scalar.decode(b, at: i)
                scalars.append(v)
                classes.append(ScalarClass.of(v))
                i += len
            }
        }
        byteOffsets.append(n)
    }

    init(_ text: String) { self.init(Array(text.utf8)) }

    var count: Int { scalars.count }
}

/// One bit per property the split patterns ask about.
enum ScalarClass {
    /// \p{L}
    static let letter: UInt8 = 1
    /// \p{N}
    static let number: UInt8 = 2
    /// \s (Oniguruma's Unicode \s is the White_Space property)
    static let space: UInt8 = 4
    /// [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] (o200k's "upper-ish")
    static let upperish: UInt8 = 8
    /// [\p{Ll}\p{Lm}\p{Lo}\p{M}] (o200k's "lower-ish")
    static let lowerish: UInt8 = 16
    /// \r or \n
    static let newline: UInt8 = 32
    /// U+0020 exactly (the ` ?` in the patterns)
    static let blank: UInt8 = 64

    /// ASCII classes, precomputed: almost all text is ASCII and this is the hot path.
    private static let ascii: [UInt8] = (0..<128).map { compute(UInt32($0)) }

    @inline(__always)
    static func of(_ v: UInt32) -> UInt8 {
        v < 128 ? ascii[Int(v)] : compute(v)
    }

    static func compute(_ v: UInt32) -> UInt8 {
        guard let s = Unicode.Scalar(v) else { return 0 }
        let p = s.properties
        var c: UInt8 = p.isWhitespace ? space : 0
        if v == 0x0A || v == 0x0D { c |= newline }
        if v == 0x20 { c |= blank }
        switch p.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: c |= letter | upperish
        case .lowercaseLetter: c |= letter | lowerish
        case .modifierLetter, .otherLetter: c |= letter | upperish | lowerish
        case .nonspacingMark, .spacingMark, .enclosingMark: c |= upperish | lowerish
        case .decimalNumber, .letterNumber, .otherNumber: c |= number
        default: break
        }
        return c
    }
}

/// Lenient UTF-8 decoding of one scalar (input comes from Swift `String`s, so it is valid; the lenient path
/// only guards against truncated sequences and maps them to U+FFFD one byte at a time).
enum UTF8Scalar {
    @inline(__always)
    static func decode(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(b[i])
        if b0 < 0x80 { return (b0, 1) }
        let n = b.count
        if b0 >= 0xF0, i + 3 < n {
            return (((b0 & 0x07) << 18) | ((UInt32(b[i + 1]) & 0x3F) << 12) | ((UInt32(b[i + 2]) & 0x3F) << 6)
                    | (UInt32(b[i + 3]) & 0x3F), 4)
        }
        if b0 >= 0xE0, b0 < 0xF0, i + 2 < n {
            return (((b0 & 0x0F) << 12) | ((UInt32(b[i + 1]) & 0x3F) << 6) | (UInt32(b[i + 2]) & 0x3F), 3)
        }
        if b0 >= 0xC0, b0 < 0xE0, i + 1 < n {
            return (((b0 & 0x1F) << 6) | (UInt32(b[i + 1]) & 0x3F), 2)
        }
        return (0xFFFD, 1)
    }

    /// Byte length of the UTF-8 sequence a lead byte starts (llama.cpp's `unicode_len_utf8`).
    @inline(__always)
    static func sequenceLength(lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead < 0xC0 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }
}
