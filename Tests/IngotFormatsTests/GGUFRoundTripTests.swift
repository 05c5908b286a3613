import Foundation
import IngotCore
import Testing
@testable import IngotFormats
import IngotTestSupport

/// Shared sample content for the GGUF round-trip and gguf-py export tests.
enum GGUFSamples {
    /// Every value type, scalars and arrays (strings, bools, empty arrays included), with edge values.
    static func metadata(alignment: UInt32? = nil) -> Metadata {
        var m = Metadata()
        m.append("general.architecture", .string("llama"))
        m.append("test.uint8", .uint8(200))
        m.append("test.int8", .int8(-100))
        m.append("test.uint16", .uint16(60000))
        m.append("test.int16", .int16(-30000))
        m.append("test.uint32", .uint32(4_000_000_000))
        m.append("test.int32", .int32(-2_000_000_000))
        m.append("test.float32", .float32(3.25))
        m.append("test.float32.neg_zero", .float32(-0.0))
        m.append("test.float32.inf", .float32(.infinity))
        m.append("test.bool.true", .bool(true))
        m.append("test.bool.false", .bool(false))
        m.append("test.string", .string("héllo \"wörld\" ✓ 😀\n\t"))
        m.append("test.string.empty", .string(""))
        m.append("test.uint64", .uint64(.max))
        m.append("test.int64", .int64(.min))
        m.append("test.float64", .float64(.pi))
        m.append("test.array.uint8", .array(.uint8, [0, 1, 255].map { .uint8($0) }))
        m.append("test.array.int8", .array(.int8, [-128, 0, 127].map { .int8($0) }))
        m.append("test.array.uint16", .array(.uint16, [0, 65535].map { .uint16($0) }))
        m.append("test.array.int16", .array(.int16, [-32768, 32767].map { .int16($0) }))
        m.append("test.array.uint32", .array(.uint32, [0, .max].map { .uint32($0) }))
        m.append("test.array.int32", .array(.int32, [.min, -1, .max].map { .int32($0) }))
        m.append("test.array.float32", .array(.float32, [0.5, -1.25, 1e-30].map { .float32($0) }))
        m.append("test.array.bool", .array(.bool, [true, false, true].map { .bool($0) }))
        m.append("test.array.string", .array(.string, ["a", "", "ünï", "<0x0A>", "Ġthe"].map { .string($0) }))
        m.append("test.array.uint64", .array(.uint64, [0, .max].map { .uint64($0) }))
        m.append("test.array.int64", .array(.int64, [.min, .max].map { .int64($0) }))
        m.append("test.array.float64", .array(.float64, [1e300, -2.5].map { .float64($0) }))
        m.append("test.array.empty", .array(.int32, []))
        if let alignment { m.append("general.alignment", .uint32(alignment)) }
        return m
    }

    /// One tensor per ggml type (2 rows of 2 blocks), plus a 3-D and a 4-D one.
    static func tensors(types: [ElementType] = ElementType.ggmlTypes) throws -> [TensorInfo] {
        var out = try types.map { t in
            try TensorInfo(name: "blk.0.\(t.ggmlName!).weight", type: t, shape: [2, t.blockElements * 2])
        }
        out.append(try TensorInfo(name: "three_d", type: .f32, shape: [2, 3, 5]))
        out.append(try TensorInfo(name: "four_d", type: .f16, shape: [2, 1, 3, 4]))
        return out
    }

    /// Deterministic bytes for tensor number `seed`.
    static func bytes(_ n: Int, seed: Int) -> [UInt8] {
        var x = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<n).map { _ in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: x >> 56)
        }
    }

    /// Writes a GGUF with `metadata` and `tensors` filled by `bytes(_:seed:)`.
    static func write(_ path: String, metadata: Metadata, tensors: [TensorInfo]) throws {
        let w = try GGUFWriter(path: path, metadata: metadata)
        for t in tensors { try w.declare(t) }
        for (i, t) in tensors.enumerated() { try bytes(t.byteCount, seed: i).withUnsafeBytes { try w.write(t.name, bytes: $0) } }
        try w.finish()
    }
}

