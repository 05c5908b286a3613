import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotPipeline
import IngotTestSupport

/// Requantizing a GGUF reads the planner's hyper-parameters once, through `PlanModel(metadata:)`: a llama GGUF
/// without `head_count_kv` plans as llama-quantize does, like one whose KV heads equal its heads (not as a 70B
/// model, which the old reading's 0 KV heads made it).
@Suite struct RequantizePlanModelTests {
    static let layers = 80

    static func write(_ path: String, kvHeads: Int?) throws {
        var md = Metadata()
        md.append("general.architecture", .string("llama"))
        md.append("llama.block_count", .uint32(UInt32(layers)))
        md.append("llama.attention.head_count", .uint32(8))
        if let kvHeads { md.append("llama.attention.head_count_kv", .uint32(UInt32(kvHeads))) }
        let tensors = try (0..<layers).map { try TensorInfo(name: "blk.\($0).attn_v.weight", type: .f16, shape: [4, 256]) }
        let w = try GGUFWriter(path: path, metadata: md)
        for t in tensors { try w.declare(t) }
        for t in tensors { try [UInt8](repeating: 0, count: t.byteCount).withUnsafeBytes { try w.write(t.name, bytes: $0) } }
        try w.finish()
    }

    static func plannedTypes(kvHeads: Int?, dir: String) throws -> [String: ElementType] {
        let path = dir + "/kv\(kvHeads.map(String.init) ?? "none").gguf"
        try write(path, kvHeads: kvHeads)
        let (plan, _) = try ConvertJob.run(ConvertOptions(input: path, output: dir + "/out.gguf", type: "Q4_K_M",
                                                          threads: 1, dryRun: true))
        return Dictionary(plan.tensors.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func missingKVHeadsPlansLikeEqualHeads() throws {
        let dir = Fixtures.temporaryDirectory("ingot-requant-kv")
        defer { Fixtures.cleanup(dir) }
        let without = try Self.plannedTypes(kvHeads: nil, dir: dir)
        let equal = try Self.plannedTypes(kvHeads: 8, dir: dir)
        let grouped = try Self.plannedTypes(kvHeads: 2, dir: dir)   // a 70B-shaped llama: attn_v goes to q5_K
        #expect(without.count == Self.layers && without == equal)
        #expect(grouped != equal && grouped.values.contains(.q5_K) && !equal.values.contains(.q5_K))
    }
}
