import Testing
import Foundation
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// Ingot's codecs against the bytes and floats ggml itself produced (Tests/Fixtures/vectors, made by
/// shared/tools/make_quant_vectors.py with `ggml_quantize_chunk` and ggml's `to_float`).
@Suite struct GGMLVectorTests {
    static let fixture = FixtureVectors.shared

    /// Every (case, type, imatrix?) triple present in the fixture for a type Ingot encodes.
    static var triples: [(String, ElementType, Bool)] {
        var out: [(String, ElementType, Bool)] = []
        for c in fixture.cases {
            for codec in Codecs.encoders {
                let name = codec.type.displayName
                if fixture.shape("\(c).\(name).bytes") != nil { out.append((c, codec.type, false)) }
                if fixture.shape("\(c).\(name).imatrix.bytes") != nil { out.append((c, codec.type, true)) }
            }
        }
        return out
    }

    static var labels: [String] { triples.map { "\($0.0) \($0.1.displayName)\($0.2 ? " imatrix" : "")" } }

    @Test(arguments: labels)
    func bytesMatchGGML(_ label: String) throws {
        let (c, type, useImatrix) = Self.triples[Self.labels.firstIndex(of: label)!]
        let f = Self.fixture
        let suffix = useImatrix ? ".imatrix" : ""
        let input = try #require(f.floats("\(c).input"))
        let shape = try #require(f.shape("\(c).input"))
        let expected = try #require(f.bytes("\(c).\(type.displayName)\(suffix).bytes"))
        let imatrix = useImatrix ? try #require(f.floats("\(c).imatrix")) : nil
        let rowLength = shape[1]
        var got = [UInt8](repeating: 0xAA, count: expected.count)
        try input.withUnsafeBufferPointer { x in
            try got.withUnsafeMutableBytes { out in
                if let imatrix {
                    try imatrix.withUnsafeBufferPointer { w in
                        try Quantizer.quantize(type, rows: x, rowLength: rowLength, importance: w, into: out, threads: 2)
                    }
                } else {
                    try Quantizer.quantize(type, rows: x, rowLength: rowLength, importance: nil, into: out, threads: 2)
                }
            }
        }
        let bb = type.blockBytes
        var bad = 0
        var firstReport: String?
        for b in 0..<(expected.count / bb) where got[b * bb..<(b + 1) * bb] != expected[b * bb..<(b + 1) * bb] {
            bad += 1
            if firstReport == nil {
                let j = (0..<bb).first { got[b * bb + $0] != expected[b * bb + $0] }!
                firstReport = "block \(b) (row \(b * bb / (rowLength / type.blockElements * bb))): first differing byte \(j): "
                    + "ggml \(expected[b * bb + j]) Ingot \(got[b * bb + j]); ggml block \(Array(expected[b * bb..<(b + 1) * bb])) "
                    + "Ingot \(Array(got[b * bb..<(b + 1) * bb]))"
            }
        }
        #expect(bad == 0, "\(label): \(bad) of \(expected.count / bb) blocks differ; \(firstReport ?? "")")
    }

    /// The fixture was replaced by a larger copy (the i-quant and ternary types added): every tensor of the first
    /// copy (Tests/Fixtures/vectors/ggml-quant-vectors.v1.manifest, written by scripts/vector_manifest.py) is still
    /// there with the same dtype, shape and bytes, so the earlier cases of this suite still test the same thing.
    @Test func fixtureKeepsEveryTensorOfItsFirstVersion() throws {
        let text = try String(contentsOf: Fixtures.url("vectors/ggml-quant-vectors.v1.manifest"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 256)
        for line in lines {
            let f = line.split(separator: " ").map(String.init)
            try #require(f.count == 4, "bad manifest line \(line)")
            let info = try #require(Self.fixture.reader.info(f[0]), "\(f[0]) missing")
            #expect(info.type.safetensorsName == f[1], "\(f[0]) dtype")
            #expect(info.shape.map(String.init).joined(separator: "x") == f[2], "\(f[0]) shape")
            let digest = try Self.fixture.reader.withBytes(of: f[0]) { SHA256.hex(of: $0) }
            #expect(digest == f[3], "\(f[0]) bytes")
        }
    }

    @Test(arguments: labels)
    func decodeMatchesGGML(_ label: String) throws {
        let (c, type, useImatrix) = Self.triples[Self.labels.firstIndex(of: label)!]
        let f = Self.fixture
        let suffix = useImatrix ? ".imatrix" : ""
        let q = try #require(f.bytes("\(c).\(type.displayName)\(suffix).bytes"))
        let expected = try #require(f.floats("\(c).\(type.displayName)\(suffix).dequant"))
        let rowLength = try #require(f.shape("\(c).input"))[1]
        var got = [Float](repeating: .nan, count: expected.count)
        try q.withUnsafeBytes { qb in
            try got.withUnsafeMutableBufferPointer { out in
                try Quantizer.dequantize(type, qb, rowLength: rowLength, into: out, threads: 2)
            }
        }
        let i = (0..<expected.count).first { got[$0].bitPattern != expected[$0].bitPattern }
        #expect(i == nil, "\(label): first differing float at \(i ?? -1) (row \((i ?? 0) / rowLength), column \((i ?? 0) % rowLength)): ggml \(i.map { expected[$0] } ?? 0) Ingot \(i.map { got[$0] } ?? 0)")
    }
}
