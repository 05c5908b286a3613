/// Writing JSON back out.
extension JSONValue {
    /// The value as JSON text. `pretty` indents by two spaces with `": "` after keys (like `json.dumps(indent=2)`);
    /// `sortedKeys` orders object members by code point. Doubles print in Swift's shortest round-trip form;
    /// NaN and infinities, which JSON cannot hold, are written as `null`.
    public func serialized(pretty: Bool = false, sortedKeys: Bool = false) -> String {
        var w = JSONWriter(pretty: pretty, sortedKeys: sortedKeys)
        w.write(self, indent: 0)
        return String(decoding: w.out, as: UTF8.self)
    }
}

struct JSONWriter {
    let pretty: Bool
    let sortedKeys: Bool
    var out: [UInt8] = []

    init(pretty: Bool, sortedKeys: Bool) {
        self.pretty = pretty
        self.sortedKeys = sortedKeys
        out.reserveCapacity(1024)
    }

    mutating func ascii(_ s: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func newline(_ indent: Int) {
        guard pretty else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * 2))
    }

    mutating func write(_ v: JSONValue, indent: Int) {
        switch v {
        case .null: ascii("null")
        case .bool(let b): if b { ascii("true") } else { ascii("false") }
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let a):
            if a.isEmpty { ascii("[]"); return }
            out.append(UInt8(ascii: "["))
            for (k, e) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                write(e, indent: indent + 1)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { ascii("{}"); return }
            out.append(UInt8(ascii: "{"))
            var entries = o.entries
            if sortedKeys { entries.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } }
            for (k, e) in entries.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writeString(e.key)
                if pretty { ascii(": ") } else { out.append(UInt8(ascii: ":")) }
                write(e.value, indent: indent + 1)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    mutating func writeDouble(_ d: Double) {
        guard d.isFinite else { ascii("null"); return }
        // Swift's description is the shortest string that reads back to the same Double ("1e-05", "0.1", "3.0").
        out.append(contentsOf: d.description.utf8)
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func writeString(_ s: String) {
        out.append(0x22)
        for c in s.utf8 {
            switch c {
            case 0x22: ascii("\\\"")
            case 0x5C: ascii("\\\\")
            case 0x0A: ascii("\\n")
            case 0x0D: ascii("\\r")
            case 0x09: ascii("\\t")
            case 0x08: ascii("\\b")
            case 0x0C: ascii("\\f")
            case 0..<0x20:
                ascii("\\u00")
                out.append(JSONWriter.hexDigits[Int(c >> 4)])
                out.append(JSONWriter.hexDigits[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(0x22)
    }
}
