import Foundation
import IngotCore
import IngotFormats

// MARK: - JSON

extension InspectReport {
    /// Arrays longer than this are summarised (type × count and the first items).
    public static let arraySummaryThreshold = 16
    static let arrayPreview = 8

    /// The report as one JSON object: `format`, `version`, `path`, `files`, `metadata`, `architecture`,
    /// `tensors` (each `name`, `type`, `shape`, `bytes`, `offset`, and `file` when sharded), `tensor_count`,
    /// `parameters`, `bytes`, `bits_per_weight`, `types` (per-type totals), and `filter` when one was given.
    public func json() -> JSONValue {
        var o = JSONObject()
        o.set("path", .string(path))
        o.set("format", .string(format))
        o.set("version", version.map { .int($0) } ?? .null)
        o.set("files", .array(files.map { .string($0) }))
        if let alignment { o.set("alignment", .int(alignment)) }
        if let dataOffset { o.set("data_offset", .int(dataOffset)) }
        o.set("metadata", .object(JSONObject(metadata.entries.map { ($0.key, InspectReport.json($0.value)) })))
        o.set("architecture", architecture.json())
        if let filter { o.set("filter", .string(filter)) }
        let sharded = files.count > 1
        o.set("tensors", .array(tensors.map { t in
            var e = JSONObject([("name", .string(t.name)), ("type", .string(t.type.displayName)),
                                ("shape", .array(t.shape.map { .int($0) })), ("bytes", .int(t.bytes)),
                                ("offset", .int(t.offset))])
            if sharded { e.set("file", .string((t.file as NSString).lastPathComponent)) }
            return .object(e)
        }))
        o.set("tensor_count", .int(tensors.count))
        o.set("parameters", .int(parameters))
        o.set("bytes", .int(bytes))
        o.set("bits_per_weight", .double(InspectReport.round(bitsPerWeight)))
        o.set("types", .array(perType.map { s in
            .object(JSONObject([("type", .string(s.type.displayName)), ("tensors", .int(s.tensors)),
                                ("parameters", .int(s.parameters)), ("bytes", .int(s.bytes)),
                                ("bits_per_weight", .double(InspectReport.round(s.bitsPerWeight)))]))
        }))
        return .object(o)
    }

    static func round(_ x: Double) -> Double { (x * 10000).rounded() / 10000 }

    /// A metadata value as JSON; long arrays become `{"type": "array", "element_type", "count", "first"}`.
    static func json(_ v: MetadataValue) -> JSONValue {
        switch v {
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .int64: return .int(v.intValue!)
        case .uint64(let x): return Int(exactly: x).map { .int($0) } ?? .double(Double(x))
        // Float's shortest form, so 1e-5 prints as 1e-05, not 9.999999747378752e-06.
        case .float32(let f): return .double(Double(f.description) ?? Double(f))
        case .float64(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .array(let type, let items):
            if items.count <= arraySummaryThreshold { return .array(items.map(json)) }
            return .object(JSONObject([("type", .string("array")), ("element_type", .string(type.name)),
                                       ("count", .int(items.count)),
                                       ("first", .array(items.prefix(arrayPreview).map(json)))]))
        }
    }
}

extension InspectReport.ModelSummary {
    func json() -> JSONValue {
        func i(_ x: Int?) -> JSONValue { x.map { .int($0) } ?? .null }
        return .object(JSONObject([
            ("name", name.map { .string($0) } ?? .null), ("layers", i(layers)), ("hidden_size", i(hiddenSize)),
            ("heads", i(heads)), ("kv_heads", i(kvHeads)), ("vocab_size", i(vocabSize)),
            ("context_length", i(contextLength)), ("experts", i(experts)), ("experts_per_token", i(expertsPerToken)),
        ]))
    }
}

// MARK: - Text

extension InspectReport {
    /// Human-readable report: summary line, architecture, metadata, per-type totals; `showTensors` adds the table.
    public func text(showTensors: Bool = false) -> String {
        var out = ""
        let fmt = format == "gguf" ? "GGUF v\(version ?? 0)" : "safetensors"
        let shards = files.count > 1 ? ", \(files.count) shards" : ""
        out += "\(path): \(fmt)\(shards)\n"
        if let alignment, let dataOffset { out += "  alignment \(alignment), data at byte \(dataOffset)\n" }
        out += "\nArchitecture: \(architecture.text())\n"

        out += "\nMetadata (\(metadata.count) key\(metadata.count == 1 ? "" : "s")):\n"
        let width = min(48, metadata.keys.map(\.count).max() ?? 0)
        for (k, v) in metadata.entries {
            out += "  " + InspectReport.pad(k, width) + "  " + InspectReport.text(v) + "\n"
        }

        if showTensors {
            out += "\nTensors" + (filter.map { " matching /\($0)/" } ?? "") + ":\n"
            let nameWidth = min(60, tensors.map(\.name.count).max() ?? 4)
            out += "  " + InspectReport.pad("name", nameWidth) + "  type     " + InspectReport.pad("shape", 22)
                + InspectReport.lpad("bytes", 14) + InspectReport.lpad("offset", 14) + "\n"
            for t in tensors {
                out += "  " + InspectReport.pad(t.name, nameWidth) + "  " + InspectReport.pad(t.type.displayName, 8) + " "
                    + InspectReport.pad("[" + t.shape.map(String.init).joined(separator: ", ") + "]", 22)
                    + InspectReport.lpad(String(t.bytes), 14) + InspectReport.lpad(String(t.offset), 14)
                    + (files.count > 1 ? "  " + (t.file as NSString).lastPathComponent : "") + "\n"
            }
        }

        out += "\nTypes:\n"
        if tensors.isEmpty { out += "  (no tensors)\n" }
        for s in perType {
            out += "  " + InspectReport.pad(s.type.displayName, 8) + InspectReport.lpad("\(s.tensors) tensors", 14)
                + InspectReport.lpad(InspectReport.count(s.parameters) + " params", 16)
                + InspectReport.lpad(InspectReport.size(s.bytes), 12)
                + InspectReport.lpad(String(format: "%.2f bpw", s.bitsPerWeight), 12) + "\n"
        }
        let selection = filter != nil ? " (\(tensors.count) of \(allTensors.count) match)" : ""
        out += "\nTotals\(selection): \(tensors.count) tensors, \(InspectReport.count(parameters)) parameters (\(parameters)), "
            + "\(InspectReport.size(bytes)) (\(bytes) bytes), " + String(format: "%.2f", bitsPerWeight) + " bits per weight\n"
        return out
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }

