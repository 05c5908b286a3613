/// GPT-2's reversible byte ↔ Unicode mapping (`bytes_to_unicode`), used by byte-level BPE so every byte is a
/// printable character: 0x21–0x7E, 0xA1–0xAC and 0xAE–0xFF map to themselves, the other 68 bytes to
/// U+0100 + n in increasing byte order (space → `Ġ` U+0120, `\n` → `Ċ` U+010A).
public enum ByteLevel {
    /// The character each byte maps to.
    public static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = 0x100 + n
                n += 1
            }
        }
        return table
    }()

    /// The inverse mapping, indexed by scalar value below 0x144; -1 where no byte maps.
    static let byteForScalar: [Int16] = {
        var inv = [Int16](repeating: -1, count: 0x144)
        for (b, s) in scalarForByte.enumerated() { inv[Int(s)] = Int16(b) }
        return inv
    }()

    /// The byte a character stands for, or nil if it is not in the alphabet.
    @inline(__always)
    public static func byte(for scalar: UInt32) -> UInt8? {
        guard scalar < 0x144 else { return nil }
        let b = byteForScalar[Int(scalar)]
        return b < 0 ? nil : UInt8(b)
    }

    /// The byte-level string for raw bytes.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(scalarForByte[Int(b)])!) }
        return String(s)
    }

    /// The raw bytes a byte-level string stands for, or nil if any character is outside the alphabet.
    public static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            guard let b = byte(for: u.value) else { return nil }
            out.append(b)
        }
        return out
    }
}
