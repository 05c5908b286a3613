import Foundation
import Testing
import IngotCore
import IngotFormats
import IngotModel
@testable import IngotPipeline

/// Every bundled checkpoint converted to every type llama.cpp's oracle has, read back with Ingot's GGUF reader,
/// and compared with what llama.cpp's converter + llama-quantize wrote (Tests/Fixtures/models/*/llamacpp/*.json):
/// tensor names in order, types, shapes, byte sizes, and every metadata key, type and value in order, except
/// Ingot's provenance keys (`ingot.*`). Every difference is printed.
struct ConvertOracleTests {
    static let cases: [(model: String, variant: String)] = [
        ("tiny-llama", "F16"), ("tiny-llama", "Q8_0"), ("tiny-llama", "Q4_K_M"),
        ("tiny-mixtral", "BF16"), ("tiny-mixtral", "Q8_0"), ("tiny-mixtral", "Q4_K_M"),
        ("tiny-gptoss", "BF16"), ("tiny-gptoss", "Q8_0"), ("tiny-gptoss", "Q4_K_M"), ("tiny-gptoss", "MXFP4_MOE"),
        ("tiny-gptoss-mxfp4", "AUTO"),
    ]

    @Test(arguments: cases)
    func conversionMatchesLlamaCpp(model: String, variant: String) throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        // The oracle's file is named after the model directory, so the input keeps its name.
        let out = dir + "/\(model)-\(variant).gguf"
        let options = ConvertOptions(input: ConvertFixtures.model(model), output: out,
                                     type: variant == "AUTO" ? nil : variant, threads: 2)
        let (_, result) = try ConvertJob.run(options)
        #expect(result?.files == [out])

        let oracle = try ConvertFixtures.oracle(model, variant)
        let gguf = try GGUFReader(path: out)
        let diffs = ConvertFixtures.metadataDifferences(gguf.metadata, oracle) { $0.hasPrefix("ingot.") }
        for d in diffs { Issue.record(Comment(rawValue: "\(model) \(variant): \(d)")) }
        let mine = gguf.tensors.map {
            ConvertFixtures.Oracle.Tensor(name: $0.name, type: $0.type.displayName, shape: $0.shape.reversed(), bytes: $0.byteCount)
        }
        for (i, (a, b)) in zip(mine, oracle.tensors).enumerated() where a != b {
            Issue.record("\(model) \(variant) tensor #\(i): ingot \(a.name) \(a.type) \(a.shape) \(a.bytes)B, llama.cpp \(b.name) \(b.type) \(b.shape) \(b.bytes)B")
        }
        #expect(mine.count == oracle.tensors.count)
        // Provenance is there, and names the source file's hash.
        #expect(gguf.metadata["ingot.version"]?.stringValue == IngotVersion.string)
        #expect(gguf.metadata["ingot.source.sha256"]?.arrayValue?.count == 1)
    }
}