@Suite struct GGUFRoundTripTests {
    @Test(arguments: [nil, 64, 1] as [UInt32?])
    func writeThenRead(alignment: UInt32?) throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let path = dir + "/rt.gguf"
        let md = GGUFSamples.metadata(alignment: alignment)
        let tensors = try GGUFSamples.tensors()
        try GGUFSamples.write(path, metadata: md, tensors: tensors)

        let r = try GGUFReader(path: path)
        let align = Int(alignment ?? 32)
        #expect(r.version == 3)
        #expect(r.alignment == align)
        #expect(r.metadata == md)
        #expect(r.metadata.keys == md.keys)
        #expect(r.dataOffset % align == 0)
        #expect(r.tensors.map(\.name) == tensors.map(\.name))
        for (i, t) in tensors.enumerated() {
            let got = r.tensors[i]
            #expect(got.type == t.type && got.shape == t.shape && got.byteCount == t.byteCount, "\(t.name)")
            #expect(r.dimensions[i] == t.shape.reversed())
            #expect(got.offset % align == 0)
            #expect(r.absoluteOffset(of: t.name) == r.dataOffset + got.offset)
            try r.withBytes(of: t.name) { #expect(Array($0) == GGUFSamples.bytes(t.byteCount, seed: i), "\(t.name)") }
        }
        // The file ends with the last tensor's padding, as llama.cpp and gguf-py write it.
        let last = r.tensors.last!
        let padded = last.byteCount + (align - last.byteCount % align) % align
        #expect(r.file.bytes.count == r.dataOffset + last.offset + padded)
    }

