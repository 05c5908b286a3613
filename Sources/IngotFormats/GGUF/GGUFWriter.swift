import IngotCore

/// Writes a GGUF v3 file in two phases, as llama.cpp's `gguf_write_out` lays it out: `declare` every tensor
/// (the header — magic, version, counts, key/values in the given order, tensor infos — is computed from the
/// declarations), then `write` each tensor's bytes in declaration order, each followed by zero padding to the
/// alignment (the last one too). Memory holds one tensor; output goes through `AtomicOutputFile`.
///
/// `general.alignment` in the metadata (UINT32, a power of 2) sets the alignment; otherwise it is 32.
public final class GGUFWriter: TensorSink {
    public let path: String
    public let metadata: Metadata
    public let alignment: Int
    public let version: UInt32
    private let protectedInputs: [String]

    private var declared: [TensorInfo] = []
    private var names = Set<String>()
    private var output: AtomicOutputFile?
    private var next = 0
    private var started = false
    private var finished = false

    /// Prepares to write `path` with `metadata` (validated now: value types, arrays, alignment).
    public init(path: String, metadata: Metadata, version: UInt32 = 3, protectedInputs: [String] = []) throws {
        guard version == 2 || version == 3 else {
            throw GGUFError.writeMisuse(path: path, reason: "can only write GGUF version 2 or 3, not \(version)")
        }
        var alignment = GGUFReader.defaultAlignment
        if let a = metadata["general.alignment"] {
            guard case .uint32(let n) = a else {
                throw GGUFError.badAlignment(path: path, reason: "must be UINT32, found \(a.type.name)")
            }
            guard n != 0, n & (n - 1) == 0 else {
                throw GGUFError.badAlignment(path: path, reason: "is \(n), which is not a non-zero power of 2")
            }
            alignment = Int(n)
        }
        for (key, value) in metadata.entries {
            guard !key.isEmpty else { throw GGUFError.emptyKey(path: path, offset: 0) }
            try GGUFWriter.validate(value, key: key, path: path)
        }
        self.path = path
        self.metadata = metadata
        self.alignment = alignment
        self.version = version
        self.protectedInputs = protectedInputs
    }

    static func validate(_ value: MetadataValue, key: String, path: String) throws {
        guard case .array(let type, let items) = value else { return }
        guard type != .array else {
            throw GGUFError.writeMisuse(path: path, reason: "key '\(key)' is an array of arrays, which GGUF cannot hold")
        }
        for item in items where item.type != type {
            throw GGUFError.writeMisuse(
                path: path, reason: "key '\(key)' is an array of \(type.name) holding a \(item.type.name) value")
        }
    }

    // MARK: - Phase 1

    /// Declares the next tensor (shape outermost first; its byte count is recomputed; `offset` is ignored).
    public func declare(_ info: TensorInfo) throws {
        guard !started else {
            throw GGUFError.writeMisuse(path: path, reason: "tensor '\(info.name)' declared after data writing began")
        }
        let n = info.name.utf8.count
        guard n > 0, n <= GGUFReader.maxNameLength else {
            throw GGUFError.nameTooLong(path: path, name: info.name, length: n, offset: 0)
        }
        guard names.insert(info.name).inserted else {
            throw GGUFError.duplicateTensor(path: path, name: info.name, offset: 0)
        }
        guard info.type.ggmlID != nil else {
            throw GGUFError.writeMisuse(path: path, reason: "tensor '\(info.name)' has type \(info.type.displayName), which GGUF cannot hold")
        }
        guard info.shape.count <= GGUFReader.maxDimensions else {
            throw GGUFError.tooManyDimensions(path: path, tensor: info.name, dimensions: UInt32(info.shape.count), offset: 0)
        }
        let bytes: Int
        do { bytes = try info.type.byteCount(shape: info.shape) } catch {
            throw GGUFError.writeMisuse(path: path, reason: "tensor '\(info.name)' \(info.shape): \(error)")
        }
        guard bytes == info.byteCount else {
            throw GGUFError.writeMisuse(
                path: path, reason: "tensor '\(info.name)' declared with \(info.byteCount) bytes, but \(info.type.displayName) \(info.shape) needs \(bytes)")
        }
        var t = info
        t.offset = 0
        declared.append(t)
    }

