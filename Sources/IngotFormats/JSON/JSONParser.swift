import IngotCore

/// Parsing entry points. A hand-written recursive-descent parser over raw bytes: strings are built from UTF-8
/// slices in one step (no per-character appends), so a 200k-entry tokenizer vocabulary parses in well under
/// a second in release. Not json-c: it keeps the last of duplicate keys silently, replaces lone surrogates,
/// clamps large integers and records no source positions (Formats/json.md has the comparison).
public enum JSON {
    /// Parses one JSON document (RFC 8259) from UTF-8 bytes. A leading byte-order mark is skipped.
    ///
    /// Rejects invalid UTF-8, lone surrogates in `\u` escapes, raw control characters in strings,
    /// anything after the value but whitespace, nesting deeper than `maxDepth`, and (when asked) a key
    /// repeated within one object.
    public static func parse(_ bytes: UnsafeRawBufferPointer, rejectDuplicateKeys: Bool = true,
                             maxDepth: Int = 256) throws -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONError(kind: .truncated, offset: 0, line: 1, column: 1, message: "expected a JSON value, found end of input")
        }
        var p = JSONParser(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count,
                           rejectDuplicateKeys: rejectDuplicateKeys, maxDepth: maxDepth)
        return try p.parseDocument()
    }

    /// Parses a JSON document held in a String.
    public static func parse(_ s: String) throws -> JSONValue {
        var s = s
        return try s.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses the file at `path` (memory-mapped); errors name the file.
    public static func parseFile(_ path: String) throws -> JSONValue {
        let file = try MappedFile(path: path)
        do {
            return try parse(file.bytes)
        } catch let e as JSONError {
            throw e.withPath(path)
        }
    }
}

// MARK: - Parser

