import Foundation
import Testing
import IngotCore
import IngotModel
import IngotQuant
@testable import IngotPipeline
import IngotTestSupport

/// llama-quantize's imatrix rule as `convert` applies it (src/llama-quant.cpp `tensor_requires_imatrix`, checked per
/// tensor on its final type in the preliminary loop of `llama_model_quantize_impl`): with no importance matrix, the
/// first quantizable tensor (output order) whose type is IQ3_XXS, IQ2_XXS, IQ2_XS, IQ2_S, IQ1_M or IQ1_S, or Q2_K in
/// a Q2_K_S file, refuses the plan; token_embd, per_layer_token_embd and output are exempt; a dry run only warns.
@Suite struct ConvertImatrixRuleTests {
    /// The file types that refuse without an imatrix on both tiny models, written out from llama-quant.cpp: the five
    /// whose default type is in the list (IQ2_S defaults to IQ2_XS, IQ2_M to IQ2_S), IQ3_XXS (its IQ2_S attn_q and
    /// IQ3_XXS defaults), IQ3_XS (attn_q → IQ3_XXS) and Q2_K_S (its Q2_K tensors). Every other file type plans.
    static let refusing: Set<String> = ["IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ1_S", "IQ1_M", "Q2_K_S"]

    static let quantizedFileTypes = FileType.allCases.filter { $0.isQuantized }.map(\.name)

    static func plan(_ model: String, type: String, imatrix: ImportanceMatrix? = nil, dryRun: Bool = false,
                     tensorTypes: [String] = [], outputTensorType: String? = nil,
                     tokenEmbeddingType: String? = nil) throws -> ConversionPlan {
        let path = ConvertFixtures.model(model)
        let o = ConvertOptions(input: path, output: NSTemporaryDirectory() + "/ingot-never-written.gguf", type: type,
                               tensorTypes: tensorTypes, outputTensorType: outputTensorType,
                               tokenEmbeddingType: tokenEmbeddingType, threads: 1, dryRun: dryRun)
        return try ConversionPlanner.plan(o, input: try ConvertInput(path: path), imatrix: imatrix)
    }

    /// An importance matrix with no entries (planning only looks at whether one is given).
    static let anyImatrix = ImportanceMatrix(path: "test.imatrix.gguf", format: .gguf, sha256: "", entries: [:],
                                             datasets: [], chunkCount: 1, chunkSize: 64)

