import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotPipeline
import IngotTestSupport

/// A small MoE-shaped GGUF: metadata with a long token array, an embedding and two typed tensors.
func writeSampleGGUF(_ path: String) throws {
    var md = Metadata()
    md.append("general.architecture", .string("mixtral"))
    md.append("mixtral.block_count", .uint32(2))
    md.append("mixtral.embedding_length", .uint32(64))
    md.append("mixtral.attention.head_count", .uint32(4))
    md.append("mixtral.attention.head_count_kv", .uint32(2))
    md.append("mixtral.context_length", .uint32(512))
    md.append("mixtral.expert_count", .uint32(8))
    md.append("mixtral.expert_used_count", .uint32(2))
    md.append("tokenizer.ggml.tokens", .array(.string, (0..<100).map { .string("tok\($0)") }))
    let tensors = [
        try TensorInfo(name: "token_embd.weight", type: .f16, shape: [100, 64]),
        try TensorInfo(name: "blk.0.attn_q.weight", type: .q4_K, shape: [64, 256]),
        try TensorInfo(name: "blk.1.attn_q.weight", type: .q8_0, shape: [64, 64]),
    ]
    let w = try GGUFWriter(path: path, metadata: md)
    for t in tensors { try w.declare(t) }
    for t in tensors { try [UInt8](repeating: 0, count: t.byteCount).withUnsafeBytes { try w.write(t.name, bytes: $0) } }
    try w.finish()
}

@Suite struct InspectTests {
    @Test func ggufReport() throws {
        let dir = Fixtures.temporaryDirectory("ingot-inspect")
        defer { Fixtures.cleanup(dir) }
        let path = dir + "/m.bin"  // the format is sniffed, not taken from the name
        try writeSampleGGUF(path)
        let format = try ModelOpener.format(of: path)
        #expect(format.name == "GGUF" && format.id == .gguf)
        let r = try Inspector.inspect(path: path)
        #expect(r.format == "gguf" && r.version == 3)
        #expect(r.tensors.count == 3)
        #expect(r.parameters == 6400 + 16384 + 4096)
        #expect(r.bytes == 12800 + 16384 / 256 * 144 + 4096 / 32 * 34)
        let a = r.architecture
        #expect(a == {
            var x = InspectReport.ModelSummary()
            x.name = "mixtral"; x.layers = 2; x.hiddenSize = 64; x.heads = 4; x.kvHeads = 2; x.vocabSize = 100
            x.contextLength = 512; x.experts = 8; x.expertsPerToken = 2
            return x
        }())
        let q4 = try #require(r.perType.first { $0.type == .q4_K })
        #expect(q4.bitsPerWeight == 4.5)
        let gguf = try GGUFReader(path: path)
        #expect(r.tensors[1].offset == gguf.absoluteOffset(of: "blk.0.attn_q.weight"))

        let json = r.json()
        #expect(json["format"]?.string == "gguf")
        #expect(json["version"]?.int == 3)
        #expect(json["tensors"]?[1]?["type"]?.string == "Q4_K")
        #expect(json["tensors"]?[1]?["shape"] == .array([.int(64), .int(256)]))
        #expect(json["tensors"]?[1]?["offset"]?.int == r.tensors[1].offset)
        #expect(json["parameters"]?.int == r.parameters)
        #expect(json["bytes"]?.int == r.bytes)
        #expect(json["metadata"]?["tokenizer.ggml.tokens"]?["count"]?.int == 100)
        #expect(json["metadata"]?["tokenizer.ggml.tokens"]?["first"]?[0]?.string == "tok0")
        #expect(json["architecture"]?["experts_per_token"]?.int == 2)
        #expect(try JSON.parse(json.serialized()) == json)

        let text = r.text(showTensors: true)
        #expect(text.contains("GGUF v3"))
        #expect(text.contains("[STRING × 100] \"tok0\""))
        #expect(text.contains("blk.0.attn_q.weight"))
        #expect(text.contains("experts 8 (2 per token)"))
        #expect(!r.text().contains("blk.0.attn_q.weight"))

        let f = try r.filtered(by: "attn_q")
        #expect(f.tensors.map(\.name) == ["blk.0.attn_q.weight", "blk.1.attn_q.weight"])
        #expect(f.parameters == 16384 + 4096)
        #expect(throws: IngotFailure.self) { try r.filtered(by: "(") }
    }

    // Expected values from each fixture's config.json and safetensors header (read once with Python's json).
    @Test(arguments: [
        ("tiny-llama", "llama", 39, 4, 256, 8, 2, 4096, 1024, nil, nil),
        ("tiny-mixtral", "mixtral", 65, 2, 256, 8, 2, 4096, 1024, 8, 2),
        ("tiny-gptoss", "gpt_oss", 37, 2, 288, 8, 2, 4096, 1024, 8, 2),
    ] as [(String, String, Int, Int, Int, Int, Int, Int, Int, Int?, Int?)])
    func checkpointDirectory(name: String, arch: String, tensors: Int, layers: Int, hidden: Int, heads: Int,
                             kv: Int, vocab: Int, ctx: Int, experts: Int?, perToken: Int?) throws {
        let path = Fixtures.model(name).path
        let format = try ModelOpener.format(of: path)
        #expect(format.name == "safetensors" && format.id == .safetensors)
        let r = try Inspector.inspect(path: path)
        #expect(r.format == "safetensors")
        #expect(r.tensors.count == tensors)
        let a = r.architecture
        #expect(a.name == arch && a.layers == layers && a.hiddenSize == hidden && a.heads == heads && a.kvHeads == kv)
        #expect(a.vocabSize == vocab && a.contextLength == ctx && a.experts == experts && a.expertsPerToken == perToken)
        let file = try Inspector.inspect(path: path + "/model.safetensors")
        #expect(file.architecture == a)
        #expect(file.bytes == r.bytes)
    }

    @Test func ggufSplitSet() throws {
        let dir = Fixtures.temporaryDirectory("ingot-inspect")
        defer { Fixtures.cleanup(dir) }
        var md = Metadata()
        md.append("general.architecture", .string("llama"))
        let tensors = (0..<5).map { TensorInfo(name: "t\($0)", type: .f32, shape: [8], byteCount: 32) }
        let w = try GGUFSplitWriter(path: dir + "/m.gguf", metadata: md, maxTensors: 2)
        for t in tensors { try w.declare(t) }
        for t in tensors { try [UInt8](repeating: 0, count: 32).withUnsafeBytes { try w.write(t.name, bytes: $0) } }
        try w.finish()
        let r = try Inspector.inspect(path: dir + "/m-00001-of-00003.gguf")
        #expect(r.files.count == 3)
        #expect(r.tensors.map(\.name) == tensors.map(\.name))
        #expect(r.tensors[4].file.hasSuffix("m-00003-of-00003.gguf"))
        #expect(r.json()["tensors"]?[4]?["file"]?.string == "m-00003-of-00003.gguf")
        try FileManager.default.removeItem(atPath: dir + "/m-00002-of-00003.gguf")
        #expect(throws: FileError.self) { try Inspector.inspect(path: dir + "/m-00001-of-00003.gguf") }
    }

    @Test func rejectsUnknownBytes() throws {
        let dir = Fixtures.temporaryDirectory("ingot-inspect")
        defer { Fixtures.cleanup(dir) }
        let p = dir + "/x.gguf"
        FileManager.default.createFile(atPath: p, contents: Data("hello world".utf8))
        do { _ = try Inspector.inspect(path: p); Issue.record("accepted") } catch let e as IngotFailure {
            #expect(e.description.hasPrefix(p + ": not a GGUF or safetensors file"))
        }
        #expect(throws: FileError.self) { try Inspector.inspect(path: dir + "/missing") }
    }
}

