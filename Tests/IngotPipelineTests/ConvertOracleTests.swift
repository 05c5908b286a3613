import Foundation
import Testing
import IngotCore
import IngotFormats
import IngotModel
@testable import IngotPipeline
import IngotTestSupport

/// Every bundled checkpoint converted to every type llama.cpp's oracle has, read back with Ingot's GGUF reader,
/// and compared with what llama.cpp's converter + llama-quantize wrote (Tests/Fixtures/models/*/llamacpp/*.json):
/// tensor names in order, types, shapes, byte sizes, and every metadata key, type and value in order, except
/// Ingot's provenance keys (`ingot.*`). Every difference is printed.
struct ConvertOracleTests {
    /// (model, oracle variant, heavy): heavy cases quantize with K-quants or MXFP4, which debug builds run ~50×
    /// slower; there they are checked on the plan (the metadata and tensor table the writer is given), and written
    /// and read back in release (`swift test -c release`).
    static let cases: [(model: String, variant: String, heavy: Bool)] = [
        ("tiny-llama", "F16", false), ("tiny-llama", "Q8_0", false), ("tiny-llama", "Q4_K_M", true),
        ("tiny-mixtral", "BF16", false), ("tiny-mixtral", "Q8_0", true), ("tiny-mixtral", "Q4_K_M", true),
        ("tiny-gptoss", "BF16", false), ("tiny-gptoss", "Q8_0", true), ("tiny-gptoss", "Q4_K_M", true),
        ("tiny-gptoss", "MXFP4_MOE", true), ("tiny-gptoss-mxfp4", "AUTO", false),
    ]

    #if DEBUG
    static let writeHeavy = false
    #else
    static let writeHeavy = true
    #endif

    @Test(arguments: cases)
    func conversionMatchesLlamaCpp(model: String, variant: String, heavy: Bool) throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        // The oracle's file is named after the model directory, so the input keeps its name.
        let out = dir + "/\(model)-\(variant).gguf"
        let write = !heavy || Self.writeHeavy
        let options = ConvertOptions(input: ConvertFixtures.model(model), output: out,
                                     type: variant == "AUTO" ? nil : variant, threads: 2, dryRun: !write)
        let (plan, result) = try ConvertJob.run(options)
        let oracle = try ConvertFixtures.oracle(model, variant)
        let metadata: Metadata
        let tensors: [TensorInfo]
        if write {
            #expect(result?.files == [out])
            let gguf = try GGUFReader(path: out)
            metadata = gguf.metadata
            tensors = gguf.tensors
            // Provenance is there, and names the source file's hash.
            #expect(gguf.metadata["ingot.version"]?.stringValue == IngotVersion.string)
            #expect(gguf.metadata["ingot.source.sha256"]?.arrayValue?.count == 1)
        } else {
            #expect(result == nil && !FileManager.default.fileExists(atPath: out))
            metadata = plan.metadata
            tensors = try plan.tensors.map { try TensorInfo(name: $0.name, type: $0.type, shape: $0.shape) }
        }
        let diffs = ConvertFixtures.metadataDifferences(metadata, oracle) { $0.hasPrefix("ingot.") }
        for d in diffs { Issue.record(Comment(rawValue: "\(model) \(variant): \(d)")) }
        let mine = tensors.map {
            ConvertFixtures.Oracle.Tensor(name: $0.name, type: $0.type.displayName, shape: $0.shape.reversed(), bytes: $0.byteCount)
        }
        for (i, (a, b)) in zip(mine, oracle.tensors).enumerated() where a != b {
            Issue.record("\(model) \(variant) tensor #\(i): ingot \(a.name) \(a.type) \(a.shape) \(a.bytes)B, llama.cpp \(b.name) \(b.type) \(b.shape) \(b.bytes)B")
        }
        #expect(mine.count == oracle.tensors.count)
    }
}
