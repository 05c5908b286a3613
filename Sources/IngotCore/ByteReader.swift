/// Bounds-checked little-endian reads over a byte buffer. A failed read throws and does not advance.
///
/// Never rebinds bytes to Swift structs: every field is `loadUnaligned` + `littleEndian`.
public struct ByteReader {
    public let buffer: UnsafeRawBufferPointer
    /// Offset of the next read from the start of `buffer`.
    public private(set) var offset: Int

    public init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    /// Bytes left after `offset`.
    public var remaining: Int { buffer.count - offset }

    /// Throws unless `n` more bytes are available.
    @inline(__always)
    public func require(_ n: Int) throws {
        guard n >= 0, n <= remaining else { throw TruncatedRead(needed: n, offset: offset, remaining: remaining) }
    }

    @inline(__always)
    mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        try require(MemoryLayout<T>.size)
        let v = T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return v
    }

    public mutating func u8() throws -> UInt8 { try load(UInt8.self) }
    public mutating func i8() throws -> Int8 { try load(Int8.self) }
    public mutating func u16() throws -> UInt16 { try load(UInt16.self) }
    public mutating func i16() throws -> Int16 { try load(Int16.self) }
    public mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    public mutating func i32() throws -> Int32 { try load(Int32.self) }
    public mutating func u64() throws -> UInt64 { try load(UInt64.self) }
    public mutating func i64() throws -> Int64 { try load(Int64.self) }
    public mutating func f32() throws -> Float { Float(bitPattern: try load(UInt32.self)) }
    public mutating func f64() throws -> Double { Double(bitPattern: try load(UInt64.self)) }

    /// The next `n` bytes as a slice of the underlying buffer (no copy).
    public mutating func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        try require(n)
        let s = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)])
        offset += n
        return s
    }

    /// Moves to an absolute offset inside the buffer.
    public mutating func seek(to o: Int) throws {
        guard o >= 0, o <= buffer.count else { throw TruncatedRead(needed: o - offset, offset: offset, remaining: remaining) }
        offset = o
    }
}

/// A read past the end of the data: how many bytes were needed at which offset, and how many were left.
public struct TruncatedRead: Error, Equatable, CustomStringConvertible, Sendable {
    public let needed: Int
    public let offset: Int
    public let remaining: Int
    public var description: String { "needs \(needed) bytes at offset \(offset), \(remaining) left" }
}

/// Appends little-endian fields to a growing byte array (for headers; tensor data is streamed, not buffered).
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public init(reservingCapacity n: Int) { bytes.reserveCapacity(n) }

    public var count: Int { bytes.count }

    public mutating func int<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { int(v) }
    public mutating func u32(_ v: UInt32) { int(v) }
    public mutating func u64(_ v: UInt64) { int(v) }
    public mutating func i8(_ v: Int8) { int(v) }
    public mutating func i16(_ v: Int16) { int(v) }
    public mutating func i32(_ v: Int32) { int(v) }
    public mutating func i64(_ v: Int64) { int(v) }
    public mutating func f32(_ v: Float) { int(v.bitPattern) }
    public mutating func f64(_ v: Double) { int(v.bitPattern) }
    public mutating func raw<C: Collection>(_ c: C) where C.Element == UInt8 { bytes.append(contentsOf: c) }
    /// Appends zero bytes until `count` is a multiple of `alignment`.
    public mutating func pad(to alignment: Int) {
        let r = bytes.count % alignment
        if r != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - r)) }
    }
}
