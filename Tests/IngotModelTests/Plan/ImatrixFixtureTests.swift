import Foundation
import Testing
import IngotCore
@testable import IngotModel
import IngotTestSupport

/// Files written by scripts/make_imatrix_fixture.py in llama-imatrix's layouts (gguf-py for the GGUF), with the
/// values llama-quantize derives from them computed in NumPy float32: Ingot must read the same values, bit for bit.
@Suite struct ImatrixFixtureTests {
    static let dir = Fixtures.url("imatrix")

    struct Expected {
        var json: [String: Any]
        var values: [Float]

        func slice(_ format: String, _ name: String) -> (ArraySlice<Float>, [String: Any]) {
            let e = (json[format] as! [String: Any])[name] as! [String: Any]
            let offset = e["offset"] as! Int, count = e["count"] as! Int
            return (values[offset..<(offset + count)], e)
        }
    }

    static func expected() throws -> Expected {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tiny-mixtral.imatrix.json"))) as! [String: Any]
        let raw = try Data(contentsOf: dir.appendingPathComponent("tiny-mixtral.imatrix.f32"))
        let values = raw.withUnsafeBytes { b in
            (0..<(b.count / 4)).map { Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return Expected(json: json, values: values)
    }

    /// Compares bit patterns, naming the first differing index.
    static func expectSame(_ got: [Float], _ want: ArraySlice<Float>, _ what: String) {
        #expect(got.count == want.count, "\(what): \(got.count) values, expected \(want.count)")
        let w = Array(want)
        if let i = got.indices.first(where: { $0 < w.count && got[$0].bitPattern != w[$0].bitPattern }) {
            Issue.record("\(what): value \(i) is \(got[i]), expected \(w[i])")
        }
    }

    @Test func legacyDatMatchesLlamaQuantize() throws {
        let path = Self.dir.appendingPathComponent("tiny-mixtral.imatrix.dat").path
        let m = try ImportanceMatrix.load(path: path) { _ in
            Issue.record("a .dat file was sent to the GGUF reader")
            return MemoryImatrixSource()
        }
        let exp = try Self.expected()
        #expect(m.format == .legacyDat)
        #expect(m.datasets == exp.json["datasets"] as! [String])
        #expect(m.chunkCount == exp.json["chunk_count"] as! Int)
        #expect(m.names == (exp.json["dat"] as! [String: Any]).keys.sorted())
        for name in m.names {
            let (want, meta) = exp.slice("dat", name)
            #expect(m.entries[name]?.counts == [meta["ncall"] as! Int])
            Self.expectSame(m.entries[name]!.values, want, name)
        }
        // The expert tensor takes its 8 rows of 128 (tiny-mixtral's ffn_down_exps is [8, 256, 128]).
        let t = try TensorInfo(name: "blk.0.ffn_down_exps.weight", type: .bf16, shape: [8, 256, 128])
        #expect(try m.importance(for: t)?.count == 8 * 128)
        #expect(m.sha256 == (try SHA256.hex(ofFile: path)))
    }

    @Test func ggufMatchesLlamaQuantize() throws {
        let path = Self.dir.appendingPathComponent("tiny-mixtral.imatrix.gguf").path
        let m = try ImportanceMatrix.load(path: path)
        let exp = try Self.expected()
        #expect(m.format == .gguf)
        #expect(m.datasets == exp.json["datasets"] as! [String])
        #expect(m.chunkCount == exp.json["chunk_count"] as! Int && m.chunkSize == exp.json["chunk_size"] as! Int)
        #expect(m.names == (exp.json["gguf"] as! [String: Any]).keys.sorted())
        for name in m.names {
            let (want, meta) = exp.slice("gguf", name)
            #expect(m.entries[name]?.counts == meta["counts"] as? [Int])
            Self.expectSame(m.entries[name]!.values, want, name)
        }
        let experts = try #require(m.entries["blk.0.ffn_down_exps.weight"])
        #expect(experts.matrixCount == 8 && experts.counts[5] == 0)
        #expect(experts.row(5, rowLength: 128).allSatisfy { $0 == 1 })   // never routed: importance 1
        let t = try TensorInfo(name: "blk.0.ffn_down_exps.weight", type: .bf16, shape: [8, 256, 128])
        #expect(try m.importance(for: t) == experts.values)
        #expect(m.sha256 == (try SHA256.hex(ofFile: path)))
    }

    /// The same statistics through both layouts agree to float rounding (the .dat stores mean × ncall).
    @Test func bothLayoutsAgree() throws {
        let g = try ImportanceMatrix.load(path: Self.dir.appendingPathComponent("tiny-mixtral.imatrix.gguf").path)
        let d = try ImportanceMatrix.load(path: Self.dir.appendingPathComponent("tiny-mixtral.imatrix.dat").path)
        #expect(g.names == d.names)
        for name in g.names {
            for (a, b) in zip(g.entries[name]!.values, d.entries[name]!.values) {
                #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "\(name)")
            }
        }
    }
}
