import Foundation
import Testing
import IngotCore
import IngotFormats
import IngotModel
import IngotQuant
@testable import IngotPipeline
import IngotTestSupport

/// The job around the conversion: atomic output, refusing to overwrite inputs, GGUF requantization, plain tensor
/// files, split GGUF and safetensors outputs.
struct ConvertJobTests {
    /// Writes a safetensors file of F32/F16/I32 tensors given as (name, type, shape, float values).
    static func writeTensors(_ path: String, _ tensors: [(String, ElementType, [Int], [Float])]) throws {
        let w = try SafetensorsWriter(path: path)
        for (name, type, shape, _) in tensors { try w.declare(try TensorInfo(name: name, type: type, shape: shape)) }
        for (name, type, _, values) in tensors {
            var bytes = [UInt8](repeating: 0, count: try type.byteCount(elements: values.count))
            if type == .i32 {
                for (i, v) in values.enumerated() { withUnsafeBytes(of: Int32(v).littleEndian) { for k in 0..<4 { bytes[4 * i + k] = $0[k] } } }
            } else {
                values.withUnsafeBufferPointer { v in bytes.withUnsafeMutableBytes { b in
                    _ = ElementConversion.fromFloat(type, v.baseAddress!, b.baseAddress!, count: values.count)
                } }
            }
            try bytes.withUnsafeBytes { try w.write(name, bytes: $0) }
        }
        try w.finish()
    }

    static func ramp(_ n: Int, scale: Float = 0.01) -> [Float] { (0..<n).map { Float(($0 * 37) % 101 - 50) * scale } }

