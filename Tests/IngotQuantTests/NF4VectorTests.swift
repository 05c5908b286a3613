import Foundation
import Testing
import IngotCore
import IngotFormats
@testable import IngotQuant
import IngotTestSupport

/// NF4/FP4 against bitsandbytes 0.50.2's CPU backend (Tests/Fixtures/quant/nf4-vectors.safetensors, made by
/// scripts/make_nf4_vectors.py): Ingot's packing equals bitsandbytes' bytes, Ingot decodes bitsandbytes' packing to
/// exactly bitsandbytes' floats, and the quant-state JSON is byte-identical.
@Suite struct NF4VectorTests {
    static let url = Fixtures.url("quant/nf4-vectors.safetensors")
    static let fixture = try! FixtureVectors(url: url)

    /// `__metadata__["quant_states"]`: bitsandbytes' quant-state JSON text per configuration.
    static let quantStates: [String: String] = {
        let meta = fixture.stringMetadata
        return try! JSONSerialization.jsonObject(with: Data(meta["quant_states"]!.utf8)) as! [String: String]
    }()

    /// Every configuration key (`gauss.nf4.b64.dq`).
    static var keys: [String] { quantStates.keys.sorted() }

    struct Config {
        let key: String, caseName: String, type: FourBitType, blockSize: Int, doubleQuant: Bool
        init(_ key: String) {
            self.key = key
            let p = key.split(separator: ".").map(String.init)
            caseName = p[0]
            type = FourBitType(rawValue: p[1])!
            blockSize = Int(p[2].dropFirst())!
            doubleQuant = p.count > 3
        }
    }

    /// bitsandbytes' tensor for a configuration, rebuilt as an ``NF4Tensor`` from its components.
    static func bnbTensor(_ c: Config) throws -> NF4Tensor {
        let f = fixture
        let state = try NF4QuantState(dictionary: try JSONSerialization.jsonObject(with: Data(quantStates[c.key]!.utf8)) as! [String: Any])
        let prefix = "w"
        var parts: [String: WeightComponent] = [:]
        let packed = f.bytes("\(c.key).packed")!
        parts[prefix] = WeightComponent(name: prefix, dtype: .u8, shape: f.shape("\(c.key).packed")!, bytes: packed)
        parts["\(prefix).quant_map"] = .f32("\(prefix).quant_map", shape: [16], f.floats("quant_map.\(c.type.rawValue)")!)
        if c.doubleQuant {
            let codes = f.bytes("\(c.key).absmax")!
            parts["\(prefix).absmax"] = WeightComponent(name: "\(prefix).absmax", dtype: .u8, shape: [codes.count], bytes: codes)
            let na = f.floats("\(c.key).nested_absmax")!
            parts["\(prefix).nested_absmax"] = .f32("\(prefix).nested_absmax", shape: [na.count], na)
            parts["\(prefix).nested_quant_map"] = .f32("\(prefix).nested_quant_map", shape: [256], f.floats("nested_quant_map")!)
        } else {
            let a = f.floats("\(c.key).absmax")!
            parts["\(prefix).absmax"] = .f32("\(prefix).absmax", shape: [a.count], a)
        }
        return try NF4Tensor(prefix: prefix, state: state, lookup: { parts[$0] })
    }

    @Test func codebooksAndDynamicMapMatchBitsandbytes() throws {
        let f = Self.fixture
        #expect(try #require(f.floats("quant_map.nf4")).map(\.bitPattern) == FourBitType.nf4.codebook.map(\.bitPattern))
        #expect(try #require(f.floats("quant_map.fp4")).map(\.bitPattern) == FourBitType.fp4.codebook.map(\.bitPattern))
        #expect(try #require(f.floats("nested_quant_map")).map(\.bitPattern) == DynamicMap.values.map(\.bitPattern))
    }

    @Test(arguments: keys)
    func packingEqualsBitsandbytes(_ key: String) throws {
        let c = Config(key)
        let f = Self.fixture
        let x = try #require(f.floats("\(c.caseName).input"))
        let shape = try #require(f.shape("\(c.caseName).input"))
        let bnbOffset = c.doubleQuant ? try #require(f.floats("\(key).nested_offset"))[0] : nil
        let t = try NF4Quantizer.quantize(x, shape: shape, options: NF4Options(
            type: c.type, blockSize: c.blockSize, doubleQuant: c.doubleQuant, nestedOffset: bnbOffset, threads: 3))
        let expected = try #require(f.bytes("\(key).packed"))
        let bad = (0..<expected.count).filter { t.packed[$0] != expected[$0] }
        #expect(bad.isEmpty, "\(key): \(bad.count) of \(expected.count) packed bytes differ, first at \(bad.first ?? -1)")
        switch t.absmax {
        case .float(let a):
            #expect(a.map(\.bitPattern) == (try #require(f.floats("\(key).absmax"))).map(\.bitPattern))
        case let .doubleQuantized(codes, nested, map):
            #expect(codes == (try #require(f.bytes("\(key).absmax"))), "\(key): double-quantized absmax codes")
            #expect(nested.map(\.bitPattern) == (try #require(f.floats("\(key).nested_absmax"))).map(\.bitPattern))
            #expect(map == DynamicMap.values)
        }
        #expect(t.state.json == Self.quantStates[key], "\(key): quant-state JSON text")
        // The float absmax double quantization started from is bitsandbytes' as well.
        if c.doubleQuant {
            let plain = try NF4Quantizer.quantize(x, shape: shape, options: NF4Options(type: c.type, blockSize: c.blockSize))
            guard case .float(let a) = plain.absmax else { Issue.record("expected float absmax"); return }
            #expect(a.map(\.bitPattern) == (try #require(f.floats("\(key).absmax_f32"))).map(\.bitPattern))
        }
    }

