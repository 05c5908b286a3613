import Foundation
import IngotCore
@testable import IngotFormats
import Testing
import IngotTestSupport

/// `ModelOpener.open` on every kind of input: a file recognised by its bytes (whatever its name), a checkpoint
/// directory, a safetensors index, a gguf-split set; and the errors for what it cannot open.
@Suite struct ModelOpenerTests {
    /// Tensor `name` as `count` floats `base + i` (so every tensor's bytes differ).
    static func floats(_ count: Int, base: Float) -> [Float] { (0..<count).map { base + Float($0) } }

    static func writeGGUF(_ path: String, tensors: [(String, Int)], metadata: Metadata = Metadata()) throws {
        var md = metadata
        if md["general.architecture"] == nil { md.append("general.architecture", .string("llama")) }
        let w = try GGUFWriter(path: path, metadata: md)
        for (n, c) in tensors { try w.declare(try TensorInfo(name: n, type: .f32, shape: [c])) }
        for (i, (n, c)) in tensors.enumerated() {
            try floats(c, base: Float(i * 100)).withUnsafeBytes { try w.write(n, bytes: $0) }
        }
        try w.finish()
    }

    static func writeSafetensors(_ path: String, tensors: [(String, Int)], maxShardSize: Int? = nil) throws -> [String] {
        let w = try SafetensorsWriter(path: path, maxShardSize: maxShardSize)
        for (n, c) in tensors { try w.declare(try TensorInfo(name: n, type: .f32, shape: [c])) }
        for (i, (n, c)) in tensors.enumerated() {
            try floats(c, base: Float(i * 100)).withUnsafeBytes { try w.write(n, bytes: $0) }
        }
        try w.finish()
        return w.outputPaths
    }

