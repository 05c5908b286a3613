import IngotCore

/// A GGUF file (v2 or v3), memory-mapped, with its header validated as llama.cpp's loader does
/// (`gguf_init_from_reader` and the model loader's bounds check; see Formats/gguf.md).
///
/// `tensors` have their shape outermost first (GGUF's `ne` reversed) and `offset` relative to the data
/// section; `absoluteOffset(of:)` gives the file offset. Data is never copied: `withBytes` hands out the mapping.
public final class GGUFReader: TensorSource {
    /// The default alignment when `general.alignment` is absent (`GGUF_DEFAULT_ALIGNMENT`).
    public static let defaultAlignment = 32
    /// `GGML_MAX_NAME` − 1.
    public static let maxNameLength = 63
    public static let maxDimensions = 4

    public let formatName = "gguf"
    public let path: String
    public let file: MappedFile
    /// 2 or 3.
    public let version: UInt32
    /// Key/values in file order, with their GGUF value types.
    public let metadata: Metadata
    public let tensors: [TensorInfo]
    /// `ne` as stored (innermost first), per tensor.
    public let dimensions: [[Int]]
    /// `general.alignment`, or 32.
    public let alignment: Int
    /// Absolute file offset of the data section (end of tensor infos padded to `alignment`).
    public let dataOffset: Int
    /// File offset where each key/value pair starts, by key (for messages and tools).
    public let keyOffsets: [String: Int]
    /// Keys whose string values held invalid UTF-8 and were decoded with replacement characters.
    public let repairedStringKeys: [String]

    private let lookup: [String: Int]

    /// Maps and validates `path`.
    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        self.file = file
        path = file.path
        let bytes = file.bytes
        var c = GGUFCursor(bytes, path: path)

        // MARK: Fixed header
        guard bytes.count >= 4 else {
            if bytes.count > 0, !Array(bytes).elementsEqual([0x47, 0x47, 0x55, 0x46].prefix(bytes.count)) {
                throw GGUFError.badMagic(path: path, found: Array(bytes))
            }
            throw GGUFError.truncated(path: path, what: "the magic", offset: 0, needed: 4, remaining: bytes.count)
        }
        let magic = Array(bytes[0..<4])
        guard magic == [0x47, 0x47, 0x55, 0x46] else { throw GGUFError.badMagic(path: path, found: magic) }
        try c.seek(to: 4, "the magic")
        let v = try c.u32("the version")
        if v & 0xFFFF == 0 && v != 0 { throw GGUFError.bigEndian(path: path, version: v) }
        guard v == 2 || v == 3 else { throw GGUFError.unsupportedVersion(path: path, version: v) }
        version = v
        let nTensorsOffset = c.offset
        let nTensors = try c.u64("the tensor count")
        let nKVOffset = c.offset
        let nKV = try c.u64("the key/value count")
        // Each tensor info takes at least 24 bytes and each key/value at least 13: a count the rest of the file
        // cannot hold is rejected before anything is allocated for it.
        guard nTensors <= UInt64(Int64.max), nTensors <= UInt64(c.remaining / 24) else {
            throw GGUFError.countTooLarge(path: path, what: "tensor count", count: nTensors, offset: nTensorsOffset,
                                          remaining: c.remaining)
        }
        guard nKV <= UInt64(Int64.max), nKV <= UInt64(c.remaining / 13) else {
            throw GGUFError.countTooLarge(path: path, what: "key/value count", count: nKV, offset: nKVOffset,
                                          remaining: c.remaining)
        }

        // MARK: Key/values
        var md = Metadata()
        var keyOffsets: [String: Int] = [:]
        for i in 0..<Int(nKV) {
            let at = c.offset
            let key = try c.strictString("key #\(i)")
            guard !key.isEmpty else { throw GGUFError.emptyKey(path: path, offset: at) }
            guard keyOffsets[key] == nil else { throw GGUFError.duplicateKey(path: path, key: key, offset: at) }
            keyOffsets[key] = at
            let value = try GGUFReader.readValue(&c, key: key)
            md.append(key, value)
        }