    @Test(arguments: ["tiny-llama", "tiny-mixtral"])
    func everyFileTypeWithoutAnImatrix(_ model: String) throws {
        for name in Self.quantizedFileTypes {
            let dry = try Self.plan(model, type: name, dryRun: true)
            do {
                _ = try Self.plan(model, type: name)
                #expect(!Self.refusing.contains(name), "\(model) \(name) planned without an imatrix")
                #expect(!dry.notes.contains { $0.contains("importance matrix") }, "\(model) \(name): \(dry.notes)")
            } catch ConvertError.noEncoder(let tensor, let type, _, _, _) {
                // Planned, but a type has no encoder (Q1_0, Q2_0: decode only): not an imatrix refusal.
                #expect(!Self.refusing.contains(name), "\(model) \(name): \(tensor) \(type) instead of the imatrix refusal")
            } catch let e as PlanError {
                guard case .imatrixRequired(let tensor, let type, _, let fileType) = e else {
                    Issue.record("\(model) \(name): \(e)"); continue
                }
                #expect(Self.refusing.contains(name), "\(model) \(name) refused: \(e)")
                #expect(fileType == name)
                // The first tensor in output order whose final type needs one, never token_embd or output.
                let first = try #require(dry.tensors.first { t in
                    t.type != t.sourceType && QuantPlanner.requiresImatrix(t.name, t.type, FileType(name: name)!)
                })
                #expect(tensor == first.name && type == first.type, "\(model) \(name): \(tensor) \(type), plan \(first.name)")
                #expect(!["token_embd.weight", "output.weight"].contains(tensor))
                #expect(QuantPlanner.imatrixTypes.contains(type) || (type == .q2_K && name == "Q2_K_S"))
                // A dry run still plans, and says what writing will need and how to get it.
                #expect(dry.notes.contains { $0.contains("importance matrix") && $0.contains(tensor) && $0.contains("llama-imatrix") },
                        "\(model) \(name): \(dry.notes)")
            }
        }
    }

    /// With an imatrix no file type is refused for want of one; what can still stop a plan is a type Ingot has no
    /// encoder for, which then names the first such tensor (the check of `EncoderCheck`).
    @Test(arguments: ["tiny-llama", "tiny-mixtral"])
    func everyFileTypeWithAnImatrix(_ model: String) throws {
        let encodable = Set(Codecs.encodable)
        for name in Self.quantizedFileTypes {
            let dry = try Self.plan(model, type: name, imatrix: Self.anyImatrix, dryRun: true)
            let missing = dry.tensors.filter { $0.type != $0.sourceType && !encodable.contains($0.type) }
            #expect(dry.unproducible.map(\.name) == missing.map(\.name), "\(model) \(name)")
            do {
                _ = try Self.plan(model, type: name, imatrix: Self.anyImatrix)
                #expect(missing.isEmpty, "\(model) \(name) planned with unencodable \(missing.map(\.name))")
            } catch let e as ConvertError {
                guard case .noEncoder(let tensor, let type, _, _, let supported) = e else {
                    Issue.record("\(model) \(name): \(e)"); continue
                }
                let first = try #require(missing.first, "\(model) \(name): \(e)")
                #expect(tensor == first.name && type == first.type.displayName)
                #expect(supported == Codecs.encodable.map(\.displayName))
            }
        }
    }

    @Test func tinyLlamaIQ2XXSNamesItsFirstBlockTensor() throws {
        #expect(throws: PlanError.imatrixRequired(tensor: "blk.0.attn_k.weight", type: .iq2_xxs, reason: "default",
                                                  fileType: "IQ2_XXS")) {
            try Self.plan("tiny-llama", type: "IQ2_XXS")
        }
    }

    /// token_embd and output are exempt whatever their type; a block tensor given the same type by --tensor-type
    /// is not. The message says what, where, and how to get an imatrix (llama-imatrix; `ingot calibrate` planned).
    @Test(arguments: ["tiny-llama", "tiny-mixtral"])
    func tokenEmbeddingAndOutputAreExempt(_ model: String) throws {
        let p = try Self.plan(model, type: "Q4_K_M", outputTensorType: "IQ2_S", tokenEmbeddingType: "IQ3_XXS")
        #expect(p.tensors.first { $0.name == "output.weight" }?.type == .iq2_s)
        #expect(p.tensors.first { $0.name == "token_embd.weight" }?.type == .iq3_xxs)
        do {
            _ = try Self.plan(model, type: "Q4_K_M", tensorTypes: ["blk\\.1\\.ffn_.*=IQ3_XXS"])
            Issue.record("\(model): a block tensor in IQ3_XXS planned without an imatrix")
        } catch let e as PlanError {
            guard case .imatrixRequired(let tensor, let type, let reason, let fileType) = e else { throw e }
            #expect(tensor.hasPrefix("blk.1.ffn_") && type == .iq3_xxs && fileType == "Q4_K_M")
            #expect(reason.hasPrefix("--tensor-type"))
            #expect(e.exitCode == 2)
            #expect(e.description.contains(tensor) && e.description.contains("IQ3_XXS") && e.description.contains("importance matrix"))
            #expect(e.hint?.contains("llama-imatrix") == true && e.hint?.contains("ingot calibrate") == true)
        }
        _ = try Self.plan(model, type: "Q4_K_M", imatrix: Self.anyImatrix, tensorTypes: ["blk\\.1\\.ffn_.*=IQ3_XXS"])
    }

    /// Q2_K needs an imatrix only inside a Q2_K_S file ("the k-type quantizations don't require imatrix data").
    @Test func q2KOnlyInAQ2KSFile() throws {
        let p = try Self.plan("tiny-llama", type: "Q2_K")
        #expect(p.tensors.contains { $0.type == .q2_K })
        #expect(throws: PlanError.self) { try Self.plan("tiny-llama", type: "Q2_K_S") }
        _ = try Self.plan("tiny-llama", type: "Q2_K_S", imatrix: Self.anyImatrix)
    }

    /// A type with no encoder (Q8_1 is an activation format: decode only) is refused before anything is written,
    /// naming the tensor, the type and what Ingot can produce; a dry run returns the plan with the refusal.
    @Test func typeWithoutEncoderIsRefusedBeforeWriting() throws {
        try #require(!Codecs.encodable.contains(.q8_1))
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let out = dir + "/q.gguf"
        let o = ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: out, type: "Q4_K_M",
                               tensorTypes: ["blk\\.[23]\\.attn_q\\.weight=Q8_1"], threads: 1)
        #expect(throws: ConvertError.noEncoder(tensor: "blk.2.attn_q.weight", type: "Q8_1",
                                               reason: "--tensor-type blk\\.[23]\\.attn_q\\.weight", counts: ["Q8_1 ×2"],
                                               supported: Codecs.encodable.map(\.displayName))) {
            try ConvertJob.run(o)
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        var dry = o
        dry.dryRun = true
        let (plan, result) = try ConvertJob.run(dry)
        #expect(result == nil)
        #expect(plan.unproducible.map(\.name) == ["blk.2.attn_q.weight", "blk.3.attn_q.weight"])
        #expect(plan.productionError?.description.contains("Q4_K") == true)   // the list of producible types
    }

    /// Plain float targets and layouts (NF4, INT8: their own quantizers) need no block encoder.
    @Test func floatsAndLayoutsNeedNoEncoder() throws {
        for type in ["F16", "BF16", "F32", "Q8_0"] {
            #expect(try Self.plan("tiny-mixtral", type: type).unproducible.isEmpty, "\(type)")
        }
        let path = ConvertFixtures.model("tiny-llama")
        for type in ["NF4", "INT8"] {
            let o = ConvertOptions(input: path, output: NSTemporaryDirectory() + "/ingot-never-written.safetensors",
                                   type: type, threads: 1, dryRun: true)
            let p = try ConversionPlanner.plan(o, input: try ConvertInput(path: path), imatrix: nil)
            #expect(p.tensors.contains { $0.type == .u8 || $0.type == .i8 })
            #expect(p.unproducible.isEmpty, "\(type): \(p.unproducible.map(\.name))")
        }
    }
}
