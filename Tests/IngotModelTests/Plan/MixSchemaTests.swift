import Foundation
import Testing
import IngotCore
@testable import IngotModel
import IngotTestSupport

/// llama.cpp's own type-selection snapshots (tests/snapshots/*.schema, checked upstream by
/// tests/test-quant-type-selection.cpp): for every file type, every quantizable tensor's type.
/// The tensor list is rebuilt from the header's hyperparameters the way the GGUFs the snapshots were made from
/// lay their tensors out; the planner must reproduce every line.
@Suite struct MixSchemaTests {
    static let schemaDirectory = Fixtures.url("vectors/mix-schemas")

    struct Section {
        var fileTypeName: String
        var defaultTypeName: String
        var overrides: [(String, String)]
    }

    struct Schema {
        var modelName: String
        var params: [String: Int]
        var sections: [Section]
    }

    /// Parses a snapshot like upstream's `parse_snapshot_file`: `#` comments (the first two carry the model),
    /// `[FTYPE] default` section heads, `name type` lines (split at the last space).
    static func parse(_ url: URL) throws -> Schema {
        let text = try String(contentsOf: url, encoding: .utf8)
        var schema = Schema(modelName: "", params: [:], sections: [])
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            if line.hasPrefix("# Model: ") { schema.modelName = String(line.dropFirst(9)); continue }
            if line.hasPrefix("# n_") {
                for pair in line.dropFirst(2).split(separator: ",") {
                    let kv = pair.trimmingCharacters(in: .whitespaces).split(separator: "=")
                    schema.params[String(kv[0])] = Int(kv[1])!
                }
                continue
            }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let close = line.firstIndex(of: "]")!
                let name = String(line[line.index(after: line.startIndex)..<close])
                let def = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
                schema.sections.append(Section(fileTypeName: name, defaultTypeName: def, overrides: []))
                continue
            }
            let sp = line.lastIndex(of: " ")!
            schema.sections[schema.sections.count - 1].overrides.append(
                (String(line[..<sp]), String(line[line.index(after: sp)...])))
        }
        return schema
    }

    /// The tensors of the GGUF the snapshot was generated from (names as llama.cpp's converter writes them,
    /// shapes outermost first). Head sizes are not in the header: Llama-3.1-70B uses n_embd / n_head = 128,
    /// gpt-oss-120b uses head_dim 64 (its config.json), which makes attn_output's rows 4096 long.
    static func tensors(for schema: Schema) throws -> (PlanModel, [TensorInfo]) {
        let p = schema.params
        let embd = p["n_embd"]!, ff = p["n_ff"]!, vocab = p["n_vocab"]!, layers = p["n_layer"]!
        let heads = p["n_head"]!, kvHeads = p["n_head_kv"]!, experts = p["n_expert"] ?? 0
        var t: [TensorInfo] = []
        func add(_ name: String, _ shape: [Int], _ type: ElementType = .bf16) throws {
            t.append(try TensorInfo(name: name, type: shape.count == 1 ? .f32 : type, shape: shape))
        }
        if schema.modelName.hasPrefix("gpt-oss") {
            let hd = 64
            try add("token_embd.weight", [vocab, embd])
            try add("output_norm.weight", [embd])
            try add("output.weight", [vocab, embd])
            for i in 0..<layers {
                let b = "blk.\(i)."
                try add(b + "attn_norm.weight", [embd])
                try add(b + "attn_q.weight", [heads * hd, embd]); try add(b + "attn_q.bias", [heads * hd])
                try add(b + "attn_k.weight", [kvHeads * hd, embd]); try add(b + "attn_k.bias", [kvHeads * hd])
                try add(b + "attn_v.weight", [kvHeads * hd, embd]); try add(b + "attn_v.bias", [kvHeads * hd])
                try add(b + "attn_output.weight", [embd, heads * hd]); try add(b + "attn_output.bias", [embd])
                try add(b + "attn_sinks.weight", [heads])
                try add(b + "post_attention_norm.weight", [embd])
                try add(b + "ffn_gate_inp.weight", [experts, embd], .f32); try add(b + "ffn_gate_inp.bias", [experts])
                try add(b + "ffn_gate_exps.weight", [experts, ff, embd], .mxfp4)
                try add(b + "ffn_gate_exps.bias", [experts, ff], .f32)
                try add(b + "ffn_up_exps.weight", [experts, ff, embd], .mxfp4)
                try add(b + "ffn_up_exps.bias", [experts, ff], .f32)
                try add(b + "ffn_down_exps.weight", [experts, embd, ff], .mxfp4)
                try add(b + "ffn_down_exps.bias", [experts, embd], .f32)
            }
            return (PlanModel(architecture: "gpt-oss", layerCount: layers, headCount: heads, headCountKV: kvHeads,
                              expertCount: experts), t)
        }
        let hd = embd / heads
        try add("token_embd.weight", [vocab, embd])
        try add("output_norm.weight", [embd])
        try add("output.weight", [vocab, embd])
        try add("rope_freqs.weight", [hd / 2])
        for i in 0..<layers {
            let b = "blk.\(i)."
            try add(b + "attn_norm.weight", [embd])
            try add(b + "attn_q.weight", [heads * hd, embd])
            try add(b + "attn_k.weight", [kvHeads * hd, embd])
            try add(b + "attn_v.weight", [kvHeads * hd, embd])
            try add(b + "attn_output.weight", [embd, heads * hd])
            try add(b + "ffn_norm.weight", [embd])
            try add(b + "ffn_gate.weight", [ff, embd])
            try add(b + "ffn_up.weight", [ff, embd])
            try add(b + "ffn_down.weight", [embd, ff])
        }
        return (PlanModel(architecture: "llama", layerCount: layers, headCount: heads, headCountKV: kvHeads,
                          expertCount: experts), t)
    }

    static let schemaFiles = ["gpt-oss-120b.schema", "meta-llama-3.1-70b-instruct.schema"]

    @Test(arguments: schemaFiles)
    func plannerReproducesSnapshot(_ file: String) throws {
        let schema = try Self.parse(Self.schemaDirectory.appendingPathComponent(file))
        #expect(schema.sections.count >= 30, "parsed \(schema.sections.count) sections")
        let (model, tensors) = try Self.tensors(for: schema)
        var mismatches: [String] = []
        var checked = 0
        for section in schema.sections {
            guard let ft = FileType(name: section.fileTypeName) else {
                Issue.record("unknown file type \(section.fileTypeName)")
                continue
            }
            #expect(ft.defaultType.ggmlName == section.defaultTypeName, "\(ft.name) default")
            let planner = try QuantPlanner(options: QuantOptions(target: .fileType(ft)), model: model)
            let plan = try planner.plan(tensors)
            let expected = Dictionary(uniqueKeysWithValues: section.overrides)
            var found = 0
            for p in plan.tensors where p.quantizable {
                let want = expected[p.name] ?? section.defaultTypeName
                if expected[p.name] != nil { found += 1 }
                checked += 1
                if p.targetType.ggmlName != want {
                    mismatches.append("\(ft.name) \(p.name): expected \(want), got \(p.targetType.ggmlName ?? "?") (\(p.reason))")
                }
            }
            #expect(found == section.overrides.count, "\(ft.name): \(section.overrides.count) listed, \(found) matched")
            for p in plan.tensors where !p.quantizable {
                #expect(p.targetType == p.sourceType, "\(p.name) not quantizable but changed")
                #expect(expected[p.name] == nil, "\(ft.name): \(p.name) listed but not quantizable here")
            }
        }
        #expect(checked > 0)
        let report = mismatches.prefix(40).joined(separator: "\n")
        #expect(mismatches.count == 0, "mismatches:\n\(report)")
    }
}