    static func values(_ s: any TensorSource, _ name: String) throws -> [Float] {
        try s.withBytes(of: name) { b in (0..<(b.count / 4)).map { b.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    }

    @Test func filesAreRecognisedByTheirBytesNotTheirNames() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        try Self.writeGGUF(dir + "/looks-like.safetensors", tensors: [("a", 32)])
        let written = try Self.writeSafetensors(dir + "/b.safetensors", tensors: [("b", 8)])
        try FileManager.default.moveItem(atPath: written[0], toPath: dir + "/looks-like.gguf")
        let g = try ModelOpener.open(dir + "/looks-like.safetensors")
        #expect(g.formatName == "gguf" && g.tensors.map(\.name) == ["a"])
        #expect(try Self.values(g, "a") == Self.floats(32, base: 0))
        let s = try ModelOpener.open(dir + "/looks-like.gguf")
        #expect(s.formatName == "safetensors" && s.tensors.map(\.name) == ["b"])
        #expect(s.filePaths == [dir + "/looks-like.gguf"])
        #expect(try ModelOpener.format(of: dir + "/looks-like.gguf").name == "safetensors")
    }

    @Test func directoryAndIndexOpenEveryShard() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let tensors = (0..<5).map { ("t\($0)", 64) }
        let paths = try Self.writeSafetensors(dir + "/model.safetensors", tensors: tensors, maxShardSize: 300)
        let shards = paths.filter { $0.hasSuffix(".safetensors") }
        #expect(shards.count >= 3)
        let index = try #require(paths.first { $0.hasSuffix(".index.json") })
        for path in [dir, index] {
            let s = try ModelOpener.open(path)
            #expect(s.formatName == "safetensors")
            #expect(s.tensors.map(\.name) == tensors.map(\.0))
            #expect(s.filePaths == shards)
            // Grouped per shard in shard order; each tensor located in its own shard.
            #expect(s.tensorsByFile.count == shards.count)
            #expect(s.tensorsByFile.flatMap { $0 }.map(\.name) == tensors.map(\.0))
            for (k, group) in s.tensorsByFile.enumerated() {
                for t in group { #expect(s.location(of: t.name)?.path == shards[k]) }
            }
            #expect(try Self.values(s, "t4") == Self.floats(64, base: 400))
            s.release("t4")
            #expect(try Self.values(s, "t4") == Self.floats(64, base: 400))
        }
        // The multi-tensor scope lends every tensor at once, in the order asked.
        let s = try ModelOpener.open(index)
        let sums = try s.withBytes(of: ["t3", "t0"]) { bs in bs.map { $0.count } + [Int(bs[0].loadUnaligned(as: Float.self))] }
        #expect(sums == [256, 256, 300])
    }

    @Test func splitGGUFSetIsOneSource() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        var md = Metadata()
        md.append("general.architecture", .string("llama"))
        md.append("general.name", .string("split"))
        let w = try GGUFSplitWriter(path: dir + "/m.gguf", metadata: md, maxTensors: 2)
        let tensors = (0..<5).map { ("blk.\($0).ffn_up.weight", 32) }
        for (n, c) in tensors { try w.declare(try TensorInfo(name: n, type: .f32, shape: [c])) }
        for (i, (n, c)) in tensors.enumerated() {
            try Self.floats(c, base: Float(i * 100)).withUnsafeBytes { try w.write(n, bytes: $0) }
        }
        try w.finish()
        #expect(w.outputPaths.count == 3)
        let s = try ModelOpener.open(w.outputPaths[0])
        #expect(s is GGUFSplitSet)
        #expect(s.path == w.outputPaths[0])
        #expect(s.metadata["general.name"]?.stringValue == "split")
        #expect(s.tensors.map(\.name) == tensors.map(\.0))
        #expect(s.filePaths == w.outputPaths)
        #expect(s.tensorsByFile.map(\.count) == [2, 2, 1])
        let last = try #require(s.location(of: "blk.4.ffn_up.weight"))
        #expect(last.path == w.outputPaths[2])
        #expect(last.offset == (try GGUFReader(path: w.outputPaths[2])).dataOffset)
        #expect(try Self.values(s, "blk.4.ffn_up.weight") == Self.floats(32, base: 400))
        #expect(try Self.values(s, "blk.2.ffn_up.weight") == Self.floats(32, base: 200))
        // A later shard alone is refused, pointing at the first file.
        #expect { _ = try ModelOpener.open(w.outputPaths[1]) } throws: {
            String(describing: $0).contains("pass the first file") && String(describing: $0).contains("m-00002-of-00003.gguf")
        }
        // Unless asked to open it as the file it is (inspect shows any file's own header).
        let alone = try ModelOpener.open(w.outputPaths[1], options: OpenOptions(laterShardAlone: true))
        #expect(alone is GGUFReader && alone.tensors.map(\.name) == ["blk.2.ffn_up.weight", "blk.3.ffn_up.weight"])
        // A missing shard is the file error of that shard.
        try FileManager.default.removeItem(atPath: w.outputPaths[2])
        #expect { _ = try ModelOpener.open(w.outputPaths[0]) } throws: {
            ($0 as? FileError)?.path == w.outputPaths[2]
        }
    }

    /// Hand-made sets breaking each rule: the error names the file at fault and what is wrong.
    @Test func badSplitSetsAreRefused() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        func set(_ stem: String, names: [[String]], no: [Int], total: Int) throws -> String {
            for k in 0..<names.count {
                var md = Metadata()
                md.append("general.architecture", .string("llama"))
                md.append("split.no", .uint16(UInt16(no[k])))
                md.append("split.count", .uint16(UInt16(names.count)))
                md.append("split.tensors.count", .int32(Int32(total)))
                try Self.writeGGUF(GGUFSplitWriter.shardPath(dir + "/" + stem + ".gguf", index: k, count: names.count),
                                   tensors: names[k].map { ($0, 32) }, metadata: md)
            }
            return GGUFSplitWriter.shardPath(dir + "/" + stem + ".gguf", index: 0, count: names.count)
        }
        func message(_ path: String) -> String {
            do { _ = try ModelOpener.open(path); return "opened" } catch { return String(describing: error) }
        }
        let dup = try set("dup", names: [["a"], ["a"]], no: [0, 1], total: 2)
        #expect(message(dup).hasPrefix(dir + "/dup-00002-of-00002.gguf: tensor 'a' also appears in an earlier shard"))
        let order = try set("order", names: [["a"], ["b"]], no: [0, 0], total: 2)
        #expect(message(order).hasPrefix(dir + "/order-00002-of-00002.gguf: split.no is 0, expected 1"))
        let count = try set("count", names: [["a"], ["b"]], no: [0, 1], total: 3)
        #expect(message(count).hasPrefix(count + ": split.tensors.count is 3 but the 2 files hold 2 tensors"))
        // The first file renamed: the set's other names cannot be derived.
        try FileManager.default.moveItem(atPath: try set("name", names: [["a"], ["b"]], no: [0, 1], total: 2),
                                         toPath: dir + "/renamed.gguf")
        #expect(message(dir + "/renamed.gguf").contains("not named *-00001-of-00002.gguf"))
    }

    @Test func unknownInputNamesTheFileItsBytesAndTheFormats() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let p = dir + "/notes.gguf"
        Fixtures.write(Array("hello world".utf8), to: p)
        do {
            _ = try ModelOpener.open(p)
            Issue.record("opened a text file")
        } catch let e as IngotFailure {
            #expect(e.description == p + ": not a GGUF or safetensors file (first bytes: [68 65 6C 6C 6F 20 77 6F])")
            let hint = try #require(e.hint)
            for f in FormatRegistry.formats { #expect(hint.contains(f.name) && hint.contains(f.reads)) }
            #expect(e.exitCode == 2)
        }
        Fixtures.write([], to: dir + "/empty")
        #expect { _ = try ModelOpener.open(dir + "/empty") } throws: { String(describing: $0).contains("first bytes: []") }
        #expect { _ = try ModelOpener.open(dir + "/missing") } throws: {
            ($0 as? FileError)?.description == dir + "/missing: cannot open: no such file or directory"
        }
        // An empty directory is a checkpoint without weights: the safetensors reader says so.
        try FileManager.default.createDirectory(atPath: dir + "/empty-dir", withIntermediateDirectories: true)
        #expect { _ = try ModelOpener.open(dir + "/empty-dir") } throws: { String(describing: $0).contains("no .safetensors file") }
    }

    @Test func companionFilesAreFoundInOrBesideTheCheckpoint() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        Fixtures.write(Array("{}".utf8), to: dir + "/config.json")
        _ = try Self.writeSafetensors(dir + "/model.safetensors", tensors: [("a", 4)])
        #expect(ModelOpener.companion("config.json", of: dir) == dir + "/config.json")
        #expect(ModelOpener.companion("config.json", of: dir + "/model.safetensors") == dir + "/config.json")
        #expect(ModelOpener.companion("tokenizer.json", of: dir) == nil)
        #expect(ModelOpener.directory(of: dir + "/model.safetensors") == dir)
    }
}