    /// 1.50 KiB, 3.20 GiB.
    static func size(_ b: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var x = Double(b), u = 0
        while x >= 1024 && u < units.count - 1 { x /= 1024; u += 1 }
        return u == 0 ? "\(b) B" : String(format: "%.2f %@", x, units[u])
    }

    /// 8.03B, 340.2M, 12.5K.
    static func count(_ n: Int) -> String {
        let x = Double(n)
        if x >= 1e9 { return String(format: "%.2fB", x / 1e9) }
        if x >= 1e6 { return String(format: "%.2fM", x / 1e6) }
        if x >= 1e3 { return String(format: "%.2fK", x / 1e3) }
        return String(n)
    }

    /// A metadata value on one line; long arrays as `[STRING × 32000] "a", "b", …`, long strings cut.
    static func text(_ v: MetadataValue) -> String {
        switch v {
        case .string(let s): return quoted(s, limit: 120)
        case .float32(let f): return f.description
        case .float64(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        case .array(let type, let items):
            let shown = items.prefix(items.count <= arraySummaryThreshold ? arraySummaryThreshold : arrayPreview)
            let list = shown.map { item -> String in
                if case .string(let s) = item { return quoted(s, limit: 40) }
                return text(item)
            }.joined(separator: ", ")
            let more = items.count > shown.count ? ", …" : ""
            return "[\(type.name) × \(items.count)] " + list + more
        case .uint64(let x): return String(x)
        default: return String(v.intValue!)
        }
    }

    static func quoted(_ s: String, limit: Int) -> String {
        let escaped = JSONValue.string(s.count > limit ? String(s.prefix(limit)) : s).serialized()
        return s.count > limit ? escaped + "… (\(s.utf8.count) bytes)" : escaped
    }
}

extension InspectReport.ModelSummary {
    func text() -> String {
        var parts: [String] = []
        if let layers { parts.append("\(layers) layers") }
        if let hiddenSize { parts.append("hidden \(hiddenSize)") }
        if let heads { parts.append("heads \(heads)" + (kvHeads.map { " / kv \($0)" } ?? "")) }
        if let vocabSize { parts.append("vocab \(vocabSize)") }
        if let contextLength { parts.append("context \(contextLength)") }
        if let experts { parts.append("experts \(experts)" + (expertsPerToken.map { " (\($0) per token)" } ?? "")) }
        let head = name ?? "unknown"
        return parts.isEmpty ? head : head + " — " + parts.joined(separator: ", ")
    }
}
