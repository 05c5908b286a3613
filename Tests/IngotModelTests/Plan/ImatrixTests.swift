import Foundation
import Testing
import IngotCore
@testable import IngotModel

/// A GGUF imatrix held in memory, shaped like the GGUF reader's TensorSource (shapes outermost first).
final class MemoryImatrixSource: TensorSource {
    let formatID = FormatID.gguf
    let path: String
    var metadata = Metadata()
    var tensors: [TensorInfo] = []
    var data: [String: [UInt8]] = [:]

    init(path: String = "mem.imatrix.gguf", datasets: [String]? = ["calib.txt"], chunkCount: UInt32? = 10,
         chunkSize: UInt32? = 512) {
        self.path = path
        if let datasets { metadata.set("imatrix.datasets", .array(.string, datasets.map { .string($0) })) }
        if let chunkCount { metadata.set("imatrix.chunk_count", .uint32(chunkCount)) }
        if let chunkSize { metadata.set("imatrix.chunk_size", .uint32(chunkSize)) }
    }

    /// Adds `<name>.in_sum2` (ne = [ne0, n_mat]) and `<name>.counts` (ne = [1, n_mat]) as llama-imatrix writes them.
    func add(_ name: String, sums: [Float], counts: [Float], type: ElementType = .f32) {
        let nMat = counts.count
        add(tensor: name + ".in_sum2", shape: [nMat, sums.count / max(1, nMat)], floats: sums, type: type)
        add(tensor: name + ".counts", shape: [nMat, 1], floats: counts, type: .f32)
    }

    func add(tensor name: String, shape: [Int], floats: [Float], type: ElementType = .f32) {
        var w = ByteWriter()
        for f in floats { w.f32(f) }
        tensors.append(TensorInfo(name: name, type: type, shape: shape, byteCount: w.count))
        data[name] = w.bytes
    }

    func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try data[name]!.withUnsafeBytes(body)
    }
}

@Suite struct ImatrixTests {
    // MARK: GGUF layout

