import Foundation

/// One HF `tokenizers` normalizer step.
enum NormalizerStep: Equatable {
    case prepend(String)
    case replace(String, String)
    case nfc, nfd, nfkc, nfkd
    case lowercase
    case strip(left: Bool, right: Bool)

    func apply(_ s: String) -> String {
        switch self {
        case .prepend(let p): return s.isEmpty ? s : p + s
        case .replace(let a, let b): return a.isEmpty ? s : s.replacingOccurrences(of: a, with: b)
        case .nfc: return s.precomposedStringWithCanonicalMapping
        case .nfd: return s.decomposedStringWithCanonicalMapping
        case .nfkc: return s.precomposedStringWithCompatibilityMapping
        case .nfkd: return s.decomposedStringWithCompatibilityMapping
        case .lowercase: return s.lowercased()
        case .strip(let l, let r):
            var u = Substring(s).unicodeScalars
            if l { while let f = u.first, f.properties.isWhitespace { u.removeFirst() } }
            if r { while let f = u.last, f.properties.isWhitespace { u.removeLast() } }
            return String(String.UnicodeScalarView(u))
        }
    }

    /// Prepend/Replace on bytes without a round trip through `String` (the SentencePiece-style hot path).
    func applyBytes(_ b: [UInt8]) -> [UInt8]? {
        switch self {
        case .prepend(let p): return b.isEmpty ? b : Array(p.utf8) + b
        case .replace(let a, let c):
            let from = Array(a.utf8), to = Array(c.utf8)
            guard from.count == 1 else { return nil }
            let x = from[0]
            var out: [UInt8] = []
            out.reserveCapacity(b.count + b.count / 4)
            for y in b { if y == x { out.append(contentsOf: to) } else { out.append(y) } }
            return out
        default: return nil
        }
    }
}

/// How a segment is cut into words before the model, compiled from the pre-tokenizer definition.
struct PreTokenizerPlan: Equatable {
    /// ByteLevel `add_prefix_space`: a space in front of a segment that does not start with one.
    var prefixSpace = false
    /// The split regex, if any.
    var split: SplitPattern?
    /// Bytes go to a byte-level model.
    var byteLevel = false
    /// Metaspace: spaces become `replacement`, prepended per scheme, optionally split before each one.
    var metaspace: Metaspace?

    struct Metaspace: Equatable {
        var replacement: String
        var prependScheme: PrependScheme
        var split: Bool
    }
    enum PrependScheme: String { case first, always, never }
}

/// One HF `tokenizers` decoder step, applied to the list of token strings.
enum DecoderStep: Equatable {
    case byteLevel
    case metaspace(replacement: String, prependScheme: PreTokenizerPlan.PrependScheme)
    case replace(String, String)
    case byteFallback
    case fuse
    case strip(content: Character, start: Int, stop: Int)

    static func run(_ steps: [DecoderStep], _ tokens: [String]) -> String {
        var t = tokens
        for s in steps { t = s.apply(t) }
        return t.joined()
    }

    func apply(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for t in tokens {
                if let b = ByteLevel.decode(t) { bytes.append(contentsOf: b) } else { bytes.append(contentsOf: t.utf8) }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .metaspace(let r, let scheme):
            return tokens.enumerated().map { i, t in
                var s = t.replacingOccurrences(of: r, with: " ")
                if i == 0 && scheme != .never && s.hasPrefix(" ") { s.removeFirst() }
                return s
            }
        case .replace(let a, let b):
            return tokens.map { a.isEmpty ? $0 : $0.replacingOccurrences(of: a, with: b) }
        case .byteFallback:
            var out: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) { out.append(s) } else {
                    out.append(contentsOf: Array(repeating: "\u{FFFD}", count: pending.count))
                }
                pending.removeAll()
            }
            for t in tokens {
                if let b = Self.byteToken(t) { pending.append(b) } else { flush(); out.append(t) }
            }
            flush()
            return out
        case .fuse:
            return [tokens.joined()]
        case .strip(let c, let start, let stop):
            return tokens.map { t in
                var s = Substring(t)
                var n = 0
                while n < start, s.first == c { s.removeFirst(); n += 1 }
                n = 0
                while n < stop, s.last == c { s.removeLast(); n += 1 }
                return String(s)
            }
        }
    }

    /// The byte of a `<0xXX>` token (exactly six characters, hex digits either case).
    static func byteToken(_ t: String) -> UInt8? {
        let u = Array(t.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3...4], as: UTF8.self), radix: 16)
    }
}
