import Foundation
import IngotCore
import IngotFormats

/// The plan and result of a conversion as the CLI prints them: text for people, JSON for scripts.
public enum ConvertReport {
    /// Summary lines; with `perTensor`, one line per tensor and the total (the `--dry-run` plan).
    public static func text(_ plan: ConversionPlan, result: ConvertResult?, perTensor: Bool) -> String {
        var s = ""
        s += "input   \(plan.inputDescription)\n"
        s += "output  \(plan.outputPath) (\(plan.outputFormat.rawValue), \(plan.fileTypeName)): \(plan.tensors.count) tensors, "
            + "\(megabytes(plan.outputBytes)) MB, \(String(format: "%.2f", plan.bitsPerWeight)) bits/weight\n"
        for line in plan.typesByPattern { s += "types   \(line)\n" }
        for n in plan.notes { s += "note    \(n)\n" }
        if perTensor {
            let w = min(48, plan.tensors.map(\.name.count).max() ?? 10)
            s += "\n" + pad("tensor", w) + "  " + pad("shape", 18) + "  " + pad("type", 16) + "  " + lpad("bytes", 12) + "  reason\n"
            for t in plan.tensors {
                let shape = t.shape.map(String.init).joined(separator: "×")
                let types = t.sourceType == t.type ? t.type.displayName : "\(t.sourceType.displayName)→\(t.type.displayName)"
                s += pad(t.name, w) + "  " + pad(shape, 18) + "  " + pad(types, 16) + "  " + lpad(String(t.byteCount), 12)
                    + "  " + t.reason + "\n"
            }
            s += pad("total", w) + "  " + pad("\(plan.elementCount) weights", 18) + "  " + pad("", 16) + "  "
                + lpad(String(plan.outputBytes), 12) + "  \(String(format: "%.2f", plan.bitsPerWeight)) bits/weight"
                + " (source \(plan.sourceBytes) bytes)\n"
        }
        if let r = result {
            s += "wrote   \(r.files.joined(separator: ", ")): \(r.bytes) bytes, \(String(format: "%.2f", r.bitsPerWeight)) bits/weight, "
                + "\(String(format: "%.2f", r.seconds)) s, \(String(format: "%.1f", r.megabytesPerSecond)) MB/s\n"
        } else {
            s += "dry run: nothing written\n"
        }
        return s
    }

    /// The same as JSON: `input`, `output`, `format`, `file_type`, `tensor_count`, `bytes`, `bits_per_weight`,
    /// `types`, `notes`, `tensors` (with `perTensor`), `result` (null for a dry run).
    public static func json(_ plan: ConversionPlan, result: ConvertResult?, perTensor: Bool) -> JSONValue {
        var o = JSONObject()
        o.set("input", .string(plan.inputDescription))
        o.set("output", .string(plan.outputPath))
        o.set("format", .string(plan.outputFormat.rawValue))
        o.set("file_type", .string(plan.fileTypeName))
        o.set("tensor_count", .int(plan.tensors.count))
        o.set("bytes", .int(plan.outputBytes))
        o.set("source_bytes", .int(plan.sourceBytes))
        o.set("bits_per_weight", .double(plan.bitsPerWeight))
        o.set("types", .array(plan.typesByPattern.map { .string($0) }))
        o.set("notes", .array(plan.notes.map { .string($0) }))
        if perTensor {
            o.set("tensors", .array(plan.tensors.map { t in
                .object(JSONObject([("name", .string(t.name)), ("shape", .array(t.shape.map { .int($0) })),
                                    ("source_type", .string(t.sourceType.displayName)), ("type", .string(t.type.displayName)),
                                    ("bytes", .int(t.byteCount)), ("reason", .string(t.reason))]))
            }))
        }
        if let r = result {
            o.set("result", .object(JSONObject([
                ("files", .array(r.files.map { .string($0) })), ("bytes", .int(r.bytes)),
                ("bits_per_weight", .double(r.bitsPerWeight)), ("seconds", .double(r.seconds)),
                ("megabytes_per_second", .double(r.megabytesPerSecond)),
            ])))
        } else {
            o.set("result", .null)
        }
        return .object(o)
    }

    static func megabytes(_ n: Int) -> String { String(format: "%.1f", Double(n) / 1e6) }
    static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    static func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
}
