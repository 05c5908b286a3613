import IngotCore

/// Bounds-checked little-endian reads over a GGUF header that turn a short read into a `GGUFError` naming
/// the file and what was being read. A failed read does not advance.
struct GGUFCursor {
    /// llama.cpp's caps (`GGUF_MAX_STRING_LENGTH`, `GGUF_MAX_ARRAY_ELEMENTS`).
    static let maxStringLength: UInt64 = 1 << 30
    static let maxArrayElements: UInt64 = 1 << 30

    var reader: ByteReader
    let path: String
    /// Strings (by key) whose bytes were not valid UTF-8 and were decoded with replacement characters.
    var repairedStrings: [String] = []

    init(_ bytes: UnsafeRawBufferPointer, path: String) {
        reader = ByteReader(bytes)
        self.path = path
    }

    var offset: Int { reader.offset }
    var remaining: Int { reader.remaining }

    @inline(__always)
    func fail(_ e: TruncatedRead, _ what: @autoclosure () -> String) -> GGUFError {
        .truncated(path: path, what: what(), offset: e.offset, needed: e.needed, remaining: e.remaining)
    }

    mutating func u8(_ what: @autoclosure () -> String) throws -> UInt8 {
        do { return try reader.u8() } catch let e as TruncatedRead { throw fail(e, what()) }
    }
    mutating func u16(_ what: @autoclosure () -> String) throws -> UInt16 {
        do { return try reader.u16() } catch let e as TruncatedRead { throw fail(e, what()) }
    }
    mutating func u32(_ what: @autoclosure () -> String) throws -> UInt32 {
        do { return try reader.u32() } catch let e as TruncatedRead { throw fail(e, what()) }
    }
    mutating func i32(_ what: @autoclosure () -> String) throws -> Int32 {
        do { return try reader.i32() } catch let e as TruncatedRead { throw fail(e, what()) }
    }
    mutating func u64(_ what: @autoclosure () -> String) throws -> UInt64 {
        do { return try reader.u64() } catch let e as TruncatedRead { throw fail(e, what()) }
    }
    mutating func i64(_ what: @autoclosure () -> String) throws -> Int64 {
        do { return try reader.i64() } catch let e as TruncatedRead { throw fail(e, what()) }
    }

    /// The raw bytes of a length-prefixed string, with the length capped before anything is read.
    mutating func stringBytes(_ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        let start = offset
        let n = try u64("the length of \(what())")
        guard n <= GGUFCursor.maxStringLength, n <= UInt64(remaining) else {
            let rem = remaining
            try? reader.seek(to: start)
            throw GGUFError.stringTooLong(path: path, what: what(), length: n, offset: start, remaining: rem)
        }
        return try reader.bytes(Int(n))
    }

    /// A string that must be valid UTF-8 (keys, tensor names).
    mutating func strictString(_ what: @autoclosure () -> String) throws -> String {
        let start = offset
        let b = try stringBytes(what())
        if let s = GGUFCursor.decode(b) { return s }
        throw GGUFError.invalidUTF8(path: path, what: what(), offset: start)
    }

    /// A string value; invalid UTF-8 is decoded with replacement characters and the key remembered.
    mutating func valueString(key: String) throws -> String {
        let b = try stringBytes("a string value of key '\(key)'")
        if let s = GGUFCursor.decode(b) { return s }
        repairedStrings.append(key)
        return String(decoding: b, as: UTF8.self)
    }

    /// Decodes UTF-8, nil if invalid. ASCII (the common case: token strings) skips validation.
    static func decode(_ b: UnsafeRawBufferPointer) -> String? {
        let u = b.assumingMemoryBound(to: UInt8.self)
        var ascii = true
        for c in u where c >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: u, as: UTF8.self) }
        return String(validating: u, as: UTF8.self)
    }

    mutating func seek(to o: Int, _ what: @autoclosure () -> String) throws {
        do { try reader.seek(to: o) } catch let e as TruncatedRead { throw fail(e, what()) }
    }
}
