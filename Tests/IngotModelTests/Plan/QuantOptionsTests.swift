import Foundation
import Testing
import IngotCore
@testable import IngotModel

/// The llama-quantize options around the mix rules: overrides, explicit output / embedding types, --pure,
/// single types, --leave-output-tensor, routers, fallbacks, requantize and imatrix checks, order.
@Suite struct QuantOptionsTests {
    static func tinyLlama() throws -> (PlanModel, [TensorInfo]) {
        let base = try TinyModelPlanTests.load("tiny-llama", "F16")
        let tensors = try base.tensors.map { n, t, s in try TensorInfo(name: n, type: ElementType(displayName: t)!, shape: s) }
        return (TinyModelPlanTests.planModel(base.metadata), tensors)
    }

    static func plan(_ options: QuantOptions) throws -> QuantPlan {
        let (model, tensors) = try tinyLlama()
        return try QuantPlanner(options: options, model: model).plan(tensors)
    }

    @Test func fileTypeTable() throws {
        #expect(FileType.allCases.count == Set(FileType.allCases.map(\.id)).count)
        #expect(FileType(name: "q4_k_m") == .q4_K_M)
        #expect(FileType(id: 15) == .q4_K_M && FileType(id: 38) == .mxfp4_moe && FileType(id: 32) == .bf16)
        #expect(FileType(id: 39) == nil && FileType(id: 1024) == nil)
        #expect(FileType.iq2_s.defaultType == .iq2_xs && FileType.iq3_xs.defaultType == .iq3_s)
        #expect(try QuantTarget(parsing: "Q4_K") == .single(.q4_K))
        #expect(try QuantTarget(parsing: "q4_k_m") == .fileType(.q4_K_M))
        #expect(try QuantTarget(parsing: "MXFP4") == .single(.mxfp4))
        #expect(try QuantTarget(parsing: "Q2_K") == .fileType(.q2_K))
        #expect(try QuantTarget(parsing: "Q4_K").fileType == .q4_K_M)
        #expect(throws: PlanError.self) { try QuantTarget(parsing: "Q9_K") }
        do {
            _ = try QuantTarget(parsing: "nope")
        } catch let e as PlanError {
            #expect(e.description.contains("Q4_K_M") && e.description.contains("MXFP4"))
        }
    }

    @Test func overridesFirstMatchWinsAndFallbackStillApplies() throws {
        let p = try Self.plan(QuantOptions(target: .fileType(.q4_K_M), tensorTypeOverrides: [
            try TensorTypeOverride(parsing: "BLK\\.1\\.attn_v=q8_0"),   // lower-cased like llama-quantize
            try TensorTypeOverride(parsing: "attn_v=q5_K"),
            try TensorTypeOverride(parsing: "ffn_down=q4_0"),
        ]))
        #expect(p.tensor(named: "blk.1.attn_v.weight")?.targetType == .q8_0)
        #expect(p.tensor(named: "blk.0.attn_v.weight")?.targetType == .q5_K)
        #expect(p.tensor(named: "blk.0.attn_v.weight")?.reason == .override(pattern: "attn_v"))
        // use_more_bits would have made layer 0's ffn_down q6_K: the override wins.
        #expect(p.tensor(named: "blk.0.ffn_down.weight")?.targetType == .q4_0)
        #expect(p.warnings.contains { $0.contains("applying manual override") })
        #expect(throws: PlanError.self) { try TensorTypeOverride(parsing: "attn_v") }
        #expect(throws: PlanError.self) { try TensorTypeOverride(parsing: "attn_v=q9") }
        #expect(throws: PlanError.self) { try TensorTypeOverride(parsing: "([=q8_0") }
    }

