/// Turns a stream of token byte pieces into text that is safe to print as it comes: a multi-byte UTF-8 character
/// split across tokens is held back until complete, and text that could be the start of a stop string is held back
/// until it is clearly not one.
public struct TextStream {
    public let stops: [String]
    private var pendingBytes: [UInt8] = []
    private var pendingText = ""
    public private(set) var stopped = false

    public init(stops: [String]) { self.stops = stops.filter { !$0.isEmpty } }

    /// Adds a token's bytes; returns the text that can be printed now (empty when nothing is ready).
    public mutating func push(_ bytes: [UInt8]) -> String {
        guard !stopped else { return "" }
        pendingBytes += bytes
        let complete = TextStream.completePrefixLength(pendingBytes)
        if complete > 0 {
            pendingText += String(decoding: pendingBytes[..<complete], as: UTF8.self)
            pendingBytes.removeFirst(complete)
        }
        // A stop string inside the text: print what precedes it and stop.
        for s in stops {
            if let r = pendingText.range(of: s) {
                let out = String(pendingText[..<r.lowerBound])
                pendingText = ""
                pendingBytes = []
                stopped = true
                return out
            }
        }
        // Hold back the longest suffix that is a prefix of some stop string.
        var hold = 0
        for s in stops {
            var n = min(s.count - 1, pendingText.count)
            while n > hold {
                if pendingText.hasSuffix(String(s.prefix(n))) { hold = n; break }
                n -= 1
            }
        }
        let cut = pendingText.index(pendingText.endIndex, offsetBy: -hold)
        let out = String(pendingText[..<cut])
        pendingText = String(pendingText[cut...])
        return out
    }

    /// Whatever is still held at the end (incomplete UTF-8 becomes U+FFFD).
    public mutating func flush() -> String {
        guard !stopped else { return "" }
        let out = pendingText + String(decoding: pendingBytes, as: UTF8.self)
        pendingText = ""
        pendingBytes = []
        return out
    }

    /// Length of the longest prefix of `b` that does not end inside a UTF-8 sequence.
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        var i = b.count - 1, back = 0
        while i >= 0 && back < 4 {
            let c = b[i]
            if c & 0xC0 != 0x80 {
                // Lead byte (or ASCII): is its sequence complete?
                let need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
                return back + 1 >= need ? b.count : i
            }
            i -= 1
            back += 1
        }
        return b.count   // no lead byte within 4: invalid bytes, let the decoder replace them
    }
}
