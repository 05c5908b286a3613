import Foundation
import Testing
import IngotCore
@testable import IngotModel
import IngotTestSupport

/// The tiny models' llama-quantize outputs (Tests/Fixtures/models/*/llamacpp/*.json, made by llama.cpp's converter
/// then llama-quantize): given the F16/BF16 file's tensors, the planner must give every tensor the type, and the
/// file the tensor order, that llama-quantize wrote.
@Suite struct TinyModelPlanTests {
    static let models = Fixtures.url("models")

    struct Dump {
        var metadata: [String: Any]
        /// (name, type name, shape outermost first)
        var tensors: [(String, String, [Int])]
    }

    static func load(_ model: String, _ suffix: String) throws -> Dump {
        let url = models.appendingPathComponent("\(model)/llamacpp/\(model)-\(suffix).json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var meta: [String: Any] = [:]
        for kv in json["metadata"] as! [[String: Any]] { meta[kv["key"] as! String] = kv["value"] }
        let tensors = (json["tensors"] as! [[String: Any]]).map { t in
            // The dumps give GGUF's ne order (innermost first); TensorInfo is outermost first.
            (t["name"] as! String, t["type"] as! String, (t["shape"] as! [Int]).reversed() as [Int])
        }
        return Dump(metadata: meta, tensors: tensors)
    }

    static func planModel(_ meta: [String: Any]) -> PlanModel {
        let arch = meta["general.architecture"] as! String
        func int(_ key: String) -> Int { (meta["\(arch).\(key)"] as? Int) ?? 0 }
        return PlanModel(architecture: arch, layerCount: int("block_count"), headCount: int("attention.head_count"),
                         headCountKV: int("attention.head_count_kv"), expertCount: int("expert_count"))
    }

    static let cases: [(String, String, String)] = [
        ("tiny-llama", "F16", "Q8_0"), ("tiny-llama", "F16", "Q4_K_M"), ("tiny-llama", "F16", "Q4_K_S"),
        ("tiny-llama", "F16", "Q2_K"), ("tiny-llama", "F16", "Q3_K_M"), ("tiny-llama", "F16", "Q5_K_M"),
        ("tiny-llama", "F16", "Q6_K"),
        ("tiny-mixtral", "BF16", "Q8_0"), ("tiny-mixtral", "BF16", "Q4_K_M"), ("tiny-mixtral", "BF16", "Q2_K"),
        ("tiny-gptoss", "BF16", "Q8_0"), ("tiny-gptoss", "BF16", "Q4_K_M"), ("tiny-gptoss", "BF16", "MXFP4_MOE"),
    ]

    @Test(arguments: 0..<cases.count)
    func reproducesLlamaQuantize(_ index: Int) throws {
        let (model, baseName, quantName) = Self.cases[index]
        let base = try Self.load(model, baseName)
        let quant = try Self.load(model, quantName)
        let ftype = try #require(FileType(id: UInt32(quant.metadata["general.file_type"] as! Int)))
        #expect(ftype.name == quantName)

        let tensors = try base.tensors.map { name, type, shape in
            TensorInfo(name: name, type: try #require(ElementType(displayName: type)), shape: shape, byteCount: 0)
        }
        let planner = try QuantPlanner(options: QuantOptions(target: .fileType(ftype)), model: Self.planModel(base.metadata))
        let plan = try planner.plan(tensors)

        #expect(plan.tensors.map(\.name) == quant.tensors.map(\.0), "tensor order")
        for (p, q) in zip(plan.tensors, quant.tensors) where p.name == q.0 {
            #expect(p.targetType.displayName == q.1, "\(model) \(quantName) \(p.name): expected \(q.1), got \(p.targetType.displayName) (\(p.reason))")
            #expect(p.shape == q.2)
        }
    }

    /// The same dumps give llama-quantize's byte sizes: the plan's target bytes must equal the file's.
    @Test func bytesMatchQuantizedDump() throws {
        let base = try Self.load("tiny-gptoss", "BF16")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf:
            Self.models.appendingPathComponent("tiny-gptoss/llamacpp/tiny-gptoss-Q4_K_M.json"))) as! [String: Any]
        let bytes = Dictionary(uniqueKeysWithValues: (json["tensors"] as! [[String: Any]]).map {
            ($0["name"] as! String, $0["bytes"] as! Int) })
        let tensors = try base.tensors.map { name, type, shape in
            try TensorInfo(name: name, type: ElementType(displayName: type)!, shape: shape)
        }
        let plan = try QuantPlanner(options: QuantOptions(target: .fileType(.q4_K_M)), model: Self.planModel(base.metadata))
            .plan(tensors)
        for p in plan.tensors { #expect(p.targetBytes == bytes[p.name], "\(p.name)") }
        #expect(plan.targetBytes == bytes.values.reduce(0, +))
        // gpt-oss rows are 288 wide: every 256-block choice falls back (q4_K → q5_0, q6_K → q8_0, output → q8_0).
        #expect(plan.fallbackCount > 0)
        #expect(plan.warnings.last?.contains("required fallback quantization") == true)
    }
}