/// inspect's config summary reads what `ModelConfig` decodes (a `text_config` key wins over the root, as in
/// llama.cpp's converter), and its vocabulary fallback reads the registry's token-embedding names.
@Suite struct InspectSummaryTests {
    @Test func textConfigOverridesTheRoot() throws {
        let json = try JSON.parse(#"""
            {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 8, "num_attention_heads": 2,
             "text_config": {"num_hidden_layers": 4, "hidden_size": 16, "num_key_value_heads": 1, "vocab_size": 32}}
            """#)
        let a = Inspector.architecture(config: json, tensors: [])
        #expect(a.name == "llama" && a.layers == 4 && a.hiddenSize == 16 && a.heads == 2 && a.kvHeads == 1)
        #expect(a.vocabSize == 32)
    }

    /// A config `ModelConfig` refuses (no layer count) is still summarised, merged by the same rule.
    @Test func unreadableConfigFallsBackToTheRawObject() throws {
        let json = try JSON.parse(#"{"model_type": "mystery", "hidden_size": 8, "text_config": {"hidden_size": 24}}"#)
        let a = Inspector.architecture(config: json, tensors: [try TensorInfo(name: "transformer.wte.weight", type: .f16, shape: [50, 24])])
        #expect(a.name == "mystery" && a.layers == nil && a.hiddenSize == 24 && a.vocabSize == 50)
    }

    @Test func embeddingRowsUseTheRegistryNames() throws {
        for name in ["model.embed_tokens.weight", "token_embd.weight", "model.language_model.embed_tokens.weight"] {
            #expect(Inspector.embeddingRows([try TensorInfo(name: name, type: .f32, shape: [7, 4])]) == 7)
        }
        #expect(Inspector.embeddingRows([try TensorInfo(name: "lm_head.weight", type: .f32, shape: [7, 4])]) == nil)
        #expect(Inspector.embeddingRows([try TensorInfo(name: "token_embd.weight", type: .f32, shape: [7])]) == nil)
    }
}