        // MARK: Alignment
        var alignment = GGUFReader.defaultAlignment
        if let a = md["general.alignment"] {
            guard case .uint32(let n) = a else {
                throw GGUFError.badAlignment(path: path, reason: "must be UINT32, found \(a.type.name)")
            }
            guard n != 0, n & (n - 1) == 0 else {
                throw GGUFError.badAlignment(path: path, reason: "is \(n), which is not a non-zero power of 2")
            }
            alignment = Int(n)
        }

        // MARK: Tensor infos
        var infos: [TensorInfo] = []
        var dims: [[Int]] = []
        var lookup: [String: Int] = [:]
        infos.reserveCapacity(Int(nTensors))
        var rawOffsets: [UInt64] = []
        for i in 0..<Int(nTensors) {
            let at = c.offset
            let name = try c.strictString("the name of tensor #\(i)")
            guard name.utf8.count <= GGUFReader.maxNameLength else {
                throw GGUFError.nameTooLong(path: path, name: name, length: name.utf8.count, offset: at)
            }
            guard lookup[name] == nil else { throw GGUFError.duplicateTensor(path: path, name: name, offset: at) }
            let dimsAt = c.offset
            let nDims = try c.u32("the dimension count of tensor '\(name)'")
            guard nDims <= UInt32(GGUFReader.maxDimensions) else {
                throw GGUFError.tooManyDimensions(path: path, tensor: name, dimensions: nDims, offset: dimsAt)
            }
            var ne: [Int64] = []
            for j in 0..<Int(nDims) {
                let d = try c.i64("dimension \(j) of tensor '\(name)'")
                guard d >= 0 else { throw GGUFError.negativeDimension(path: path, tensor: name, index: j, value: d) }
                ne.append(d)
            }
            let typeAt = c.offset
            let typeID = try c.i32("the type of tensor '\(name)'")
            guard let type = ElementType(ggmlID: typeID) else {
                throw GGUFError.unknownType(path: path, tensor: name, typeID: typeID, offset: typeAt)
            }
            let offset = try c.u64("the offset of tensor '\(name)'")
            // Product of ne must fit int64; ne[0] must be whole blocks; byte size must fit.
            var elements: Int64 = 1
            for d in ne {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o else { throw GGUFError.sizeOverflow(path: path, tensor: name, ne: ne) }
                elements = p
            }
            let ne0 = ne.first ?? 1
            guard ne0 % Int64(type.blockElements) == 0 else {
                throw GGUFError.partialBlock(path: path, tensor: name, rowLength: ne0, type: type.displayName,
                                             blockElements: type.blockElements)
            }
            let shape = ne.reversed().map { Int($0) }
            guard let byteCount = try? type.byteCount(shape: shape) else {
                throw GGUFError.sizeOverflow(path: path, tensor: name, ne: ne)
            }
            lookup[name] = infos.count
            infos.append(TensorInfo(name: name, type: type, shape: shape, offset: 0, byteCount: byteCount))
            dims.append(ne.map { Int($0) })
            rawOffsets.append(offset)
        }

        // MARK: Data section
        let (padded, o) = c.offset.addingReportingOverflow((alignment - c.offset % alignment) % alignment)
        dataOffset = padded
        if nTensors > 0 {
            guard !o, padded <= bytes.count else {
                throw GGUFError.dataSectionPastEnd(path: path, dataOffset: padded, fileSize: bytes.count)
            }
        }
        // Offsets must be exactly the running sum of padded sizes (llama.cpp rejects gaps and reordering).
        var expected = 0
        for (i, t) in infos.enumerated() {
            guard rawOffsets[i] == UInt64(expected) else {
                throw GGUFError.badOffset(path: path, tensor: t.name, offset: rawOffsets[i], expected: expected)
            }
            infos[i].offset = expected
            let (end, o1) = padded.addingReportingOverflow(expected)
            let (last, o2) = end.addingReportingOverflow(t.byteCount)
            guard !o1, !o2, last <= bytes.count else {
                throw GGUFError.dataOutOfBounds(path: path, tensor: t.name, end: o1 || o2 ? Int.max : last,
                                                fileSize: bytes.count)
            }
            let (sized, o3) = t.byteCount.addingReportingOverflow((alignment - t.byteCount % alignment) % alignment)
            let (next, o4) = expected.addingReportingOverflow(sized)
            guard !o3, !o4 else { throw GGUFError.sizeOverflow(path: path, tensor: t.name, ne: dims[i].map { Int64($0) }) }
            expected = next
        }