struct JSONParser {
    let p: UnsafePointer<UInt8>
    let n: Int
    let rejectDuplicateKeys: Bool
    let maxDepth: Int
    var i = 0
    var depth = 0
    /// Reused buffer for strings with escapes.
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, rejectDuplicateKeys: Bool, maxDepth: Int) {
        p = base
        n = count
        self.rejectDuplicateKeys = rejectDuplicateKeys
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws -> JSONValue {
        if n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { i = 3 }
        skipWhitespace()
        let v = try parseValue()
        skipWhitespace()
        if i < n { throw error(.trailingData, "expected end of input after the JSON value, found \(found())") }
        return v
    }

    // MARK: Errors

    /// Builds an error at offset `at` (default: the current position), computing line and column.
    func error(_ kind: JSONError.Kind, _ message: String, at: Int? = nil) -> JSONError {
        let off = min(at ?? i, n)
        var line = 1, col = 1
        var k = 0
        while k < off {
            let c = p[k]
            if c == 0x0A { line += 1; col = 1 } else if c & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        return JSONError(kind: kind, offset: off, line: line, column: col, message: message)
    }

    /// Describes the byte at the current position for messages.
    func found(at: Int? = nil) -> String {
        let k = at ?? i
        guard k < n else { return "end of input" }
        let c = p[k]
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x\(String(c, radix: 16, uppercase: true))"
    }

    func unexpected(_ expected: String) -> JSONError {
        error(i >= n ? .truncated : .syntax, "expected \(expected), found \(found())")
    }

    // MARK: Values

    @inline(__always)
    mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    mutating func parseValue() throws -> JSONValue {
        guard i < n else { throw unexpected("a JSON value") }
        switch p[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected("a JSON value")
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let len = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<len where i + k >= n || p[i + k] != w[k] {
            i += k
            throw unexpected("'\(word)'")
        }
        i += len
    }

    mutating func enter() throws {
        depth += 1
        if depth > maxDepth { throw error(.tooDeep, "nesting deeper than \(maxDepth) levels") }
    }

    mutating func parseArray() throws -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < n, p[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard i < n else { throw unexpected("',' or ']' in array") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "]") { i += 1; break }
            throw unexpected("',' or ']' in array")
        }
        depth -= 1
        return .array(items)
    }

    mutating func parseObject() throws -> JSONValue {
        try enter()
        i += 1
        var entries: [(key: String, value: JSONValue)] = []
        var index: [JSONKey: Int]? = nil
        skipWhitespace()
        if i < n, p[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(JSONObject(entries: entries, index: nil)) }
        while true {
            skipWhitespace()
            guard i < n, p[i] == UInt8(ascii: "\"") else { throw unexpected("a string key in object") }
            let keyOffset = i
            let key = try parseString()
            // Small objects are checked by a scan; past the threshold a hash index takes over.
            if index == nil && entries.count >= JSONObject.indexThreshold {
                index = JSONObject.makeIndex(entries)
            }
            let duplicate: Bool
            if index != nil {
                // One hash per key: insert and learn whether it was there.
                duplicate = index!.updateValue(entries.count, forKey: JSONKey(key)) != nil
            } else {
                duplicate = rejectDuplicateKeys && entries.contains { JSONKey.same($0.key, key) }
            }
            if duplicate && rejectDuplicateKeys {
                throw error(.duplicateKey, "duplicate key \"\(key)\" in object", at: keyOffset)
            }
            skipWhitespace()
            guard i < n, p[i] == UInt8(ascii: ":") else { throw unexpected("':' after object key \"\(key)\"") }
            i += 1
            skipWhitespace()
            let value = try parseValue()
            entries.append((key, value))
            skipWhitespace()
            guard i < n else { throw unexpected("',' or '}' in object") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "}") { i += 1; break }
            throw unexpected("',' or '}' after object member \"\(key)\"")
        }
        depth -= 1
        return .object(JSONObject(entries: entries, index: index))
    }

    // MARK: Numbers

    mutating func parseNumber() throws -> JSONValue {
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < n, isDigit(p[i]) else { throw unexpected("a digit in number") }
        var integral = true
        var acc = 0
        var overflow = false
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < n, isDigit(p[i]) { throw error(.syntax, "leading zeros are not allowed in numbers") }
        } else {
            while i < n, isDigit(p[i]) {
                // Accumulate negatively so Int.min parses.
                let d = Int(p[i] &- 0x30)
                let (m, o1) = acc.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(d)
                if o1 || o2 { overflow = true } else { acc = s }
                i += 1
            }
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard i < n, isDigit(p[i]) else { throw unexpected("a digit after '.' in number") }
            while i < n, isDigit(p[i]) { i += 1 }
        }
        if i < n, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < n, isDigit(p[i]) else { throw unexpected("a digit in number exponent") }
            while i < n, isDigit(p[i]) { i += 1 }
        }
        if integral && !overflow {
            if negative { return .int(acc) }
            if acc != Int.min { return .int(-acc) }
        }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        guard let d = Double(text) else { throw error(.syntax, "number \(text) cannot be represented", at: start) }
        return .double(d)
    }

    @inline(__always)
    func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    // MARK: Strings

    /// Parses a string starting at the opening quote. Finds the closing quote first, validating UTF-8 and
    /// control characters on the raw bytes (so errors carry real offsets), then builds the String in one step.
    mutating func parseString() throws -> String {
        let open = i
        i += 1
        let start = i
        var ascii = true
        var escaped = false
        while true {
            guard i < n else { throw error(.truncated, "unterminated string (opened at byte \(open))") }
            let c = p[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            if c < 0x20 {
                throw error(.controlCharacter, "control character 0x\(String(c, radix: 16, uppercase: true)) in string must be escaped")
            }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        let end = i
        i += 1
        if !ascii { try validateUTF8(start, end) }
        if !escaped {
            return String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        }
        return try decodeEscapes(start, end)
    }

    /// Checks [from, to) is well-formed UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
    func validateUTF8(_ from: Int, _ to: Int) throws {
        var k = from
        while k < to {
            let b0 = p[k]
            if b0 < 0x80 { k += 1; continue }
            var len = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: len = 2
            case 0xE0: len = 3; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: len = 3
            case 0xED: len = 3; hi = 0x9F
            case 0xF0: len = 4; lo = 0x90
            case 0xF1...0xF3: len = 4
            case 0xF4: len = 4; hi = 0x8F
            default:
                throw error(.invalidUTF8, "invalid UTF-8 byte 0x\(String(b0, radix: 16, uppercase: true)) in string", at: k)
            }
            guard k + len <= to else { throw error(.invalidUTF8, "truncated UTF-8 sequence in string", at: k) }
            let b1 = p[k + 1]
            guard b1 >= lo && b1 <= hi else { throw error(.invalidUTF8, "invalid UTF-8 sequence in string", at: k) }
            for j in 2..<len where p[k + j] & 0xC0 != 0x80 {
                throw error(.invalidUTF8, "invalid UTF-8 sequence in string", at: k)
            }
            k += len
        }
    }

    mutating func decodeEscapes(_ from: Int, _ to: Int) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        var k = from
        while k < to {
            let c = p[k]
            if c != UInt8(ascii: "\\") { scratch.append(c); k += 1; continue }
            let e = p[k + 1]
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(k + 2, end: to)
                var consumed = 6
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard k + 12 <= to, p[k + 6] == UInt8(ascii: "\\"), p[k + 7] == UInt8(ascii: "u") else {
                        throw error(.loneSurrogate, "lone high surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in string", at: k)
                    }
                    let low = try hex4(k + 8, end: to)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw error(.loneSurrogate, "high surrogate \\u\(String(scalar, radix: 16, uppercase: true)) not followed by a low surrogate", at: k)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    consumed = 12
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw error(.loneSurrogate, "lone low surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in string", at: k)
                }
                appendUTF8(scalar)
                k += consumed
                continue
            default:
                throw error(.syntax, "invalid escape '\\\(Character(Unicode.Scalar(e)))' in string", at: k)
            }
            k += 2
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    func hex4(_ at: Int, end: Int) throws -> UInt32 {
        guard at + 4 <= end else { throw error(.syntax, "expected 4 hex digits after \\u", at: at - 2) }
        var v: UInt32 = 0
        for j in 0..<4 {
            let c = p[at + j]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw error(.syntax, "expected 4 hex digits after \\u, found \(found(at: at + j))", at: at + j)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    mutating func appendUTF8(_ s: UInt32) {
        switch s {
        case ..<0x80: scratch.append(UInt8(s))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | (s >> 6)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | (s >> 12)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (s >> 18)))
            scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }
}