    /// Padded size of `n` bytes.
    func padded(_ n: Int) -> Int { n + (alignment - n % alignment) % alignment }

    /// The header bytes, data-section padding included.
    public func headerBytes() -> [UInt8] {
        var w = ByteWriter(reservingCapacity: 4096)
        w.raw([0x47, 0x47, 0x55, 0x46])
        w.u32(version)
        w.u64(UInt64(declared.count))
        w.u64(UInt64(metadata.count))
        for (key, value) in metadata.entries {
            GGUFWriter.string(&w, key)
            w.u32(value.type.rawValue)
            GGUFWriter.value(&w, value)
        }
        var offset = 0
        for t in declared {
            GGUFWriter.string(&w, t.name)
            w.u32(UInt32(t.shape.count))
            for d in t.shape.reversed() { w.i64(Int64(d)) }
            w.i32(t.type.ggmlID!)
            w.u64(UInt64(offset))
            offset += padded(t.byteCount)
        }
        w.pad(to: alignment)
        return w.bytes
    }

    static func string(_ w: inout ByteWriter, _ s: String) {
        w.u64(UInt64(s.utf8.count))
        w.raw(s.utf8)
    }

    static func value(_ w: inout ByteWriter, _ v: MetadataValue) {
        switch v {
        case .uint8(let x): w.u8(x)
        case .int8(let x): w.i8(x)
        case .uint16(let x): w.u16(x)
        case .int16(let x): w.i16(x)
        case .uint32(let x): w.u32(x)
        case .int32(let x): w.i32(x)
        case .float32(let x): w.f32(x)
        case .bool(let x): w.u8(x ? 1 : 0)
        case .string(let s): string(&w, s)
        case .uint64(let x): w.u64(x)
        case .int64(let x): w.i64(x)
        case .float64(let x): w.f64(x)
        case .array(let type, let items):
            w.u32(type.rawValue)
            w.u64(UInt64(items.count))
            for item in items { value(&w, item) }
        }
    }

    // MARK: - Phase 2

    private func start() throws {
        guard !started else { return }
        started = true
        let f = try AtomicOutputFile(path: path, protectedInputs: protectedInputs)
        output = f
        try f.write(headerBytes())
    }

    /// Writes the next declared tensor's bytes and its zero padding.
    public func write(_ name: String, bytes: UnsafeRawBufferPointer) throws {
        try start()
        guard !finished, next < declared.count, let f = output else {
            throw GGUFError.writeMisuse(path: path, reason: "tensor '\(name)' written but every declared tensor is done")
        }
        let t = declared[next]
        guard t.name == name else {
            throw GGUFError.writeMisuse(path: path, reason: "tensor '\(name)' written out of order; expected '\(t.name)'")
        }
        guard bytes.count == t.byteCount else {
            throw GGUFError.writeMisuse(
                path: path, reason: "tensor '\(name)' was declared with \(t.byteCount) bytes but \(bytes.count) were written")
        }
        try f.write(bytes)
        try f.writeZeros(padded(t.byteCount) - t.byteCount)
        next += 1
    }

    /// Checks every tensor was written, then fsyncs and renames the file into place.
    public var outputPaths: [String] { [path] }

    public func finish() throws {
        try start()
        guard !finished else { return }
        guard next == declared.count else {
            throw GGUFError.writeMisuse(path: path, reason: "finished after \(next) of \(declared.count) tensors; next expected '\(declared[next].name)'")
        }
        try output?.commit()
        finished = true
    }

    public func abandon() {
        output?.abandon()
        finished = true
    }

    deinit { if !finished { abandon() } }
}
