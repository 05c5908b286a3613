import Foundation
import IngotCore
import Testing
@testable import IngotFormats
import IngotTestSupport

/// Builds a safetensors file byte by byte: u64 header length, header text, data.
private func stBytes(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
    var w = ByteWriter()
    let h = Array(header.utf8)
    w.u64(length ?? UInt64(h.count))
    w.raw(h)
    w.raw(data)
    return w.bytes
}

/// Writes `bytes` to a temp file and returns the error opening it raises (or nil).
private func openError(_ bytes: [UInt8], name: String = "bad.safetensors") -> (SafetensorsError?, String) {
    let dir = Fixtures.temporaryDirectory()
    defer { Fixtures.cleanup(dir) }
    let path = dir + "/" + name
    Fixtures.write(bytes, to: path)
    do { _ = try SafetensorsReader(path: path); return (nil, path) }
    catch let e as SafetensorsError { return (e, path) }
    catch { Issue.record("unexpected error \(error)"); return (nil, path) }
}

private func kindName(_ e: SafetensorsError?) -> String {
    guard let e else { return "none" }
    return Mirror(reflecting: e).children.first?.label ?? "\(e)"
}

@Suite struct SafetensorsMalformedTests {
    static let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    @Test func acceptsMinimalAndEmpty() throws {
        #expect(openError(stBytes(Self.good, data: Array(repeating: 0, count: 8))).0 == nil)
        #expect(openError(stBytes("{}")).0 == nil)
        #expect(openError(stBytes("  {\"__metadata__\": null}   ")).0 == nil)
        // Extra fields are ignored, as serde does.
        #expect(openError(stBytes(#"{"a":{"dtype":"U8","shape":[],"data_offsets":[0,1],"x":1}}"#, data: [7])).0 == nil)
    }