    @Test func rewriteIsByteIdentical() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let a = dir + "/a.gguf", b = dir + "/b.gguf"
        try GGUFSamples.write(a, metadata: GGUFSamples.metadata(), tensors: GGUFSamples.tensors())
        let r = try GGUFReader(path: a)
        let w = try GGUFWriter(path: b, metadata: r.metadata)
        for t in r.tensors { try w.declare(t) }
        for t in r.tensors { try r.withBytes(of: t.name) { try w.write(t.name, bytes: $0) } }
        try w.finish()
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
    }

    @Test func versionTwoReads() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let path = dir + "/v2.gguf"
        let w = try GGUFWriter(path: path, metadata: GGUFSamples.metadata(), version: 2)
        try w.finish()
        let r = try GGUFReader(path: path)
        #expect(r.version == 2)
        #expect(r.tensors.isEmpty)
        #expect(r.metadata == GGUFSamples.metadata())
    }

    @Test func writerRejectsWhatGGUFCannotHold() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let p = dir + "/x.gguf"
        var bad = Metadata()
        bad.append("general.alignment", .uint32(24))
        #expect(throws: GGUFError.self) { try GGUFWriter(path: p, metadata: bad) }
        var nested = Metadata()
        nested.append("x", .array(.array, []))
        #expect(throws: GGUFError.self) { try GGUFWriter(path: p, metadata: nested) }
        var mixed = Metadata()
        mixed.append("x", .array(.int32, [.uint8(1)]))
        #expect(throws: GGUFError.self) { try GGUFWriter(path: p, metadata: mixed) }
        let w = try GGUFWriter(path: p, metadata: Metadata())
        #expect(throws: GGUFError.self) { try w.declare(TensorInfo(name: String(repeating: "x", count: 64), type: .f32, shape: [1], byteCount: 4)) }
        #expect(throws: GGUFError.self) { try w.declare(TensorInfo(name: "nf4", type: .nf4, shape: [2], byteCount: 1)) }
        #expect(throws: GGUFError.self) { try w.declare(TensorInfo(name: "q", type: .q4_0, shape: [16], byteCount: 9)) }
        #expect(throws: GGUFError.self) { try w.declare(TensorInfo(name: "d5", type: .f32, shape: [1, 1, 1, 1, 1], byteCount: 4)) }
        try w.declare(TensorInfo(name: "a", type: .f32, shape: [1], byteCount: 4))
        #expect(throws: GGUFError.self) { try w.declare(TensorInfo(name: "a", type: .f32, shape: [1], byteCount: 4)) }
        #expect(throws: GGUFError.self) { try [UInt8](repeating: 0, count: 3).withUnsafeBytes { try w.write("a", bytes: $0) } }
        #expect(throws: GGUFError.self) { try w.finish() }
        w.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func splitWriterNamesAndKeys() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let tensors = (0..<5).map { TensorInfo(name: "t\($0)", type: .f32, shape: [8], byteCount: 32) }
        var md = Metadata()
        md.append("general.architecture", .string("llama"))
        let w = try GGUFSplitWriter(path: dir + "/model.gguf", metadata: md, maxTensors: 2)
        for t in tensors { try w.declare(t) }
        for (i, t) in tensors.enumerated() { try GGUFSamples.bytes(32, seed: i).withUnsafeBytes { try w.write(t.name, bytes: $0) } }
        try w.finish()
        #expect(w.outputPaths.map { ($0 as NSString).lastPathComponent } ==
                ["model-00001-of-00003.gguf", "model-00002-of-00003.gguf", "model-00003-of-00003.gguf"])
        var seen: [String] = []
        for (k, p) in w.outputPaths.enumerated() {
            let r = try GGUFReader(path: p)
            #expect(r.metadata["split.no"] == .uint16(UInt16(k)))
            #expect(r.metadata["split.count"] == .uint16(3))
            #expect(r.metadata["split.tensors.count"] == .int32(5))
            #expect((r.metadata["general.architecture"] != nil) == (k == 0))
            for t in r.tensors {
                let i = Int(t.name.dropFirst())!
                try r.withBytes(of: t.name) { #expect(Array($0) == GGUFSamples.bytes(32, seed: i)) }
                seen.append(t.name)
            }
        }
        #expect(seen == tensors.map(\.name))
        let bySize = try GGUFSplitWriter(path: dir + "/s.gguf", metadata: md, maxBytes: 70)
        for t in tensors { try bySize.declare(t) }
        for t in tensors { try [UInt8](repeating: 0, count: 32).withUnsafeBytes { try bySize.write(t.name, bytes: $0) } }
        try bySize.finish()
        #expect(bySize.outputPaths.count == 3)
    }
}

@Suite struct GGUFFixtureTests {
    // Expected counts obtained once with gguf-py 0.19.0:
    //   r = gguf.GGUFReader(f); len([k for k in r.fields if not k.startswith('GGUF.')]), len(r.tensors),
    //   r.data_offset, len(r.fields['tokenizer.ggml.tokens'].data)
    @Test(arguments: [
        ("ggml-vocab-gpt-2.gguf", 16, 0, 1766816, 50257),
        ("ggml-vocab-llama-bpe.gguf", 20, 0, 7818144, 128256),
        ("ggml-vocab-llama-spm.gguf", 22, 0, 723872, 32000),
        ("ggml-vocab-phi-3.gguf", 26, 0, 726048, 32064),
    ] as [(String, Int, Int, Int, Int)])
    func readsVocab(file: String, keys: Int, tensors: Int, dataOffset: Int, tokens: Int) throws {
        let r = try GGUFReader(path: Fixtures.path("vocab/" + file))
        #expect(r.metadata.count == keys)
        #expect(r.tensors.count == tensors)
        #expect(r.dataOffset == dataOffset)
        #expect(r.version == 3)
        #expect(r.metadata["tokenizer.ggml.tokens"]?.arrayValue?.count == tokens)
        #expect(r.repairedStringKeys.isEmpty)
    }
}
