import Foundation
import IngotCore
import IngotFormats
import IngotModel

/// The tiny checkpoints under Tests/Fixtures/models and what llama.cpp made of them (llamacpp/*.json).
enum ConvertFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func model(_ name: String) -> String { root.appendingPathComponent("models/\(name)").path }

    /// A fresh temporary directory; remove it with `cleanup`.
    static func temporaryDirectory() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-convert-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
    static func cleanup(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

    /// llama.cpp's summary of one GGUF (gguf_summary.py): metadata in file order, tensors in file order.
    struct Oracle {
        struct Entry { var key: String; var type: String; var value: JSONValue }
        struct Tensor: Equatable { var name: String; var type: String; var shape: [Int]; var bytes: Int }
        var metadata: [Entry]
        var tensors: [Tensor]
    }

    static func oracle(_ model: String, _ variant: String) throws -> Oracle {
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

    /// gguf_summary.py's rendering of a value: scalars as JSON, arrays > 16 items as count + sha256 of
    /// `json.dumps(items, ensure_ascii=False)`.
    static func render(_ v: MetadataValue) -> (type: String, value: JSONValue) {
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

    /// Python's `json.dumps(x, ensure_ascii=False)` for one scalar item.
    static func pythonJSON(_ v: MetadataValue) -> String {
        switch v {
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
    static func metadataDifferences(_ metadata: Metadata, _ oracle: Oracle, skip: (String) -> Bool) -> [String] {
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
    static func valuesEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .double), (.double, .int), (.double, .double), (.int, .int): return a.double == b.double
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(valuesEqual)
        case (.object(let x), .object(let y)):
            return x.keys == y.keys && x.keys.allSatisfy { valuesEqual(x[$0]!, y[$0]!) }
        default: return a == b
        }
    }
}
