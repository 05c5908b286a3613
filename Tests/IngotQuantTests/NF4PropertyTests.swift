import Foundation
import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// NF4/FP4 properties over random shapes and seeds, edge inputs, and the checkpoint layout (hostile components).
@Suite struct NF4PropertyTests {
    /// Half the widest gap between neighbouring code values: the worst rounding error relative to the block absmax.
    static func halfGap(_ t: FourBitType) -> Float {
        let s = t.codebook.sorted()
        return (0..<15).map { s[$0 + 1] - s[$0] }.max()! / 2
    }

    @Test(arguments: 0..<24)
    func roundTripErrorWithinBound(_ seed: Int) throws {
        var rng = SeededRandom(seed: UInt64(seed) &* 31 &+ 1)
        let type: FourBitType = seed % 2 == 0 ? .nf4 : .fp4
        let bs = FourBitType.validBlockSizes[rng.int(0..<FourBitType.validBlockSizes.count)]
        let rows = rng.int(1..<9), cols = rng.int(1..<300)
        let scale = Float(pow(10, Double(rng.int(-6..<3))))
        let x = (0..<(rows * cols)).map { _ in rng.gaussian() * scale }
        let dq = seed % 3 == 0
        let t = try NF4Quantizer.quantize(x, shape: [rows, cols], options: NF4Options(type: type, blockSize: bs, doubleQuant: dq))
        try t.validate()
        #expect(t.packed.count == (rows * cols + 1) / 2)
        let y = try NF4Quantizer.dequantize(t)
        let absmax = try t.absmaxValues()
        var nested: [Float] = []
        if case let .doubleQuantized(_, n, _) = t.absmax { nested = n }
        for i in 0..<x.count {
            let b = i / bs
            var amax: Float = 0
            for j in (b * bs)..<min(x.count, (b + 1) * bs) { amax = max(amax, abs(x[j])) }
            // rounding to the nearest code, plus (with double quantization) the error of the decoded absmax
            var bound = amax * Self.halfGap(type) * 1.0001 + Float.ulpOfOne * amax
            if dq { bound += abs(absmax[b] - amax) + nested[b / 256] * 1e-6 }
            #expect(abs(x[i] - y[i]) <= bound, "seed \(seed) i \(i): x \(x[i]) y \(y[i]) bound \(bound)")
        }
        // Threads never change the bytes.
        let t1 = try NF4Quantizer.quantize(x, shape: [rows, cols], options: NF4Options(type: type, blockSize: bs, doubleQuant: dq, threads: 1))
        #expect(t1 == t)
    }

    @Test(arguments: FourBitType.allCases)
    func zeroConstantAndDenormalRows(_ type: FourBitType) throws {
        let zeros = [Float](repeating: 0, count: 130)
        let tz = try NF4Quantizer.quantize(zeros, shape: [2, 65], options: NF4Options(type: type))
        #expect(try NF4Quantizer.dequantize(tz) == zeros)
        // a zero partial last block stores bitsandbytes' clamped absmax 1e-38, still decoding to zeros
        guard case .float(let za) = tz.absmax else { Issue.record("float absmax"); return }
        #expect(za[0] == 0 && za[2] == NF4Quantizer.minAbsmax)
        for c: Float in [0.25, -3, 1e-30] {
            let x = [Float](repeating: c, count: 128)
            let y = try NF4Quantizer.dequantize(try NF4Quantizer.quantize(x, shape: [128], options: NF4Options(type: type)))
            #expect(y == x, "constant \(c)")      // scaled to exactly ±1, the code of ±1.0
        }
        var tiny = [Float](repeating: 0, count: 64)     // subnormals of both signs
        for i in 0..<64 {
            let v = Float(bitPattern: UInt32(i * 1000 + 1))
            tiny[i] = i % 2 == 0 ? v : -v
        }
        let t = try NF4Quantizer.quantize(tiny, shape: [64], options: NF4Options(type: type))
        let y = try NF4Quantizer.dequantize(t)
        #expect(y.allSatisfy { $0.isFinite })
        let amax = tiny.map { abs($0) }.max()!
        // Below bitsandbytes' 1e-38 clamp the scaled values shrink toward 0: the error is bounded by the absmax only.
        #expect(amax < NF4Quantizer.minAbsmax)
        for i in 0..<64 { #expect(abs(y[i] - tiny[i]) <= amax) }
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func rejectsNonFiniteWithRowAndColumn(_ bad: Float) throws {
        var x = [Float](repeating: 0.1, count: 3 * 70)
        x[2 * 70 + 9] = bad
        let e = #expect(throws: QuantError.self) { try NF4Quantizer.quantize(x, shape: [3, 70]) }
        #expect(e?.row == 2 && e?.column == 9)
    }

    @Test func rejectsBadOptions() {
        let x = [Float](repeating: 1, count: 64)
        #expect(throws: WeightLayoutError.unsupportedBlockSize(what: "4-bit block size", found: 48, supported: FourBitType.validBlockSizes)) {
            try NF4Quantizer.quantize(x, shape: [64], options: NF4Options(blockSize: 48))
        }
        #expect(throws: WeightLayoutError.self) { try NF4Quantizer.quantize(x, shape: [64], options: NF4Options(dtype: "int8")) }
        #expect(throws: QuantError.self) { try NF4Quantizer.quantize(x, shape: [8, 9]) }
    }

    // MARK: - Layout

    static func sample(dq: Bool) throws -> NF4Tensor {
        var rng = SeededRandom(seed: 77)
        let x = (0..<(40 * 33)).map { _ in rng.gaussian() }
        return try NF4Quantizer.quantize(x, shape: [40, 33], options: NF4Options(type: .nf4, blockSize: 32, doubleQuant: dq))
    }

    @Test(arguments: [false, true])
    func componentsRoundTrip(_ dq: Bool) throws {
        let t = try Self.sample(dq: dq)
        let parts = t.components(prefix: "model.layers.0.mlp.down_proj.weight")
        let names = parts.map(\.name)
        let p = "model.layers.0.mlp.down_proj.weight"
        var expected = [p, "\(p).absmax", "\(p).quant_map", "\(p).quant_state.bitsandbytes__nf4"]
        if dq { expected += ["\(p).nested_absmax", "\(p).nested_quant_map"] }
        #expect(Set(names) == Set(expected))
        #expect(parts.first { $0.name == p }!.shape == [660, 1])
        #expect(parts.first { $0.name == "\(p).absmax" }!.dtype == (dq ? .u8 : .f32))
        let byName = Dictionary(uniqueKeysWithValues: parts.map { ($0.name, $0) })
        let json = parts.first { $0.name.hasSuffix("bitsandbytes__nf4") }!.bytes
        let dict = try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any]
        let state = try NF4QuantState(dictionary: dict)
        #expect(state == t.state)
        let back = try NF4Tensor(prefix: p, state: state, lookup: { byName[$0] })
        #expect(back == t)
        #expect(try NF4Quantizer.dequantize(back) == NF4Quantizer.dequantize(t))
    }

