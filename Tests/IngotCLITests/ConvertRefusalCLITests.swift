import Foundation
import Testing
import IngotTestSupport

/// Plans `convert` refuses before writing anything, with exit status 2: a type that needs an importance matrix
/// without one, and a type Ingot has no encoder for (a dry run prints the plan first).
@Suite struct ConvertRefusalCLITests {
    static let models = Fixtures.url("models").path

    @Test func missingImatrixExitsTwoSayingHowToGetOne() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        let r = try IngotBinary.run(["convert", Self.models + "/tiny-mixtral", "-o", dir + "/m.gguf", "--type", "IQ2_M"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("requires an importance matrix") && r.stderr.contains("IQ2_S"), "\(r.stderr)")
        #expect(r.stderr.contains("llama-imatrix") && r.stderr.contains("ingot calibrate"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        // llama-quantize's dry run completes and warns.
        let dry = try IngotBinary.run(["convert", Self.models + "/tiny-mixtral", "-o", dir + "/m.gguf", "--type", "IQ2_M", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("will require an importance matrix"), "\(dry.stdout)")
    }

    @Test func typeWithoutEncoderExitsTwoBeforeWriting() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        let args = ["convert", Self.models + "/tiny-llama", "-o", dir + "/l.gguf", "--type", "Q4_K_M",
                    "--tensor-type", "blk\\.3\\.ffn_up\\.weight=Q8_1"]
        let r = try IngotBinary.run(args)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("tensor blk.3.ffn_up.weight is planned as Q8_1"), "\(r.stderr)")
        #expect(r.stderr.contains("Ingot can produce F32, F16, BF16, Q4_0"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        let dry = try IngotBinary.run(args + ["--dry-run"])
        #expect(dry.status == 2, "\(dry.stderr)")
        #expect(dry.stdout.contains("blk.3.ffn_up.weight") && dry.stdout.contains("dry run: nothing written"), "\(dry.stdout)")
        #expect(dry.stderr.contains("tensor blk.3.ffn_up.weight is planned as Q8_1"), "\(dry.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
