#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One JSON value, as parsed: objects keep their key order (Hugging Face configs and tokenizer files are
/// order-sensitive for humans, and writing them back must not reshuffle them).
///
/// Integer literals without fraction or exponent that fit an `Int` are `.int`; every other number is `.double`.
/// `indirect` is load-bearing: without it (Swift 6.3, Linux) values read in another module came out corrupted
/// ("No foreign strings on Linux" traps), although boxing scalars costs an allocation per value.
public indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    // MARK: - Accessors

    /// The string, or nil for any other case.
    public var string: String? { if case .string(let s) = self { return s }; return nil }

    /// The integer: `.int`, or a `.double` holding an integral value that fits an `Int` (`4096.0` → 4096).
    public var int: Int? {
        switch self {
        case .int(let v): return v
        case .double(let d): return Int(exactly: d)
        default: return nil
        }
    }

    /// The number as a Double: `.double`, or `.int` converted.
    public var double: Double? {
        switch self {
        case .double(let d): return d
        case .int(let v): return Double(v)
        default: return nil
        }
    }

    /// The boolean, or nil for any other case.
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The elements of an array, or nil.
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    /// The object, or nil.
    public var object: JSONObject? { if case .object(let o) = self { return o }; return nil }
    /// True for `.null`.
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// The member `key` of an object (nil if this is not an object or has no such key).
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The element at `index` of an array (nil if this is not an array or the index is out of range).
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, index >= 0, index < a.count { return a[index] }
        return nil
    }
}

/// A JSON object: members in document order, with lookup by key.
///
/// When duplicate keys were allowed while parsing, lookup returns the last one (as Python's `json` does).
/// Large objects (a tokenizer vocabulary) carry a hash index so lookup is O(1); editing `entries` directly
/// drops the index and lookups fall back to a scan; `set(_:_:)` keeps it.
public struct JSONObject: Equatable {
    /// Members in document order.
    public var entries: [(key: String, value: JSONValue)] {
        didSet { index = nil }
    }
    private var index: [JSONKey: Int]?

    /// Objects with more members than this get a hash index.
    static let indexThreshold = 16

    public init(_ entries: [(key: String, value: JSONValue)] = []) {
        self.entries = entries
        if entries.count > JSONObject.indexThreshold { index = JSONObject.makeIndex(entries) }
    }

    init(entries: [(key: String, value: JSONValue)], index: [JSONKey: Int]?) {
        self.entries = entries
        self.index = index
    }

    static func makeIndex(_ entries: [(key: String, value: JSONValue)]) -> [JSONKey: Int] {
        var m = [JSONKey: Int](minimumCapacity: entries.count)
        for (i, e) in entries.enumerated() { m[JSONKey(e.key)] = i }
        return m
    }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }
    /// Number of members.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The value of `key` (the last one if the key is repeated), or nil.
    public subscript(key: String) -> JSONValue? {
        if let index { return index[JSONKey(key)].map { entries[$0].value } }
        for e in entries.reversed() where JSONKey.same(e.key, key) { return e.value }
        return nil
    }

    /// Sets `key`: an existing key keeps its place, a new one is appended.
    public mutating func set(_ key: String, _ value: JSONValue) {
        if var m = index {
            index = nil
            if let i = m[JSONKey(key)] { entries[i].value = value } else {
                m[JSONKey(key)] = entries.count
                entries.append((key, value))
            }
            index = m
        } else if let i = entries.lastIndex(where: { JSONKey.same($0.key, key) }) {
            entries[i].value = value
        } else {
            entries.append((key, value))
            if entries.count > JSONObject.indexThreshold { index = JSONObject.makeIndex(entries) }
        }
    }

    /// Removes every member named `key`.
    public mutating func remove(_ key: String) {
        entries.removeAll { JSONKey.same($0.key, key) }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

/// An object key compared and hashed by its UTF-8 bytes, as JSON compares keys (code point by code point).
/// Swift's own `String` equality is canonical equivalence, which would merge "é" and "e\u{301}" (distinct tokens
/// in a vocabulary), and hashing a non-ASCII `String` normalizes it first, which dominated parsing a large vocabulary.
struct JSONKey: Hashable {
    let string: String
    init(_ s: String) { string = s }

    static func same(_ a: String, _ b: String) -> Bool {
        if let r = a.utf8.withContiguousStorageIfAvailable({ pa in
            b.utf8.withContiguousStorageIfAvailable { pb in
                pa.count == pb.count && (pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0)
            }
        }), let r { return r }
        return a.utf8.elementsEqual(b.utf8)
    }

    static func == (a: JSONKey, b: JSONKey) -> Bool { same(a.string, b.string) }

    func hash(into h: inout Hasher) {
        if string.utf8.withContiguousStorageIfAvailable({ h.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for b in string.utf8 { h.combine(b) }
        }
        h.combine(string.utf8.count)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                     ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}