    @Test func hostileComponentsAreRefusedByName() throws {
        let t = try Self.sample(dq: true)
        let p = "w"
        let good = Dictionary(uniqueKeysWithValues: t.components(prefix: p).map { ($0.name, $0) })
        func read(_ edit: (inout [String: WeightComponent]) -> Void) throws {
            var parts = good
            edit(&parts)
            _ = try NF4Tensor(prefix: p, state: t.state, lookup: { parts[$0] })
        }
        #expect(throws: WeightLayoutError.missingTensor("w.nested_absmax")) { try read { $0["w.nested_absmax"] = nil } }
        #expect(throws: WeightLayoutError.self) { try read { $0["w.absmax"]!.dtype = .f32 } }
        #expect(throws: WeightLayoutError.self) { try read { $0["w"]!.bytes.removeLast() } }
        #expect(throws: WeightLayoutError.self) { try read { $0["w.quant_map"]!.shape = [15]; $0["w.quant_map"]!.bytes.removeLast(4) } }
        #expect(throws: WeightLayoutError.self) { try read { $0["w.nested_quant_map"]!.bytes.removeLast(4) } }
        // hostile quant-state JSON values
        let base = try JSONSerialization.jsonObject(with: Data(t.state.json.utf8)) as! [String: Any]
        for (key, value) in [("blocksize", 48 as Any), ("quant_type", "nf5"), ("dtype", "int8"), ("shape", [-1, 4]),
                             ("shape", "x"), ("bogus", 1), ("nested_offset", "nan")] {
            var d = base
            d[key] = value
            #expect(throws: WeightLayoutError.self, "\(key) = \(value)") { _ = try NF4QuantState(dictionary: d) }
        }
        var partial = base
        partial["nested_dtype"] = nil
        #expect(throws: WeightLayoutError.self) { _ = try NF4QuantState(dictionary: partial) }
        // counts that disagree with the state are caught before decoding
        var bad = t
        bad.state.shape = [41, 33]
        #expect(throws: WeightLayoutError.self) { _ = try NF4Quantizer.dequantize(bad) }
    }

    @Test func bitsAndBytesConfigIsValidJSON() throws {
        let text = BitsAndBytesConfig.json(options: NF4Options(type: .fp4, doubleQuant: true), computeDType: "bfloat16",
                                           skipModules: ["lm_head"])
        let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(obj["quant_method"] as? String == "bitsandbytes" && obj["load_in_4bit"] as? Bool == true)
        #expect(obj["bnb_4bit_quant_type"] as? String == "fp4" && obj["bnb_4bit_use_double_quant"] as? Bool == true)
        #expect(obj["bnb_4bit_compute_dtype"] as? String == "bfloat16" && obj["llm_int8_skip_modules"] as? [String] == ["lm_head"])
        // keys in sorted order, as save_pretrained writes them
        let re = try NSRegularExpression(pattern: "\"([a-z0-9_]+)\": ")
        let keys = re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
        #expect(keys == keys.sorted() && keys.count == 13 && obj.count == 13)
        let plain = try JSONSerialization.jsonObject(with: Data(BitsAndBytesConfig.json(options: NF4Options()).utf8)) as! [String: Any]
        #expect(plain["llm_int8_skip_modules"] is NSNull && plain["bnb_4bit_use_double_quant"] as? Bool == false)
    }

    @Test func quantStateJSONMatchesPythonFormatting() {
        let s = NF4QuantState(quantType: .fp4, blockSize: 128, dtype: "bfloat16", shape: [3, 5], nested: .init(offset: 0.25))
        let expected = "{\"quant_type\": \"fp4\", \"blocksize\": 128, \"dtype\": \"bfloat16\", \"shape\": [3, 5], "
            + "\"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": 0.25}"
        #expect(s.json == expected)
        #expect(NF4QuantState.pythonRepr(2) == "2.0" && NF4QuantState.pythonRepr(1e-5) == "1e-05")
        #expect(NF4QuantState.pythonRepr(Double(Float(0.1))) == "0.10000000149011612")
    }
}