    @Test(arguments: keys)
    func decodeOfBitsandbytesPackingEqualsItsFloats(_ key: String) throws {
        let t = try Self.bnbTensor(Config(key))
        let expected = try #require(Self.fixture.floats("\(key).dequant"))
        for threads in [1, 4] {
            let got = try NF4Quantizer.dequantize(t, threads: threads)
            let bad = (0..<expected.count).filter { got[$0].bitPattern != expected[$0].bitPattern }
            let first = bad.first ?? 0
            #expect(bad.isEmpty, "\(key) (\(threads) threads): \(bad.count) of \(expected.count) floats differ; first at \(first): bitsandbytes \(expected[first]) Ingot \(got[first])")
        }
    }

    /// With its own (Double-summed) mean offset Ingot's packing is still bitsandbytes' (the codes do not depend on it)
    /// and its absmax stays within the double-quantization error of bitsandbytes' float absmax.
    @Test(arguments: keys.filter { $0.hasSuffix(".dq") })
    func ownOffsetKeepsPackingAndBoundsAbsmax(_ key: String) throws {
        let c = Config(key)
        let f = Self.fixture
        let x = try #require(f.floats("\(c.caseName).input"))
        let t = try NF4Quantizer.quantize(x, shape: try #require(f.shape("\(c.caseName).input")),
                                          options: NF4Options(type: c.type, blockSize: c.blockSize, doubleQuant: true))
        #expect(t.packed == (try #require(f.bytes("\(key).packed"))))
        let exact = try #require(f.floats("\(key).absmax_f32"))
        let approx = try t.absmaxValues()
        guard case let .doubleQuantized(_, nested, _) = t.absmax else { Issue.record("not double-quantized"); return }
        for (i, a) in approx.enumerated() {
            let bound = nested[i / 256] * 0.0071 + 1e-6
            #expect(abs(a - exact[i]) <= bound, "\(key) block \(i): \(a) vs \(exact[i])")
        }
    }

    /// Ingot's own packings (Ingot's mean offset) go through IngotFormats' safetensors writer under the names
    /// transformers uses and come back identical through the reader. With `INGOT_WRITE_NF4=path` the file is kept for
    /// scripts/make_nf4_vectors.py `--check-ingot`, where bitsandbytes loads it as transformers does and dequantizes
    /// each weight to compare with the `.ingot_dequant` floats stored beside it.
    @Test func ingotPackingsRoundTripThroughSafetensors() throws {
        let keep = ProcessInfo.processInfo.environment["INGOT_WRITE_NF4"]
        let path = keep ?? NSTemporaryDirectory() + "ingot-nf4-\(getpid()).safetensors"
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: path) } }
        let f = Self.fixture
        var components: [WeightComponent] = []
        var tensors: [String: NF4Tensor] = [:]
        for key in Self.keys {
            let c = Config(key)
            let x = try #require(f.floats("\(c.caseName).input"))
            let shape = try #require(f.shape("\(c.caseName).input"))
            let t = try NF4Quantizer.quantize(x, shape: shape, options: NF4Options(type: c.type, blockSize: c.blockSize, doubleQuant: c.doubleQuant))
            tensors[key] = t
            components += t.components(prefix: key)     // exactly the names transformers writes
            components.append(.f32("\(key).ingot_dequant", shape: shape, try NF4Quantizer.dequantize(t)))
        }
        let w = try SafetensorsWriter(path: path, metadata: [("source", "Ingot NF4Quantizer")])
        for c in components {
            try w.declare(TensorInfo(name: c.name, type: c.dtype, shape: c.shape, offset: 0, byteCount: c.bytes.count))
        }
        for c in components { try c.bytes.withUnsafeBytes { try w.write(c.name, bytes: $0) } }
        try w.finish()

        let file = try SafetensorsFile(path: path)
        var stored: [String: WeightComponent] = [:]
        for info in file.header.tensors {
            stored[info.name] = WeightComponent(name: info.name, dtype: info.type, shape: info.shape, bytes: file.withBytes(of: info) { Array($0) })
        }
        for (key, t) in tensors {
            let json = try #require(stored[NF4QuantState.tensorName(prefix: key, type: t.state.quantType)]).bytes
            let state = try NF4QuantState(dictionary: try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any])
            let back = try NF4Tensor(prefix: key, state: state, lookup: { stored[$0] })
            #expect(back == t, "\(key) after the safetensors round trip")
        }
    }
}
