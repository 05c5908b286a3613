import IngotCore

/// The validated header of one safetensors file: tensors sorted by data offset, `__metadata__`, and where data starts.
///
/// Enforces every rule of the Rust reader (`SafeTensors::read_metadata`, safetensors 0.8) and rejects duplicate
/// names outright (serde would keep the last one).
public struct SafetensorsHeader: Equatable {
    /// The Rust library's cap on the header length, checked before the header is read.
    public static let maxHeaderLength: UInt64 = 100_000_000

    /// dtype names safetensors defines but `ElementType` does not cover.
    static let knownUnsupportedDTypes: Set<String> = [
        "F4", "F6_E2M3", "F6_E3M2", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "C64",
    ]

    /// Tensors in data-offset order; `offset` is relative to the data buffer.
    public var tensors: [TensorInfo]
    /// `__metadata__` in document order.
    public var metadata: [(key: String, value: String)]
    /// Header length N (bytes 8 ..< 8+N).
    public var headerLength: Int
    /// Absolute file offset of the data buffer (8 + N).
    public var dataStart: Int { 8 + headerLength }

    public static func == (a: SafetensorsHeader, b: SafetensorsHeader) -> Bool {
        a.tensors == b.tensors && a.headerLength == b.headerLength
            && a.metadata.map(\.key) == b.metadata.map(\.key) && a.metadata.map(\.value) == b.metadata.map(\.value)
    }

    /// Parses and validates the header of `file` (the whole file's bytes; `path` names it in errors).
    public init(file: UnsafeRawBufferPointer, path: String) throws {
        guard file.count >= 8 else { throw SafetensorsError.headerTooSmall(path: path, fileSize: file.count) }
        let n = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard n <= SafetensorsHeader.maxHeaderLength else { throw SafetensorsError.headerTooLarge(path: path, length: n) }
        guard Int(n) <= file.count - 8 else {
            throw SafetensorsError.headerPastEnd(path: path, length: n, fileSize: file.count)
        }
        headerLength = Int(n)
        let json: JSONValue
        do {
            json = try JSON.parse(UnsafeRawBufferPointer(rebasing: file[8..<(8 + headerLength)]), rejectDuplicateKeys: true)
        } catch let e as JSONError {
            if e.kind == .duplicateKey, let name = SafetensorsHeader.duplicateName(e.message) {
                throw SafetensorsError.duplicateTensor(path: path, tensor: name)
            }
            throw SafetensorsError.invalidHeaderJSON(
                path: path, offset: 8 + e.offset, message: "line \(e.line), column \(e.column): \(e.message)")
        }
        guard case .object(let top) = json else {
            throw SafetensorsError.invalidEntry(path: path, tensor: "(top level)", reason: "header must be a JSON object")
        }

        var tensors: [TensorInfo] = []
        tensors.reserveCapacity(top.count)
        var ends: [Int] = []
        metadata = []
        for (name, value) in top.entries {
            if name == "__metadata__" {
                metadata = try SafetensorsHeader.parseMetadata(value, path: path)
                continue
            }
            let (info, end) = try SafetensorsHeader.parseEntry(name, value, path: path)
            tensors.append(info)
            ends.append(end)
        }

        // Sort by (begin, end) as the Rust reader does, then walk: each begin must equal the previous end.
        let order = tensors.indices.sorted { (tensors[$0].offset, ends[$0]) < (tensors[$1].offset, ends[$1]) }
        var expected = 0
        for i in order {
            let t = tensors[i]
            guard t.offset == expected, ends[i] >= t.offset else {
                throw SafetensorsError.invalidOffset(path: path, tensor: t.name, begin: t.offset, end: ends[i],
                                                     expectedBegin: expected)
            }
            expected = ends[i]
        }
        let bufferSize = file.count - 8 - headerLength
        guard expected == bufferSize else {
            throw SafetensorsError.incompleteBuffer(path: path, covered: expected, bufferSize: bufferSize)
        }
        self.tensors = order.map { tensors[$0] }
    }

    /// The key named in a duplicate-key message from the JSON parser.
    static func duplicateName(_ message: String) -> String? {
        guard let open = message.firstIndex(of: "\""), let close = message.lastIndex(of: "\""), open < close else { return nil }
        return String(message[message.index(after: open)..<close])
    }

    static func parseMetadata(_ value: JSONValue, path: String) throws -> [(key: String, value: String)] {
        switch value {
        case .null:
            return []
        case .object(let o):
            return try o.entries.map { e in
                guard case .string(let s) = e.value else {
                    throw SafetensorsError.invalidMetadata(path: path, key: e.key,
                                                           reason: "value must be a string, found \(kind(e.value))")
                }
                return (e.key, s)
            }
        default:
            throw SafetensorsError.invalidMetadata(path: path, key: "__metadata__",
                                                   reason: "must be an object of strings, found \(kind(value))")
        }
    }

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Validates one tensor entry; returns its info (offset = begin) and its end offset.
    static func parseEntry(_ name: String, _ value: JSONValue, path: String) throws -> (TensorInfo, Int) {
        func bad(_ reason: String) -> SafetensorsError { .invalidEntry(path: path, tensor: name, reason: reason) }
        guard case .object(let o) = value else { throw bad("must be an object, found \(kind(value))") }
        guard let dtypeValue = o["dtype"] else { throw bad("missing field 'dtype'") }
        guard case .string(let dtype) = dtypeValue else { throw bad("'dtype' must be a string, found \(kind(dtypeValue))") }
        guard let shapeValue = o["shape"] else { throw bad("missing field 'shape'") }
        guard case .array(let dims) = shapeValue else { throw bad("'shape' must be an array, found \(kind(shapeValue))") }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for d in dims {
            guard case .int(let v) = d, v >= 0 else { throw bad("'shape' must hold non-negative integers, found \(d.serialized())") }
            shape.append(v)
        }
        guard let offValue = o["data_offsets"] else { throw bad("missing field 'data_offsets'") }
        guard case .array(let offs) = offValue, offs.count == 2 else {
            throw bad("'data_offsets' must be an array of two integers, found \(offValue.serialized())")
        }
        guard case .int(let begin) = offs[0], case .int(let end) = offs[1], begin >= 0, end >= 0 else {
            throw bad("'data_offsets' must be two non-negative integers, found \(offValue.serialized())")
        }
        guard let type = ElementType(safetensorsName: dtype), type.safetensorsName == dtype else {
            if knownUnsupportedDTypes.contains(dtype) {
                throw SafetensorsError.unsupportedDType(path: path, tensor: name, dtype: dtype)
            }
            throw SafetensorsError.unknownDType(path: path, tensor: name, dtype: dtype)
        }
        let bytes = try? type.byteCount(shape: shape)
        guard let bytes, end >= begin, bytes == end - begin else {
            if end < begin {
                throw SafetensorsError.invalidOffset(path: path, tensor: name, begin: begin, end: end, expectedBegin: begin)
            }
            throw SafetensorsError.sizeMismatch(path: path, tensor: name, shape: shape, dtype: dtype,
                                                expectedBytes: bytes, begin: begin, end: end)
        }
        return (TensorInfo(name: name, type: type, shape: shape, offset: begin, byteCount: bytes), end)
    }
}
