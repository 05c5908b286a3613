import Foundation
import IngotCore
import IngotFormats
import Testing
import IngotTestSupport

private let fixtures = Fixtures.root

@Suite struct InspectCLITests {
    @Test func goodCheckpointText() throws {
        let path = fixtures.appendingPathComponent("models/tiny-llama").path
        let r = try IngotBinary.run(["inspect", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.hasPrefix(path + ": safetensors"))
        #expect(r.stdout.contains("Architecture: llama — 4 layers, hidden 256, heads 8 / kv 2, vocab 4096, context 1024"))
        #expect(r.stdout.contains("Totals: 39 tensors"))
        #expect(!r.stdout.contains("model.layers.0.mlp.up_proj.weight"))
        let t = try IngotBinary.run(["inspect", path, "--tensors"])
        #expect(t.stdout.contains("model.layers.0.mlp.up_proj.weight"))
    }

    @Test func goodGGUFJSONWithFilter() throws {
        let path = fixtures.appendingPathComponent("vocab/ggml-vocab-gpt-2.gguf").path
        let r = try IngotBinary.run(["inspect", path, "--json", "--filter", "nothing"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSON.parse(r.stdout)
        #expect(json["format"]?.string == "gguf")
        #expect(json["version"]?.int == 3)
        #expect(json["metadata"]?["tokenizer.ggml.tokens"]?["count"]?.int == 50257)
        #expect(json["tensors"]?.array?.isEmpty == true)
        #expect(json["architecture"]?["name"]?.string == "gpt2")
    }

    @Test func malformedFileExitsTwoWithMessage() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        // A GGUF whose second tensor claims offset 0: overlapping data.
        var w = ByteWriter()
        w.raw(Array("GGUF".utf8)); w.u32(3); w.u64(2); w.u64(0)
        for (name, offset) in [("a", UInt64(0)), ("blk.0.attn_q.weight", UInt64(0))] {
            w.u64(UInt64(name.utf8.count)); w.raw(Array(name.utf8)); w.u32(1); w.i64(8); w.i32(0); w.u64(offset)
        }
        w.pad(to: 32)
        w.raw([UInt8](repeating: 0, count: 64))
        let path = dir + "/model.gguf"
        FileManager.default.createFile(atPath: path, contents: Data(w.bytes))
        let r = try IngotBinary.run(["inspect", path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("ingot: error: \(path): tensor 'blk.0.attn_q.weight' has offset 0, expected 32 (tensors must be contiguous in order)"), "\(r.stderr)")
        #expect(r.stderr.contains("hint: "))

        let missing = try IngotBinary.run(["inspect", dir + "/nope.gguf"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.gguf: cannot open: no such file or directory"))

        let badRegex = try IngotBinary.run(["inspect", fixtures.appendingPathComponent("models/tiny-llama").path, "--filter", "("])
        #expect(badRegex.status == 2)
        #expect(badRegex.stderr.contains("invalid --filter regular expression"))
    }
}