    @Test(arguments: [
        // (name, file bytes, expected case, text that must appear after the path)
        ("short", Array([UInt8](repeating: 0, count: 5)), "headerTooSmall", "5 bytes"),
        ("too large", stBytes("{}", length: 100_000_001), "headerTooLarge", "100000001 at byte 0"),
        ("past end", stBytes("{}", length: 64), "headerPastEnd", "header length 64"),
        ("huge length", stBytes("{}", length: UInt64.max), "headerTooLarge", "exceeds"),
        ("truncated json", stBytes(#"{"a":{"dtype":"F32","#), "invalidHeaderJSON", "at byte 28"),
        ("not json", stBytes("hello"), "invalidHeaderJSON", "at byte 8"),
        ("invalid utf8", stBytes("{\"a\u{FFFD}\":1}").map { $0 == 0xEF ? 0xFF : $0 }, "invalidHeaderJSON", "UTF-8"),
        ("array top", stBytes("[]"), "invalidEntry", "JSON object"),
        ("entry not object", stBytes(#"{"w":3}"#), "invalidEntry", "'w'"),
        ("no dtype", stBytes(#"{"w":{"shape":[],"data_offsets":[0,0]}}"#), "invalidEntry", "missing field 'dtype'"),
        ("no shape", stBytes(#"{"w":{"dtype":"F32","data_offsets":[0,0]}}"#), "invalidEntry", "'shape'"),
        ("neg shape", stBytes(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#), "invalidEntry", "non-negative"),
        ("float shape", stBytes(#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,0]}}"#), "invalidEntry", "'shape'"),
        ("neg offset", stBytes(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[-4,0]}}"#), "invalidEntry", "data_offsets"),
        ("3 offsets", stBytes(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[0,0,0]}}"#), "invalidEntry", "two integers"),
        ("unknown dtype", stBytes(#"{"w":{"dtype":"F17","shape":[0],"data_offsets":[0,0]}}"#), "unknownDType", "'w' has unknown dtype 'F17'"),
        ("lowercase dtype", stBytes(#"{"w":{"dtype":"f32","shape":[0],"data_offsets":[0,0]}}"#), "unknownDType", "'f32'"),
        ("unsupported", stBytes(#"{"w":{"dtype":"F8_E8M0","shape":[0],"data_offsets":[0,0]}}"#), "unsupportedDType", "F8_E8M0"),
        ("duplicate", stBytes(#"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [1]), "duplicateTensor", "'w' appears twice"),
        ("metadata int", stBytes(#"{"__metadata__":{"format":1}}"#), "invalidMetadata", "'format'"),
        ("metadata array", stBytes(#"{"__metadata__":[]}"#), "invalidMetadata", "__metadata__"),
        ("size mismatch", stBytes(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "sizeMismatch", "needs 12 bytes"),
        ("overflow", stBytes(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "sizeMismatch", "overflows"),
        ("end before begin", stBytes(#"{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}"#), "invalidOffset", "end before begin"),
        ("nonzero start", stBytes(#"{"w":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}"#, data: [0, 0, 0, 0]), "invalidOffset", "expected begin 0"),
        ("hole", stBytes(#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}"#, data: [0, 0, 0, 0, 0]), "invalidOffset", "'b' has data_offsets [3, 5], expected begin 2 (leaving a hole)"),
        ("overlap", stBytes(#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#, data: [0, 0, 0]), "invalidOffset", "overlapping"),
        ("trailing bytes", stBytes(Self.good, data: [UInt8](repeating: 0, count: 9)), "incompleteBuffer", "cover 8 bytes of the 9-byte"),
        ("data past end", stBytes(Self.good, data: [UInt8](repeating: 0, count: 4)), "incompleteBuffer", "cover 8 bytes of the 4-byte"),
    ] as [(String, [UInt8], String, String)])
    func rejects(name: String, bytes: [UInt8], kind: String, text: String) throws {
        let (e, path) = openError(bytes)
        let err = try #require(e, "\(name) accepted")
        #expect(kindName(err) == kind, "\(name): \(err)")
        #expect(err.description.hasPrefix(path + ": "), "\(name): \(err)")
        #expect(err.description.contains(text), "\(name): \(err)")
        #expect(err.exitCode == 2)
        #expect(err.hint != nil)
    }

    @Test func truncatedEverywhere() throws {
        // Every strict prefix of a valid file is rejected, never crashes.
        let full = stBytes(#"{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}"#,
                           data: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(openError(full).0 == nil)
        for n in 0..<full.count {
            #expect(openError(Array(full[0..<n])).0 != nil, "prefix of \(n) bytes accepted")
        }
    }
}

@Suite struct SafetensorsRoundTripTests {
    static let types: [ElementType] = ElementType.allCases.filter { $0.safetensorsName != nil }

    /// Deterministic bytes for tensor `i`.
    static func bytes(_ n: Int, seed: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ 3) } }

    static func infos() throws -> [TensorInfo] {
        try types.enumerated().map { i, t in
            try TensorInfo(name: "layer.\(i).\(t.safetensorsName!.lowercased())", type: t, shape: [i % 3 + 1, 5])
        } + [try TensorInfo(name: "scalar", type: .f32, shape: []), try TensorInfo(name: "empty", type: .f16, shape: [0, 4])]
    }

    @Test func writeThenReadIsIdentical() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let path = dir + "/model.safetensors"
        let infos = try Self.infos()
        let w = try SafetensorsWriter(path: path, metadata: [("format", "pt"), ("note", "ünïcode \"q\"")])
        for t in infos { try w.declare(t) }
        for (i, t) in infos.enumerated() {
            try Self.bytes(t.byteCount, seed: i).withUnsafeBytes { try w.write(t.name, bytes: $0) }
        }
        try w.finish()
        #expect(w.outputPaths == [path])

        let r = try SafetensorsReader(path: path)
        #expect(r.formatName == "safetensors")
        #expect(r.metadata["format"] == .string("pt"))
        #expect(r.metadata["note"] == .string("ünïcode \"q\""))
        #expect(r.tensors.map(\.name) == infos.map(\.name))
        #expect(r.files[0].header.dataStart % 8 == 0)
        var offset = 0
        for (i, t) in infos.enumerated() {
            let got = try #require(r.info(t.name))
            #expect(got.type == t.type && got.shape == t.shape && got.byteCount == t.byteCount)
            #expect(got.offset == offset)
            offset += t.byteCount
            try r.withBytes(of: t.name) { #expect(Array($0) == Self.bytes(t.byteCount, seed: i)) }
        }
        // Directory opening finds model.safetensors.
        #expect(try SafetensorsReader(path: dir).tensors.count == infos.count)
    }

    @Test func shardedWriteThenRead() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let infos = (0..<7).map { TensorInfo(name: "t\($0)", type: .u8, shape: [$0 == 3 ? 300 : 40], byteCount: $0 == 3 ? 300 : 40) }
        let w = try SafetensorsWriter(path: dir + "/model.safetensors", maxShardSize: 100)
        for t in infos { try w.declare(t) }
        for (i, t) in infos.enumerated() { try Self.bytes(t.byteCount, seed: i).withUnsafeBytes { try w.write(t.name, bytes: $0) } }
        try w.finish()
        // t0+t1 | t2 | t3 (alone: larger than the limit) | t4+t5 | t6
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["model-00001-of-00005.safetensors", "model-00002-of-00005.safetensors",
                          "model-00003-of-00005.safetensors", "model-00004-of-00005.safetensors",
                          "model-00005-of-00005.safetensors", "model.safetensors.index.json"])
        let index = try JSON.parseFile(dir + "/model.safetensors.index.json")
        #expect(index["metadata"]?["total_size"]?.int == 540)
        #expect(index["metadata"]?["total_parameters"]?.int == 540)
        #expect(index["weight_map"]?["t3"]?.string == "model-00003-of-00005.safetensors")
        #expect(index["weight_map"]?.object?.keys == infos.map(\.name).sorted())

        for p in [dir, dir + "/model.safetensors.index.json"] {
            let r = try SafetensorsReader(path: p)
            #expect(r.files.count == 5)
            #expect(r.tensors.map(\.name) == infos.map(\.name))
            #expect(r.indexMetadata?["total_size"]?.int == 540)
            for (i, t) in infos.enumerated() {
                try r.withBytes(of: t.name) { #expect(Array($0) == Self.bytes(t.byteCount, seed: i)) }
            }
            #expect(r.location(of: "t4")?.path.hasSuffix("model-00004-of-00005.safetensors") == true)
        }
    }

    @Test func writerMisuse() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let w = try SafetensorsWriter(path: dir + "/m.safetensors")
        try w.declare(TensorInfo(name: "a", type: .f32, shape: [2], byteCount: 8))
        #expect(throws: SafetensorsError.self) { try w.declare(TensorInfo(name: "a", type: .f32, shape: [2], byteCount: 8)) }
        #expect(throws: SafetensorsError.self) { try w.declare(TensorInfo(name: "b", type: .f32, shape: [2], byteCount: 7)) }
        #expect(throws: SafetensorsError.self) { try w.declare(TensorInfo(name: "q", type: .q4_0, shape: [32], byteCount: 18)) }
        #expect(throws: SafetensorsError.self) { try [UInt8](repeating: 0, count: 4).withUnsafeBytes { try w.write("a", bytes: $0) } }
        #expect(throws: SafetensorsError.self) { try [UInt8](repeating: 0, count: 8).withUnsafeBytes { try w.write("z", bytes: $0) } }
        #expect(throws: SafetensorsError.self) { try w.finish() }
        w.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}

@Suite struct SafetensorsIndexTests {
    /// A two-shard checkpoint in `dir`; returns its index path.
    static func makeSharded(_ dir: String) throws -> String {
        let w = try SafetensorsWriter(path: dir + "/model.safetensors", maxShardSize: 4)
        for n in ["a", "b"] { try w.declare(TensorInfo(name: n, type: .u8, shape: [4], byteCount: 4)) }
        for n in ["a", "b"] { try [UInt8](repeating: 1, count: 4).withUnsafeBytes { try w.write(n, bytes: $0) } }
        try w.finish()
        return dir + "/model.safetensors.index.json"
    }

    static func rewriteIndex(_ path: String, _ weightMap: String) {
        Fixtures.write(Array(#"{"metadata": {"total_size": 8}, "weight_map": \#(weightMap)}"#.utf8), to: path)
    }

    @Test(arguments: [
        (#"{"a": "model-00001-of-00002.safetensors", "b": "model-00009-of-00002.safetensors"}"#, "missingShard",
         "tensor 'b' is mapped to 'model-00009-of-00002.safetensors', which does not exist"),
        (#"{"a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors"}"#, "tensorNotInShard",
         "tensor 'b' is mapped to 'model-00001-of-00002.safetensors', which does not contain it"),
        (#"{"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}"#,
         "tensorNotInShard", "tensor 'c'"),
        (#"{"a": "model-00001-of-00002.safetensors"}"#, "tensorNotInIndex",
         "shard 'model-00002-of-00002.safetensors' holds tensor 'b'"),
        (#"{"a": "../model-00001-of-00002.safetensors"}"#, "invalidIndex", "same directory"),
        (#"{"a": 3}"#, "invalidIndex", "weight_map entry 'a'"),
        (#"[]"#, "invalidIndex", "missing object 'weight_map'"),
    ] as [(String, String, String)])
    func rejectsBadIndex(weightMap: String, kind: String, text: String) throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let index = try Self.makeSharded(dir)
        #expect(try SafetensorsReader(path: dir).tensors.count == 2)
        Self.rewriteIndex(index, weightMap)
        do {
            _ = try SafetensorsReader(path: dir)
            Issue.record("accepted \(weightMap)")
        } catch let e as SafetensorsError {
            #expect(kindName(e) == kind, "\(e)")
            #expect(e.description.hasPrefix(index + ": "), "\(e)")
            #expect(e.description.contains(text), "\(e)")
        }
    }

    @Test func directoryWithoutCheckpoint() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        #expect(throws: SafetensorsError.self) { try SafetensorsReader(path: dir) }
        Fixtures.write(stBytes("{}"), to: dir + "/x.safetensors")
        Fixtures.write(stBytes("{}"), to: dir + "/y.safetensors")
        do { _ = try SafetensorsReader(path: dir); Issue.record("accepted") } catch let e as SafetensorsError {
            #expect(e.description.contains("2 .safetensors files"))
        }
        #expect(throws: FileError.self) { try SafetensorsReader(path: dir + "/nope") }
    }
}

@Suite struct SafetensorsFixtureTests {
    // Expected counts were obtained once with Python:
    //   json.loads(f.read(8 + n)[8:]) on each file: tensors = len(keys) - 1 (__metadata__), metadata = len(__metadata__)
    @Test(arguments: [
        ("models/tiny-llama", 39, 1, 4136), ("models/tiny-mixtral", 65, 1, 7680),
        ("models/tiny-gptoss", 37, 1, 3888), ("models/tiny-gptoss-mxfp4", 41, 1, 4368),
        ("vectors/ggml-quant-vectors.safetensors", 406, 2, 38224),
    ] as [(String, Int, Int, Int)])
    func readsFixture(path: String, tensors: Int, keys: Int, headerLength: Int) throws {
        let r = try SafetensorsReader(path: Fixtures.path(path))
        #expect(r.tensors.count == tensors)
        #expect(r.metadata.count == keys)
        #expect(r.files[0].header.headerLength == headerLength)
        let total = r.tensors.reduce(0) { $0 + $1.byteCount }
        #expect(total + 8 + headerLength == r.files[0].file.bytes.count)
    }
}

@Suite struct SafetensorsPythonParityTests {
    /// Tests/Fixtures/formats/python-written.safetensors was written by the Python safetensors library
    /// (scripts/make_safetensors_fixture.py); our writer must produce the same bytes for the same tensors.
    @Test func sameBytesAsTheRustWriter() throws {
        let fixture = Fixtures.path("formats/python-written.safetensors")
        let expected = try Data(contentsOf: URL(fileURLWithPath: fixture))
        let r = try SafetensorsReader(path: fixture)
        #expect(r.files[0].header.headerLength % 8 == 0)
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let out = dir + "/ours.safetensors"
        let w = try SafetensorsWriter(path: out, metadata: r.files[0].header.metadata)
        for t in r.tensors { try w.declare(t) }
        for t in r.tensors { try r.withBytes(of: t.name) { try w.write(t.name, bytes: $0) } }
        try w.finish()
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == expected)
    }
}
