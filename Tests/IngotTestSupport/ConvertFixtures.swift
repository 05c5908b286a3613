import Foundation
import IngotCore
import IngotFormats

/// The tiny checkpoints under Tests/Fixtures/models and what llama.cpp made of them (llamacpp/*.json):
/// the oracle the conversion tests (IngotModelTests, IngotPipelineTests) compare with.
public enum ConvertFixtures {
    /// Tests/Fixtures.
    public static var root: URL { Fixtures.root }
    /// A tiny model directory, as a path.
    public static func model(_ name: String) -> String { Fixtures.model(name).path }

    /// A fresh temporary directory for conversion outputs; remove it with `cleanup`.
    public static func temporaryDirectory() -> String { Fixtures.temporaryDirectory("ingot-convert") }
    public static func cleanup(_ dir: String) { Fixtures.cleanup(dir) }

    /// llama.cpp's summary of one GGUF (gguf_summary.py): metadata in file order, tensors in file order.
    public struct Oracle {
        public struct Entry {
            public var key: String, type: String, value: JSONValue
            public init(key: String, type: String, value: JSONValue) { (self.key, self.type, self.value) = (key, type, value) }
        }
        public struct Tensor: Equatable {
            public var name: String, type: String, shape: [Int], bytes: Int
            public init(name: String, type: String, shape: [Int], bytes: Int) {
                (self.name, self.type, self.shape, self.bytes) = (name, type, shape, bytes)
            }
        }
        public var metadata: [Entry]
        public var tensors: [Tensor]
    }

    public static func oracle(_ model: String, _ variant: String) throws -> Oracle {
        let j = try JSON.parseFile(Self.model(model) + "/llamacpp/\(model)-\(variant).json")
        let meta = (j["metadata"]?.array ?? []).map {
            Oracle.Entry(key: $0["key"]?.string ?? "", type: $0["type"]?.string ?? "", value: $0["value"] ?? .null)
        }
        let tensors = (j["tensors"]?.array ?? []).map {
            Oracle.Tensor(name: $0["name"]?.string ?? "", type: $0["type"]?.string ?? "",
                          shape: ($0["shape"]?.array ?? []).compactMap(\.int), bytes: $0["bytes"]?.int ?? -1)
        }
        return Oracle(metadata: meta, tensors: tensors)
    }

    /// The tensor table of a safetensors file, sorted by name as llama.cpp's converter reads it.
    /// (A minimal header read for these tests; the formats target has the validated reader.)
    public static func safetensorsTensors(_ path: String) throws -> [TensorInfo] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try JSON.parse(String(decoding: data[8..<(8 + n)], as: UTF8.self))
        var out: [TensorInfo] = []
        for (name, v) in header.object?.entries ?? [] where name != "__metadata__" {
            let type = ElementType(safetensorsName: v["dtype"]?.string ?? "")!
            let shape = (v["data_offsets"] != nil ? v["shape"]?.array ?? [] : []).compactMap(\.int)
            let offs = v["data_offsets"]?.array?.compactMap(\.int) ?? [0, 0]
            out.append(TensorInfo(name: name, type: type, shape: shape, offset: offs[0], byteCount: offs[1] - offs[0]))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// Raw bytes of one tensor of a safetensors file.
    public static func safetensorsBytes(_ path: String, _ t: TensorInfo) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let start = 8 + n + t.offset
        return [UInt8](data[start..<(start + t.byteCount)])
    }

    /// gguf_summary.py's rendering of a value: scalars as JSON, arrays > 16 items as count + sha256 of
    /// `json.dumps(items, ensure_ascii=False)`.
    public static func render(_ v: MetadataValue) -> (type: String, value: JSONValue) {
        switch v {
        case .array(let et, let items):
            if items.count > 16 {
                let text = "[" + items.map(pythonJSON).joined(separator: ", ") + "]"
                return ("ARRAY", .object(JSONObject([("array_of", .string(et.name)), ("count", .int(items.count)),
                                                     ("sha256", .string(Array(text.utf8).withUnsafeBytes { SHA256.hex(of: $0) }))])))
            }
            return ("ARRAY", .object(JSONObject([("array_of", .string(et.name)), ("items", .array(items.map { render($0).value }))])))
        case .string(let s): return ("STRING", .string(s))
        case .bool(let b): return ("BOOL", .bool(b))
        case .float32(let f): return ("FLOAT32", .double(Double(f)))
        case .float64(let d): return ("FLOAT64", .double(d))
        default: return (v.type.name, .int(v.intValue ?? 0))
        }
    }

    /// Python's `json.dumps(x, ensure_ascii=False)` of one value (", " between array items), as gguf_summary.py
    /// and the fixture generators hashed them.
    public static func pythonJSON(_ v: MetadataValue) -> String {
        switch v {
        case .array(_, let items): return "[" + items.map(pythonJSON).joined(separator: ", ") + "]"
        case .string(let s):
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                default:
                    if u.value < 0x20 {
                        let h = String(u.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
            return out + "\""
        case .bool(let b): return b ? "true" : "false"
        case .float32(let f): return "\(Double(f))"
        case .float64(let d): return "\(d)"
        default: return String(v.intValue ?? 0)
        }
    }

    /// Every difference between `metadata` and the oracle's, ignoring keys for which `skip` is true; one line each.
    public static func metadataDifferences(_ metadata: Metadata, _ oracle: Oracle, skip: (String) -> Bool) -> [String] {
        var diffs: [String] = []
        let mine = metadata.entries.filter { !skip($0.key) }
        let theirs = oracle.metadata.filter { !skip($0.key) }
        if mine.map(\.key) != theirs.map(\.key) {
            diffs.append("key order differs:\n  ingot: \(mine.map(\.key))\n  llama.cpp: \(theirs.map(\.key))")
        }
        let byKey = Dictionary(mine.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        for e in theirs {
            guard let v = byKey[e.key] else { diffs.append("missing \(e.key)"); continue }
            let (t, r) = render(v)
            if t != e.type { diffs.append("\(e.key): type \(t), llama.cpp \(e.type)") }
            if !valuesEqual(r, e.value) { diffs.append("\(e.key): value \(r), llama.cpp \(e.value)") }
        }
        for e in mine where !theirs.contains(where: { $0.key == e.key }) { diffs.append("extra \(e.key)") }
        return diffs
    }

    /// JSON equality with numbers compared as doubles (1 == 1.0).
    public static func valuesEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .double), (.double, .int), (.double, .double), (.int, .int): return a.double == b.double
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(valuesEqual)
        case (.object(let x), .object(let y)):
            return x.keys == y.keys && x.keys.allSatisfy { valuesEqual(x[$0]!, y[$0]!) }
        default: return a == b
        }
    }
}