    @Test func outputAndEmbeddingTypesSkipRulesAndFallback() throws {
        let p = try Self.plan(QuantOptions(target: .fileType(.q4_K_M), outputTensorType: .q8_0, tokenEmbeddingType: .f16))
        #expect(p.tensor(named: "output.weight")?.targetType == .q8_0)
        #expect(p.tensor(named: "output.weight")?.reason == .outputTensorOption)
        #expect(p.tensor(named: "token_embd.weight")?.targetType == .f16)
        // A 256-block type on a row of 288 (gpt-oss): no fallback for an explicit type → a clear error.
        let base = try TinyModelPlanTests.load("tiny-gptoss", "BF16")
        let tensors = try base.tensors.map { n, t, s in try TensorInfo(name: n, type: ElementType(displayName: t)!, shape: s) }
        let planner = try QuantPlanner(options: QuantOptions(target: .fileType(.q4_K_M), outputTensorType: .q6_K),
                                       model: TinyModelPlanTests.planModel(base.metadata))
        #expect(throws: PlanError.self) { try planner.plan(tensors) }
    }

    @Test func pureAndSingleTypes() throws {
        let pure = try Self.plan(QuantOptions(target: .fileType(.q4_K_M), pure: true))
        let single = try Self.plan(QuantOptions(target: try QuantTarget(parsing: "Q4_K")))
        for p in [pure, single] {
            for t in p.tensors where t.quantizable { #expect(t.targetType == .q4_K, "\(t.name)") }
            for t in p.tensors where !t.quantizable { #expect(t.targetType == t.sourceType) }
        }
        #expect(single.fileType == .q4_K_M)
        let f16 = try Self.plan(QuantOptions(target: .fileType(.f16)))
        #expect(f16.tensors.allSatisfy { $0.targetType == ($0.quantizable ? .f16 : $0.sourceType) })
    }

    @Test func leaveOutputTensorAndTiedEmbeddings() throws {
        let leave = try Self.plan(QuantOptions(target: .fileType(.q4_K_M), leaveOutputTensor: true))
        #expect(leave.tensor(named: "output.weight")?.targetType == .f16)
        #expect(leave.tensor(named: "token_embd.weight")?.targetType == .q4_K)   // still untied: output.weight exists
        // Without output.weight the embeddings are tied and take the output rule (q6_K).
        let (model, tensors) = try Self.tinyLlama()
        let tied = try QuantPlanner(options: QuantOptions(target: .fileType(.q4_K_M)), model: model)
            .plan(tensors.filter { $0.name != "output.weight" })
        #expect(tied.tensor(named: "token_embd.weight")?.targetType == .q6_K)
    }

    @Test func routersStayInTheirType() throws {
        let model = PlanModel(architecture: "llama", layerCount: 1, headCount: 4, headCountKV: 4, expertCount: 4)
        let tensors = try [
            TensorInfo(name: "blk.0.ffn_gate_inp.weight", type: .f32, shape: [4, 256]),
            TensorInfo(name: "model.layers.0.mlp.router.weight", type: .bf16, shape: [4, 256]),
            TensorInfo(name: "model.layers.0.block_sparse_moe.gate.weight", type: .bf16, shape: [4, 256]),
            TensorInfo(name: "model.layers.0.mlp.gate_proj.weight", type: .bf16, shape: [512, 256]),
        ]
        let kept = try QuantPlanner(options: QuantOptions(target: .fileType(.q8_0)), model: model).plan(tensors)
        #expect(kept.tensor(named: "blk.0.ffn_gate_inp.weight")?.targetType == .f32)
        #expect(kept.tensor(named: "model.layers.0.mlp.router.weight")?.targetType == .bf16)
        #expect(kept.tensor(named: "model.layers.0.block_sparse_moe.gate.weight")?.targetType == .bf16)
        #expect(kept.tensor(named: "model.layers.0.mlp.gate_proj.weight")?.targetType == .q8_0)
        let off = try QuantPlanner(options: QuantOptions(target: .fileType(.q8_0), keepRouterPrecision: false), model: model)
            .plan(tensors)
        #expect(off.tensor(named: "blk.0.ffn_gate_inp.weight")?.targetType == .f32)   // llama.cpp never quantizes it
        #expect(off.tensor(named: "model.layers.0.mlp.router.weight")?.targetType == .q8_0)
    }

    @Test func fallbackTable() throws {
        let model = PlanModel(architecture: "llama", layerCount: 1, headCount: 1, headCountKV: 1)
        func target(_ type: ElementType, row: Int) throws -> ElementType? {
            let t = try TensorInfo(name: "blk.0.attn_q.weight", type: .f32, shape: [64, row])
            let p = try QuantPlanner(options: QuantOptions(target: .fileType(.q8_0),
                tensorTypeOverrides: [try TensorTypeOverride(pattern: "attn_q", type: type)]), model: model).plan([t])
            return p.tensors[0].targetType
        }
        #expect(try target(.q4_K, row: 288) == .q5_0)
        #expect(try target(.q5_K, row: 288) == .q5_1)
        #expect(try target(.q6_K, row: 288) == .q8_0)
        #expect(try target(.q2_K, row: 288) == .q4_0)
        #expect(try target(.iq2_xs, row: 288) == .iq4_nl)
        #expect(try target(.q4_K, row: 100) == .f16)       // q5_0 does not divide 100 either
        #expect(try target(.q8_0, row: 100) == .f16)       // 32-block type: nothing smaller, F16
        #expect(try target(.q4_K, row: 512) == .q4_K)
        #expect(throws: PlanError.self) { try target(.q1_0, row: 100) }   // 128-block type without a fallback
    }

    @Test func requantizeAndImatrixChecks() throws {
        let model = PlanModel(architecture: "llama", layerCount: 1, headCount: 1, headCountKV: 1)
        let t = try TensorInfo(name: "blk.0.attn_q.weight", type: .q8_0, shape: [64, 256])
        let p = try QuantPlanner(options: QuantOptions(target: .fileType(.q4_K_M)), model: model).plan([t])
        #expect(throws: PlanError.requantizeDisabled(tensor: t.name, from: .q8_0, to: .q4_K)) {
            try p.validateForWriting(hasImatrix: false, allowRequantize: false)
        }
        try p.validateForWriting(hasImatrix: false, allowRequantize: true)
        #expect(throws: PlanError.self) { try p.validateForWriting() }
        try QuantPlanner(options: QuantOptions(target: .fileType(.q4_K_M), allowRequantize: true), model: model)
            .plan([t]).validateForWriting()

        let f = try TensorInfo(name: "blk.0.attn_q.weight", type: .f16, shape: [64, 256])
        let iq = try QuantPlanner(options: QuantOptions(target: .fileType(.iq2_xxs)), model: model).plan([f])
        #expect(iq.tensors[0].requiresImatrix)
        #expect(iq.warnings.contains { $0.contains("importance matrix") })
        #expect(throws: PlanError.self) { try iq.validateForWriting(hasImatrix: false, allowRequantize: false) }
        try iq.validateForWriting(hasImatrix: true, allowRequantize: false)
    }

    @Test func imatrixChangesRules() throws {
        // IQ4_NL ffn_down: layers < n/8 get q5_K only without an imatrix; Q4_0 ffn_down gets q4_1 only with one.
        let model = PlanModel(architecture: "llama", layerCount: 8, headCount: 1, headCountKV: 1)
        let t = try TensorInfo(name: "blk.0.ffn_down.weight", type: .f16, shape: [256, 256])
        func type(_ f: FileType, _ imatrix: Bool) throws -> ElementType {
            try QuantPlanner(options: QuantOptions(target: .fileType(f), hasImatrix: imatrix), model: model).plan([t]).tensors[0].targetType
        }
        #expect(try type(.iq4_nl, false) == .q5_K)
        #expect(try type(.iq4_nl, true) == .iq4_nl)
        #expect(try type(.q4_0, true) == .q4_1)
        #expect(try type(.q4_0, false) == .q4_0)
    }

    @Test func orderAndLayers() throws {
        let names = ["blk.10.a.weight", "blk.2.b.weight", "output.weight", "blk.2.a.weight", "token_embd.weight", "a.weight"]
        let ordered = QuantPlanner.llamaOrder(try names.map { try TensorInfo(name: $0, type: .f32, shape: [4]) }).map(\.name)
        #expect(ordered == ["a.weight", "output.weight", "token_embd.weight", "blk.2.a.weight", "blk.2.b.weight", "blk.10.a.weight"])
        #expect(QuantPlanner.blockNumber("blk.-3.x") == -3)
        #expect(QuantPlanner.blockNumber("blk.x") == nil)
        #expect(QuantPlanner.blockNumber("blk.99999999999999999999.x") == Int(Int32.max))
        #expect(QuantPlanner.ggmlDimensionCount([1, 4096]) == 1)
        #expect(QuantPlanner.ggmlDimensionCount([8, 1, 4096]) == 3)
        // An expert model's ffn tensor must carry its layer in the name.
        let moe = PlanModel(architecture: "llama", layerCount: 2, headCount: 1, headCountKV: 1, expertCount: 8)
        let bad = try TensorInfo(name: "blk.7.ffn_down_exps.weight", type: .f16, shape: [8, 256, 256])
        #expect(throws: PlanError.badLayer(tensor: bad.name, layer: 7, layerCount: 2)) {
            try QuantPlanner(options: QuantOptions(target: .fileType(.q4_K_M)), model: moe).plan([bad])
        }
        #expect(throws: PlanError.self) {
            try QuantPlanner(options: QuantOptions(target: .fileType(.q4_K_M)), model: moe)
                .plan([try TensorInfo(name: "x", type: .f32, shape: [1, 1, 1, 1, 1])])
        }
    }

    @Test func summary() throws {
        let p = try Self.plan(QuantOptions(target: .fileType(.q4_K_M)))
        let rows = p.summaryRows
        #expect(rows.count == p.tensors.count)
        #expect(rows.first?.name == "output.weight" && rows.first?.targetType == "Q6_K" && rows.first?.shape == "256, 4096")
        let totals = p.totals
        #expect(totals.targetBytes == rows.reduce(0) { $0 + $1.targetBytes })
        #expect(totals.targetBitsPerWeight > 4.5 && totals.targetBitsPerWeight < 6)
        #expect(abs(totals.sourceBitsPerWeight - Double(p.sourceBytes * 8) / Double(p.elementCount)) < 1e-12)
        let byPattern = Dictionary(uniqueKeysWithValues: p.typesByPattern.map { ($0.pattern, $0.types) })
        let down = try #require(byPattern["blk.*.ffn_down.weight"])
        #expect(down.reduce(0) { $0 + $1.count } == 4)
        #expect(p.typesByPatternText.contains { $0.hasPrefix("blk.*.attn_v.weight=") })
    }
}

@Suite struct PlanModelTests {
    @Test func fromMetadata() throws {
        var m = Metadata()
        m.set("general.architecture", .string("gpt-oss"))
        m.set("gpt-oss.block_count", .uint32(36))
        m.set("gpt-oss.attention.head_count", .uint32(64))
        m.set("gpt-oss.attention.head_count_kv", .array(.uint32, [.uint32(8), .uint32(8)]))
        m.set("gpt-oss.expert_count", .uint32(128))
        let p = try PlanModel(metadata: m)
        #expect(p == PlanModel(architecture: "gpt-oss", layerCount: 36, headCount: 64, headCountKV: 8, expertCount: 128))
        #expect(p.gqa == 8 && !p.is70B)
        m.remove("gpt-oss.block_count")
        #expect(throws: PlanError.self) { try PlanModel(metadata: m) }
        #expect(PlanModel(architecture: "llama", layerCount: 80, headCount: 64, headCountKV: 8).is70B)
        #expect(!PlanModel(architecture: "llama", layerCount: 80, headCount: 64, headCountKV: 64).is70B)
    }
}