    static func directoryListing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// A conversion that fails half-way (a NaN in the second tensor) leaves neither the output nor a temp file.
    @Test func failedConversionLeavesNothing() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        var bad = Self.ramp(8 * 64)
        bad[100] = .nan
        try Self.writeTensors(dir + "/in.safetensors", [("a.weight", .f32, [8, 64], Self.ramp(8 * 64)),
                                                        ("b.weight", .f32, [8, 64], bad)])
        let out = dir + "/out/model.gguf"
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        #expect {
            _ = try ConvertJob.run(ConvertOptions(input: dir + "/in.safetensors", output: out, type: "Q8_0", threads: 2))
        } throws: { String(describing: $0).contains("b.weight") }
        #expect(Self.directoryListing(dir + "/out").isEmpty, "left behind: \(Self.directoryListing(dir + "/out"))")
    }

    /// The output may not be an input, whatever the spelling of the path.
    @Test func outputEqualToInputIsRefused() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let input = dir + "/x.safetensors"
        try Self.writeTensors(input, [("a.weight", .f32, [2, 32], Self.ramp(64))])
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        for out in [input, dir + "/./x.safetensors"] {
            #expect(throws: ConvertError.outputIsInput(out)) {
                _ = try ConvertJob.run(ConvertOptions(input: input, output: out, type: "F16"))
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    }

    /// A plain tensor file: names kept, the type applied to floating-point 2-D tensors whose rows fit its block,
    /// the rest kept and reported; no architecture metadata.
    @Test func tensorFileConvertsTensorByTensor() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        try Self.writeTensors(dir + "/adapter.safetensors", [
            ("a.weight", .f32, [8, 64], Self.ramp(8 * 64)),
            ("b.bias", .f32, [64], Self.ramp(64)),
            ("c.weight", .f16, [4, 48], Self.ramp(4 * 48)),
            ("d.index", .i32, [2, 32], (0..<64).map(Float.init)),
        ])
        let out = dir + "/adapter.gguf"
        let (plan, _) = try ConvertJob.run(ConvertOptions(input: dir + "/adapter.safetensors", output: out, type: "Q8_0", threads: 2))
        let g = try GGUFReader(path: out)
        let types = Dictionary(uniqueKeysWithValues: g.tensors.map { ($0.name, $0.type) })
        #expect(types == ["a.weight": .q8_0, "b.bias": .f32, "c.weight": .f16, "d.index": .i32])
        #expect(g.metadata["general.architecture"] == nil)
        #expect(g.metadata["general.file_type"] == .uint32(7))
        #expect(plan.notes.contains { $0.contains("3 tensor(s) kept") })
        // The quantized tensor holds the quantizer's bytes for the source values.
        var expected = [UInt8](repeating: 0, count: 8 * 68)
        try Self.ramp(8 * 64).withUnsafeBufferPointer { x in try expected.withUnsafeMutableBytes {
            try Quantizer.quantize(.q8_0, rows: x, rowLength: 64, importance: nil, into: $0, threads: 1)
        } }
        #expect(try g.withBytes(of: "a.weight") { [UInt8]($0) } == expected)
    }

    /// `--imatrix` is matched by tensor name for tensor files: llama.cpp's legacy .dat with one entry.
    @Test func tensorFileUsesImatrixByName() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        try Self.writeTensors(dir + "/t.safetensors", [("a.weight", .f32, [8, 64], Self.ramp(8 * 64, scale: 0.013))])
        // .dat: n_entries, then len, name, ncall, nval, values (stored = mean · ncall).
        let weights: [Float] = (0..<64).map { Float($0 % 7 + 1) }
        var dat = ByteWriter()
        dat.i32(1); dat.i32(8); dat.raw(Array("a.weight".utf8)); dat.i32(1); dat.i32(64)
        for w in weights { dat.f32(w) }
        FileManager.default.createFile(atPath: dir + "/m.dat", contents: Data(dat.bytes))
        _ = try ConvertJob.run(ConvertOptions(input: dir + "/t.safetensors", output: dir + "/with.gguf", type: "Q4_0",
                                              imatrix: dir + "/m.dat", threads: 2))
        _ = try ConvertJob.run(ConvertOptions(input: dir + "/t.safetensors", output: dir + "/without.gguf", type: "Q4_0", threads: 2))
        let with = try GGUFReader(path: dir + "/with.gguf").withBytes(of: "a.weight") { [UInt8]($0) }
        let without = try GGUFReader(path: dir + "/without.gguf").withBytes(of: "a.weight") { [UInt8]($0) }
        var expected = [UInt8](repeating: 0, count: with.count)
        try Self.ramp(8 * 64, scale: 0.013).withUnsafeBufferPointer { x in try weights.withUnsafeBufferPointer { w in
            try expected.withUnsafeMutableBytes { try Quantizer.quantize(.q4_0, rows: x, rowLength: 64, importance: w, into: $0, threads: 1) }
        } }
        #expect(with == expected)
        #expect(with != without)
    }

    /// A GGUF input is requantized as llama-quantize does it: F16 GGUF → Q8_0 equals llama.cpp's own Q8_0 file
    /// (keys, order, tensors), and a quantized input needs `allowRequantize`.
    @Test func ggufRequantizeMatchesLlamaQuantize() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let f16 = dir + "/tiny-llama-F16.gguf", q8 = dir + "/q8.gguf"
        _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: f16, type: "F16", threads: 2))
        _ = try ConvertJob.run(ConvertOptions(input: f16, output: q8, type: "Q8_0", threads: 2))
        let g = try GGUFReader(path: q8)
        let oracle = try ConvertFixtures.oracle("tiny-llama", "Q8_0")
        let diffs = ConvertFixtures.metadataDifferences(g.metadata, oracle) { $0.hasPrefix("ingot.") }
        for d in diffs { Issue.record(Comment(rawValue: d)) }
        #expect(g.tensors.map(\.name) == oracle.tensors.map(\.name))
        #expect(g.tensors.map(\.type.displayName) == oracle.tensors.map(\.type))
        // The provenance of the new file names the GGUF it came from.
        #expect(g.metadata["ingot.source.files"] == .array(.string, [.string("tiny-llama-F16.gguf")]))

        #expect(throws: PlanError.self) {
            _ = try ConvertJob.run(ConvertOptions(input: q8, output: dir + "/q4.gguf", type: "Q4_0", threads: 2))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/q4.gguf"))
        let (plan, _) = try ConvertJob.run(ConvertOptions(input: q8, output: dir + "/q4.gguf", type: "Q4_0",
                                                          allowRequantize: true, threads: 2))
        #expect(plan.notes.contains { $0.contains("requantized") })
        #expect(try GGUFReader(path: dir + "/q4.gguf").info("blk.0.attn_q.weight")?.type == .q4_0)
    }

    /// `--split-max-size`: gguf-split names and keys; the shards together hold every tensor once.
    @Test func splitOutput() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let (_, result) = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: dir + "/m.gguf",
                                                            type: "F16", splitMaxSize: 3_000_000, threads: 2))
        let files = try #require(result?.files)
        #expect(files.count >= 3)
        #expect(files.first?.hasSuffix("m-00001-of-0000\(files.count).gguf") == true)
        var names: [String] = []
        for (i, f) in files.enumerated() {
            let g = try GGUFReader(path: f)
            #expect(g.metadata["split.no"] == .uint16(UInt16(i)))
            #expect(g.metadata["split.count"] == .uint16(UInt16(files.count)))
            #expect(g.metadata["split.tensors.count"] == .int32(39))
            names += g.tensors.map(\.name)
        }
        #expect(names.count == 39 && Set(names).count == 39)
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.gguf"))
        // A split set converts from its first file, all shards read; a later shard alone is refused.
        let (plan, _) = try ConvertJob.run(ConvertOptions(input: files[0], output: dir + "/q8.gguf", type: "Q8_0", threads: 2))
        #expect(plan.tensors.count == 39)
        let q8 = try GGUFReader(path: dir + "/q8.gguf")
        #expect(q8.metadata["split.count"] == nil && q8.tensors.count == 39)
        #expect(q8.metadata["ingot.source.files"]?.arrayValue?.count == files.count)
        #expect {
            _ = try ConvertJob.run(ConvertOptions(input: files[1], output: dir + "/x.gguf", type: "Q8_0"))
        } throws: { String(describing: $0).contains("pass the first file") }
    }

    /// Safetensors output keeps the checkpoint's names and layout: 2-D float tensors in the type, 1-D kept.
    @Test func safetensorsOutput() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let out = dir + "/bf16.safetensors"
        _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: out, type: "BF16", threads: 2))
        let st = try SafetensorsReader(path: out), src = try SafetensorsReader(path: ConvertFixtures.model("tiny-llama"))
        #expect(st.tensors.map(\.name).sorted() == src.tensors.map(\.name).sorted())
        #expect(st.info("model.layers.0.self_attn.q_proj.weight")?.type == .bf16)
        #expect(st.info("model.layers.0.input_layernorm.weight")?.type == .f16)
        let a = try src.withBytes(of: "model.layers.0.self_attn.q_proj.weight") { [UInt8]($0) }
        let b = try st.withBytes(of: "model.layers.0.self_attn.q_proj.weight") { [UInt8]($0) }
        let same = (0..<(a.count / 2)).allSatisfy { i in
            let h = UInt16(a[2 * i]) | UInt16(a[2 * i + 1]) << 8, bf = UInt16(b[2 * i]) | UInt16(b[2 * i + 1]) << 8
            return bf == HalfPrecision.bf16Bits(HalfPrecision.float(fromF16: h))
        }
        #expect(same)
        #expect {
            _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: dir + "/q.safetensors", type: "Q4_K"))
        } throws: { String(describing: $0).contains("cannot be written to safetensors") }
    }

    /// NF4 and INT8 safetensors layouts: linear weights become the quantizer's components (bitsandbytes NF4:
    /// packed codes, absmax, quant_map, quant_state; INT8: weight + weight_scale), embeddings, the head and norms
    /// keep their type.
    @Test(arguments: ["NF4", "INT8"])
    func quantizedSafetensorsLayouts(type: String) throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        let out = dir + "/q.safetensors"
        _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: out, type: type, threads: 2))
        let st = try SafetensorsReader(path: out), src = try SafetensorsReader(path: ConvertFixtures.model("tiny-llama"))
        let name = "model.layers.2.mlp.down_proj.weight"
        let info = try #require(src.info(name))
        var x = [Float](repeating: 0, count: info.elementCount)
        try src.withBytes(of: name) { b in x.withUnsafeMutableBufferPointer { _ = ElementConversion.toFloat(.f16, b.baseAddress!, $0.baseAddress!, count: info.elementCount) } }
        let expected: [WeightComponent] = type == "NF4"
            ? try NF4Quantizer.quantize(x, shape: info.shape, options: NF4Options(dtype: "float16")).components(prefix: name)
            : try Int8Quantizer.quantize(x, rows: info.shape[0], columns: info.shape[1]).components(weightName: name)
        for c in expected {
            let t = try #require(st.info(c.name), "\(c.name) missing")
            #expect(t.type == c.dtype && t.shape == c.shape, "\(c.name)")
            #expect(try st.withBytes(of: c.name) { [UInt8]($0) } == c.bytes, "\(c.name)")
        }
        #expect(st.info("model.embed_tokens.weight")?.type == .f16)
        #expect(st.info("lm_head.weight")?.type == .f16)
        #expect(st.info("model.norm.weight")?.type == .f16)
    }

    /// Unknown types and formats are refused before anything is written, naming what is supported.
    @Test func badOptionsAreRefused() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        #expect {
            _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: dir + "/x.gguf", type: "Q7_K"))
        } throws: { String(describing: $0).contains("Q4_K_M") }
        #expect(throws: ConvertError.unknownOutputFormat(dir + "/x.bin")) {
            _ = try ConvertJob.run(ConvertOptions(input: ConvertFixtures.model("tiny-llama"), output: dir + "/x.bin"))
        }
        #expect(Self.directoryListing(dir).isEmpty)
    }
}