        self.metadata = md
        self.tensors = infos
        self.dimensions = dims
        self.alignment = alignment
        self.keyOffsets = keyOffsets
        self.lookup = lookup
        self.repairedStringKeys = c.repairedStrings
    }

    // MARK: - Values

    /// Reads one value (type id then payload) for `key`.
    static func readValue(_ c: inout GGUFCursor, key: String) throws -> MetadataValue {
        let at = c.offset
        let id = try c.i32("the value type of key '\(key)'")
        guard id >= 0, let type = MetadataValueType(rawValue: UInt32(id)) else {
            throw GGUFError.invalidValueType(path: c.path, key: key, typeID: id, offset: at)
        }
        if type != .array { return try readScalar(&c, type, key: key) }
        let elemAt = c.offset
        let eid = try c.i32("the array element type of key '\(key)'")
        guard eid >= 0, let etype = MetadataValueType(rawValue: UInt32(eid)) else {
            throw GGUFError.invalidValueType(path: c.path, key: key, typeID: eid, offset: elemAt)
        }
        guard etype != .array else { throw GGUFError.nestedArray(path: c.path, key: key, offset: elemAt) }
        let countAt = c.offset
        let count = try c.u64("the array length of key '\(key)'")
        // Caps before allocating: the element limit, and the bytes the elements need (8 per string at least).
        let minSize = UInt64(etype.fixedSize ?? 8)
        guard count <= GGUFCursor.maxArrayElements, count * minSize <= UInt64(c.remaining) else {
            throw GGUFError.arrayTooLong(path: c.path, key: key, count: count, offset: countAt, remaining: c.remaining)
        }
        var items: [MetadataValue] = []
        items.reserveCapacity(Int(count))
        for _ in 0..<Int(count) { items.append(try readScalar(&c, etype, key: key)) }
        return .array(etype, items)
    }

    static func readScalar(_ c: inout GGUFCursor, _ type: MetadataValueType, key: String) throws -> MetadataValue {
        let what = "the value of key '\(key)'"
        switch type {
        case .uint8: return .uint8(try c.u8(what))
        case .int8: return .int8(Int8(bitPattern: try c.u8(what)))
        case .uint16: return .uint16(try c.u16(what))
        case .int16: return .int16(Int16(bitPattern: try c.u16(what)))
        case .uint32: return .uint32(try c.u32(what))
        case .int32: return .int32(try c.i32(what))
        case .float32: return .float32(Float(bitPattern: try c.u32(what)))
        case .bool: return .bool(try c.u8(what) != 0)
        case .string: return .string(try c.valueString(key: key))
        case .uint64: return .uint64(try c.u64(what))
        case .int64: return .int64(try c.i64(what))
        case .float64: return .float64(Double(bitPattern: try c.u64(what)))
        case .array: throw GGUFError.nestedArray(path: c.path, key: key, offset: c.offset)
        }
    }

    // MARK: - Detection

    /// A GGUF file starts with the magic `GGUF` (the byte order of what follows is the reader's concern).
    public static func recognises(_ head: FileHead) -> Bool {
        !head.isDirectory && head.bytes.starts(with: [0x47, 0x47, 0x55, 0x46])
    }

    // MARK: - Access

    /// The info of `name` (O(1)).
    public func info(_ name: String) -> TensorInfo? { lookup[name].map { tensors[$0] } }

    /// Absolute file offset of tensor `name`'s data.
    public func absoluteOffset(of name: String) -> Int? { lookup[name].map { dataOffset + tensors[$0].offset } }

    public func location(of name: String) -> TensorLocation? {
        absoluteOffset(of: name).map { TensorLocation(path: path, offset: $0) }
    }

    public func release(_ name: String) {
        guard let i = lookup[name] else { return }
        file.release(offset: dataOffset + tensors[i].offset, count: tensors[i].byteCount)
    }

    public func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let i = lookup[name] else { throw IngotFailure("\(path): no tensor named '\(name)'") }
        let t = tensors[i]
        let start = dataOffset + t.offset
        return try body(UnsafeRawBufferPointer(rebasing: file.bytes[start..<(start + t.byteCount)]))
    }
}
