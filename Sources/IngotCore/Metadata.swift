/// GGUF metadata value types (`gguf_type`), ids as on disk.
public enum MetadataValueType: UInt32, CaseIterable, Sendable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Fixed byte size of a scalar of this type, nil for string and array.
    public var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }
    /// gguf-py's spelling (`UINT32`, `STRING`, …).
    public var name: String { String(describing: self).uppercased() }
}

/// One typed metadata value, as GGUF stores it. Arrays carry their element type so an empty array round-trips.
public enum MetadataValue: Equatable, Sendable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
    case array(MetadataValueType, [MetadataValue])

    public var type: MetadataValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        case .array: return .array
        }
    }

    /// Integer value of any integer or bool case, nil otherwise (or when it does not fit an Int).
    public var intValue: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        case .bool(let v): return v ? 1 : 0
        default: return nil
        }
    }
    /// Floating value of any numeric case.
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return intValue.map(Double.init)
        }
    }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [MetadataValue]? { if case .array(_, let a) = self { return a }; return nil }
}

/// Key/value metadata in file order, with lookup by key. Keys are unique.
public struct Metadata: Sendable, Equatable {
    public private(set) var entries: [(key: String, value: MetadataValue)] = []
    private var index: [String: Int] = [:]

    public init() {}

    public static func == (a: Metadata, b: Metadata) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public var count: Int { entries.count }
    public var keys: [String] { entries.map(\.key) }
    public func contains(_ key: String) -> Bool { index[key] != nil }

    /// The value of `key`, or nil.
    public subscript(key: String) -> MetadataValue? {
        guard let i = index[key] else { return nil }
        return entries[i].value
    }

    /// Sets `key`: an existing key keeps its place (gguf-py's behaviour), a new one is appended.
    public mutating func set(_ key: String, _ value: MetadataValue) {
        if let i = index[key] { entries[i].value = value } else {
            index[key] = entries.count
            entries.append((key, value))
        }
    }

    /// Appends a key that must not exist yet; returns false (and changes nothing) on a duplicate.
    @discardableResult
    public mutating func append(_ key: String, _ value: MetadataValue) -> Bool {
        guard index[key] == nil else { return false }
        index[key] = entries.count
        entries.append((key, value))
        return true
    }

    /// Removes `key` if present.
    public mutating func remove(_ key: String) {
        guard let i = index[key] else { return }
        entries.remove(at: i)
        index = [:]
        for (j, e) in entries.enumerated() { index[e.key] = j }
    }
}
