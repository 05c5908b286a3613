import Foundation
import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// The decode-only ggml types against ggml's own `dequantize_row_*` (Tests/Fixtures/vectors/ggml-decode-vectors,
/// made by scripts/make_ggml_decode_vectors.py from the libggml-base that llama-cpp-python builds).
@Suite struct GGMLDecodeVectorTests {
    static let fixture = try! FixtureVectors(url: Fixtures.url("vectors/ggml-decode-vectors.safetensors"))

    static let types: [ElementType] = [.q8_1, .q8_K, .tq1_0, .tq2_0, .nvfp4, .q1_0, .q2_0]
    /// The fixture's types Ingot cannot produce (TQ1_0 and TQ2_0 have encoders now, held to ggml's bytes by
    /// GGMLVectorTests; their blocks here still check the decoder on random bytes).
    static let decodeOnly: [ElementType] = [.q8_1, .q8_K, .nvfp4, .q1_0, .q2_0]
    static var labels: [String] { types.flatMap { t in ["quantized", "random"].map { "\(t.ggmlName!).\($0)" } } }

    @Test(arguments: labels)
    func decodeEqualsGGML(_ label: String) throws {
        let name = String(label.split(separator: ".")[0])
        let type = try #require(ElementType.ggmlTypes.first { $0.ggmlName == name })
        let codec = try #require(Codecs.codec(for: type))
        #expect((codec is any BlockCodec.Type) == !Self.decodeOnly.contains(type))
        let bytes = try #require(Self.fixture.bytes("\(label).bytes"))
        let expected = try #require(Self.fixture.floats("\(label).dequant"))
        var got = [Float](repeating: .nan, count: expected.count)
        bytes.withUnsafeBytes { q in got.withUnsafeMutableBufferPointer { codec.decode(q, into: $0) } }
        let bad = (0..<expected.count).filter { got[$0].bitPattern != expected[$0].bitPattern }
        let first = bad.first ?? 0
        #expect(bad.isEmpty, "\(label): \(bad.count) of \(expected.count) differ; first at \(first): ggml \(expected[first]) Ingot \(got[first])")
    }

    @Test(arguments: decodeOnly)
    func encodeIsRefusedListingEncodableTypes(_ type: ElementType) throws {
        // A decode-only codec has no `encode` at all (it is not a `BlockCodec`); the way to ask for one is the
        // tensor-level API, which must refuse naming the type and listing what it can produce.
        #expect(Codecs.codec(for: type) != nil)
        let x = [Float](repeating: 0.5, count: type.blockElements)
        var out = [UInt8](repeating: 0, count: type.blockBytes)
        let e = #expect(throws: QuantError.self) {
            try x.withUnsafeBufferPointer { xb in
                try out.withUnsafeMutableBytes { try Quantizer.quantize(type, rows: xb, rowLength: xb.count, importance: nil, into: $0, threads: 1) }
            }
        }
        #expect(e?.description.contains("cannot quantize to \(type.displayName)") == true)
        #expect(e?.description.contains("Q4_K") == true)
        #expect(Codecs.decodable.contains(type) && !Codecs.encodable.contains(type))
    }

    /// UE4M3 corner codes: zero, the 0x7F NaN sentinel, the largest normal, bit 7 ignored, the smallest subnormal.
    @Test func ue4m3Table() {
        #expect(NVFP4.ue4m3[0x00] == 0 && NVFP4.ue4m3[0x7F] == 0)
        #expect(NVFP4.ue4m3[0x7E] == 224)            // (1 + 6/8) · 2^8 · 0.5
        #expect(NVFP4.ue4m3[0x38] == 0.5)            // exponent 7: 1.0 · 0.5
        #expect(NVFP4.ue4m3[0x01] == 0x1p-10)        // 1 · 2^-9 · 0.5
        #expect(NVFP4.ue4m3[0xB8] == NVFP4.ue4m3[0x38] && NVFP4.ue4m3[0x80] == 0)
        #expect(NVFP4.ue4m3[0xFF] == 240)
    }
}