    @Test func ggufValuesArePerExpertMeans() throws {
        let src = MemoryImatrixSource()
        // Dense: 4 columns, 3 tokens.
        src.add("blk.0.attn_q.weight", sums: [3, 6, 9, 1.5], counts: [3])
        // Experts: 2 columns × 3 experts; expert 1 never routed (count 0 → importance 1); counts are lround'ed.
        src.add("blk.0.ffn_down_exps.weight", sums: [2, 4, 7, 7, 10, 20], counts: [2.4, 0, 4.5])
        let m = try ImportanceMatrix.fromGGUF(src, path: src.path, sha256: "x")
        #expect(m.format == .gguf && m.datasets == ["calib.txt"] && m.chunkCount == 10 && m.chunkSize == 512)
        #expect(m.names == ["blk.0.attn_q.weight", "blk.0.ffn_down_exps.weight"])
        #expect(m.entries["blk.0.attn_q.weight"]?.values == [1, 2, 3, 0.5])
        let e = try #require(m.entries["blk.0.ffn_down_exps.weight"])
        #expect(e.counts == [2, 0, 5])           // std::lround: 2.4 → 2, 4.5 → 5
        #expect(e.values == [1, 2, 1, 1, 2, 4])
        #expect(Array(e.row(2, rowLength: 2)) == [2, 4])

        // Per tensor: ne0 × ne2 values, one row per expert, as llama-quantize slices them.
        let t = try TensorInfo(name: "blk.0.ffn_down_exps.weight", type: .bf16, shape: [3, 32, 2])
        #expect(try m.importance(for: t) == [1, 2, 1, 1, 2, 4])
        #expect(try m.importance(for: TensorInfo(name: "blk.1.attn_q.weight", type: .f16, shape: [4, 4])) == nil)
        let wrong = try TensorInfo(name: "blk.0.attn_q.weight", type: .f16, shape: [8, 8])
        #expect(throws: ImatrixError.sizeMismatch(path: src.path, tensor: wrong.name, values: 4, rowLength: 8, matrices: 1)) {
            try m.importance(for: wrong)
        }
        let kv = m.quantizeMetadata(file: "imatrix.gguf")
        #expect(kv.map(\.key) == ["quantize.imatrix.file", "quantize.imatrix.dataset", "quantize.imatrix.entries_count",
                                  "quantize.imatrix.chunks_count"])
        #expect(kv[2].value == .uint32(2) && kv[3].value == .uint32(10))
        #expect(m.filtered(exclude: ["exps"]).names == ["blk.0.attn_q.weight"])
        #expect(m.filtered(include: ["exps"]).names == ["blk.0.ffn_down_exps.weight"])
    }

    @Test func ggufHostileFiles() throws {
        func load(_ src: MemoryImatrixSource) throws { _ = try ImportanceMatrix.fromGGUF(src, path: src.path, sha256: "") }

        #expect(throws: ImatrixError.missingMetadata(path: "mem.imatrix.gguf", key: "imatrix.chunk_size")) {
            let s = MemoryImatrixSource(chunkSize: nil); s.add("a.weight", sums: [1], counts: [1]); try load(s)
        }
        #expect(throws: ImatrixError.missingMetadata(path: "mem.imatrix.gguf", key: "imatrix.datasets")) {
            let s = MemoryImatrixSource(datasets: nil); s.add("a.weight", sums: [1], counts: [1]); try load(s)
        }
        #expect(throws: ImatrixError.badMetadata(path: "mem.imatrix.gguf", key: "imatrix.chunk_count", expected: "a u32")) {
            let s = MemoryImatrixSource(); s.metadata.set("imatrix.chunk_count", .int64(3))
            s.add("a.weight", sums: [1], counts: [1]); try load(s)
        }
        #expect(throws: ImatrixError.noEntries(path: "mem.imatrix.gguf")) { try load(MemoryImatrixSource()) }
        #expect(throws: ImatrixError.unpaired(path: "mem.imatrix.gguf", entry: "a.weight", missing: ".counts")) {
            let s = MemoryImatrixSource(); s.add(tensor: "a.weight.in_sum2", shape: [1, 2], floats: [1, 2]); try load(s)
        }
        #expect(throws: ImatrixError.notF32(path: "mem.imatrix.gguf", tensor: "a.weight.in_sum2", type: "F16")) {
            let s = MemoryImatrixSource(); s.add("a.weight", sums: [1, 2], counts: [1], type: .f16); try load(s)
        }
        #expect(throws: ImatrixError.self) {   // 5 sums cannot be split over 2 experts
            let s = MemoryImatrixSource()
            s.add(tensor: "a.weight.in_sum2", shape: [5], floats: [1, 2, 3, 4, 5])
            s.add(tensor: "a.weight.counts", shape: [2, 1], floats: [1, 1])
            try load(s)
        }
        for badCount: Float in [-3, .nan, .infinity, 1e30] {
            #expect(throws: ImatrixError.self) {
                let s = MemoryImatrixSource(); s.add("a.weight", sums: [1, 2], counts: [badCount]); try load(s)
            }
        }
        #expect(throws: ImatrixError.nonFinite(path: "mem.imatrix.gguf", entry: "a.weight", index: 1)) {
            let s = MemoryImatrixSource(); s.add("a.weight", sums: [1, .infinity], counts: [2]); try load(s)
        }
    }

    // MARK: Legacy .dat

    /// `save_imatrix_legacy`'s layout, written by hand.
    static func legacy(_ entries: [(String, Int32, [Float])], trailer: (Int32, String)? = (7, "calib.txt")) -> [UInt8] {
        var w = ByteWriter()
        w.i32(Int32(entries.count))
        for (name, ncall, values) in entries {
            w.i32(Int32(name.utf8.count)); w.raw(Array(name.utf8))
            w.i32(ncall); w.i32(Int32(values.count))
            for v in values { w.f32(v) }
        }
        if let (chunks, dataset) = trailer {
            w.i32(chunks); w.i32(Int32(dataset.utf8.count)); w.raw(Array(dataset.utf8))
        }
        return w.bytes
    }

    static func parse(_ bytes: [UInt8], path: String = "old.dat") throws -> ImportanceMatrix {
        try bytes.withUnsafeBytes { try ImportanceMatrix.fromLegacyDat($0, path: path, sha256: "") }
    }

    @Test func legacyValuesAreDividedByCalls() throws {
        let m = try Self.parse(Self.legacy([("blk.0.ffn_up.weight", 4, [4, 8, 2, 1]),
                                            ("blk.0.ffn_up_exps.weight", 0, [1, 2, 3, 4, 5, 6])]))
        #expect(m.format == .legacyDat && m.chunkCount == 7 && m.datasets == ["calib.txt"] && m.chunkSize == 0)
        #expect(m.entries["blk.0.ffn_up.weight"]?.values == [1, 2, 0.5, 0.25])
        #expect(m.entries["blk.0.ffn_up_exps.weight"]?.values == [1, 2, 3, 4, 5, 6])   // ncall 0: as stored
        let experts = try TensorInfo(name: "blk.0.ffn_up_exps.weight", type: .bf16, shape: [3, 8, 2])
        #expect(try m.importance(for: experts)?.count == 6)
        // The trailer is optional.
        let bare = try Self.parse(Self.legacy([("a.weight", 1, [1])], trailer: nil))
        #expect(bare.chunkCount == 0 && bare.datasets.isEmpty)
        #expect(bare.quantizeMetadata(file: "a.dat").map(\.key) == ["quantize.imatrix.file", "quantize.imatrix.entries_count"])
    }

    @Test func legacyHostileFiles() throws {
        #expect(throws: ImatrixError.noEntries(path: "old.dat")) { try Self.parse(Self.legacy([])) }
        var negative = ByteWriter(); negative.i32(1); negative.i32(-5)
        #expect(throws: ImatrixError.self) { try Self.parse(negative.bytes) }
        // Truncated values: the error names the byte offset where the read failed.
        let full = Self.legacy([("a.weight", 1, [1, 2, 3])], trailer: nil)
        do {
            _ = try Self.parse(Array(full.dropLast(2)))
            Issue.record("truncated file accepted")
        } catch let e as ImatrixError {
            #expect(e.description.contains("old.dat") && e.description.contains("byte 24") && e.description.contains("a.weight"))
        }
        #expect(throws: ImatrixError.duplicate(path: "old.dat", entry: "a.weight")) {
            try Self.parse(Self.legacy([("a.weight", 1, [1]), ("a.weight", 1, [2])]))
        }
        #expect(throws: ImatrixError.self) { try Self.parse(Self.legacy([("a.weight", 1, [])])) }
        #expect(throws: ImatrixError.nonFinite(path: "old.dat", entry: "a.weight", index: 0)) {
            try Self.parse(Self.legacy([("a.weight", 1, [.nan])]))
        }
        var huge = ByteWriter(); huge.i32(Int32.max)
        #expect(throws: ImatrixError.self) { try Self.parse(huge.bytes) }
    }

    @Test func loadDispatchesOnMagicAndHashesTheFile() throws {
        let bytes = Self.legacy([("a.weight", 2, [2, 4])])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-imatrix-\(getpid()).dat")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let m = try ImportanceMatrix.load(path: url.path) { _ in
            Issue.record("a .dat file was sent to the GGUF reader")
            return MemoryImatrixSource()
        }
        #expect(m.entries["a.weight"]?.values == [1, 2])
        #expect(m.sha256 == bytes.withUnsafeBytes { SHA256.hex(of: $0) })
        #expect(m.sha256.count == 64)
    }
}
