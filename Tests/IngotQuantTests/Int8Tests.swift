import Foundation
import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// INT8 per-row and grouped quantization: error bound, rounding, edge rows, NaN rejection, kernels, layout.
@Suite struct Int8Tests {
    static let schemes: [Int8Scheme] = [.perRow, .group(32), .group(64), .group(128)]
    static var configs: [(Int8Scheme, ElementType)] { schemes.flatMap { s in [(s, ElementType.f32), (s, .f16)] } }

    @Test(arguments: 0..<8)
    func roundTripWithinHalfScale(_ i: Int) throws {
        let (scheme, st) = Self.configs[i]
        var rng = SeededRandom(seed: UInt64(i) &+ 1234)
        let rows = rng.int(1..<12), cols = 128 * rng.int(1..<4)
        let mag = Float(pow(10, Double(rng.int(-4..<3))))
        let x = (0..<(rows * cols)).map { _ in rng.gaussian() * mag }
        let t = try Int8Quantizer.quantize(x, rows: rows, columns: cols, options: Int8Options(scheme: scheme, scaleType: st))
        try t.validate()
        let y = try Int8Quantizer.dequantize(t)
        let g = scheme.groupSize(columns: cols)
        for r in 0..<rows {
            for c in 0..<cols {
                let s = t.scales[r * t.groupsPerRow + c / g]
                var amax: Float = 0
                for j in (c / g * g)..<(c / g * g + g) { amax = max(amax, abs(x[r * cols + j])) }
                // half a step, plus the clamp slack of an F16-rounded scale
                let bound = s / 2 * 1.0001 + (st == .f16 ? amax * 0x1p-10 : 0)
                #expect(abs(x[r * cols + c] - y[r * cols + c]) <= bound)
                #expect(abs(Int(t.weights[r * cols + c])) <= 127)
            }
        }
        if st == .f16 { #expect(t.scales.allSatisfy { HalfPrecision.float(fromF16: HalfPrecision.f16Bits($0)) == $0 }) }
        #expect(try Int8Quantizer.quantize(x, rows: rows, columns: cols, options: Int8Options(scheme: scheme, scaleType: st, threads: 1)) == t)
    }

    @Test func roundingIsHalfToEvenOnTheStoredScale() throws {
        // amax 127 → scale 1: 2.5 → 2, 3.5 → 4, -2.5 → -2, 0.5 → 0
        var x = [Float](repeating: 0, count: 32)
        x[0] = 127; x[1] = 2.5; x[2] = 3.5; x[3] = -2.5; x[4] = 0.5; x[5] = -127
        let t = try Int8Quantizer.quantize(x, rows: 1, columns: 32)
        #expect(t.scales == [1])
        #expect(Array(t.weights[0..<6]) == [127, 2, 4, -2, 0, -127])
    }

    @Test func zeroConstantAndTinyRows() throws {
        var x = [Float](repeating: 0, count: 4 * 64)
        for c in 0..<64 { x[64 + c] = -0.75 }                    // constant row: every code −127, exact
        for c in 0..<64 { x[128 + c] = 1e-9 * Float(c) }        // F16 scale underflows to 0: codes 0
        for c in 0..<64 { x[192 + c] = Float(c) - 32 }
        let t = try Int8Quantizer.quantize(x, rows: 4, columns: 64, options: Int8Options(scaleType: .f16))
        let y = try Int8Quantizer.dequantize(t)
        #expect(Array(y[0..<64]) == [Float](repeating: 0, count: 64))
        #expect(Array(y[64..<128]) == [Float](repeating: -0.75, count: 64) || t.weights[64..<128].allSatisfy { $0 == -127 })
        #expect(t.scales[2] == 0 && t.weights[128..<192].allSatisfy { $0 == 0 })
        #expect(throws: WeightLayoutError.self) {
            try Int8Quantizer.quantize([Float](repeating: 1e7, count: 32), rows: 1, columns: 32, options: Int8Options(scaleType: .f16))
        }
        #expect(try Int8Quantizer.quantize([Float](repeating: 1e7, count: 32), rows: 1, columns: 32).scales[0] == 1e7 / 127)
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func rejectsNonFinite(_ bad: Float) {
        var x = [Float](repeating: 1, count: 3 * 64)
        x[64 + 17] = bad
        let e = #expect(throws: QuantError.self) { try Int8Quantizer.quantize(x, rows: 3, columns: 64) }
        #expect(e?.row == 1 && e?.column == 17)
    }

    @Test func rejectsBadGroups() {
        let x = [Float](repeating: 1, count: 96)
        #expect(throws: QuantError.rowLengthNotMultiple(type: .int8Row, rowLength: 96, blockSize: 64)) {
            try Int8Quantizer.quantize(x, rows: 1, columns: 96, options: Int8Options(scheme: .group(64)))
        }
        #expect(throws: WeightLayoutError.self) { try Int8Quantizer.quantize(x, rows: 1, columns: 96, options: Int8Options(scheme: .group(48))) }
        #expect(throws: WeightLayoutError.self) { try Int8Quantizer.quantize(x, rows: 1, columns: 96, options: Int8Options(scaleType: .bf16)) }
    }

    @Test func kernelsFastEqualReference() {
        var rng = SeededRandom(seed: 42)
        for count in [8, 32, 64, 13] {
            let x = (0..<count).map { _ in rng.gaussian() }
            let scale = x.map { abs($0) }.max()! / 127
            var q1 = [Int8](repeating: 0, count: count), q2 = q1
            x.withUnsafeBufferPointer { xb in
                Int8Quantizer.encodeGroupReference(xb.baseAddress!, count: count, scale: scale, into: &q1)
                Int8Quantizer.encodeGroupFast(xb.baseAddress!, count: count, scale: scale, into: &q2)
            }
            #expect(q1 == q2)
            var y1 = [Float](repeating: 0, count: count), y2 = y1
            q1.withUnsafeBufferPointer { qb in
                Int8Quantizer.decodeGroupReference(qb.baseAddress!, count: count, scale: scale, into: &y1)
                Int8Quantizer.decodeGroupFast(qb.baseAddress!, count: count, scale: scale, into: &y2)
            }
            #expect(y1.map(\.bitPattern) == y2.map(\.bitPattern))
        }
        // a subnormal F16 scale far below amax / 127: both paths clamp at ±127, ties still go to even
        let scale: Float = 0x1p-24
        let x: [Float] = [130, -131, 2.5, -3.5, 126.5, -127.5].map { $0 * scale }
        var q1 = [Int8](repeating: 0, count: x.count), q2 = q1
        x.withUnsafeBufferPointer { xb in
            Int8Quantizer.encodeGroupReference(xb.baseAddress!, count: x.count, scale: scale, into: &q1)
            Int8Quantizer.encodeGroupFast(xb.baseAddress!, count: x.count, scale: scale, into: &q2)
        }
        #expect(q1 == [127, -127, 2, -4, 126, -127] && q2 == q1)
    }

    @Test(arguments: 0..<8)
    func componentsRoundTrip(_ i: Int) throws {
        let (scheme, st) = Self.configs[i]
        var rng = SeededRandom(seed: 9)
        let x = (0..<(6 * 256)).map { _ in rng.gaussian() }
        let t = try Int8Quantizer.quantize(x, rows: 6, columns: 256, options: Int8Options(scheme: scheme, scaleType: st))
        let parts = t.components(weightName: "m.q_proj.weight")
        #expect(parts.map(\.name) == ["m.q_proj.weight", "m.q_proj.weight_scale"])
        #expect(parts[0].dtype == .i8 && parts[0].shape == [6, 256])
        #expect(parts[1].dtype == st && parts[1].shape == [6, t.groupsPerRow])
        let byName = Dictionary(uniqueKeysWithValues: parts.map { ($0.name, $0) })
        let back = try Int8Tensor(weightName: "m.q_proj.weight", lookup: { byName[$0] })
        #expect(back == t)
        // hostile: wrong scale shape, missing scale, wrong weight dtype
        var bad = byName
        bad["m.q_proj.weight_scale"]!.shape = [5, t.groupsPerRow]
        #expect(throws: WeightLayoutError.self) { _ = try Int8Tensor(weightName: "m.q_proj.weight", lookup: { bad[$0] }) }
        bad = byName
        bad["m.q_proj.weight_scale"] = nil
        #expect(throws: WeightLayoutError.missingTensor("m.q_proj.weight_scale")) { _ = try Int8Tensor(weightName: "m.q_proj.weight", lookup: { bad[$0] }) }
        bad = byName
        bad["m.q_proj.weight"]!.dtype = .u8
        #expect(throws: WeightLayoutError.self) { _ = try Int8Tensor(weightName: "m.q_proj.weight", lookup: { bad[$0] }) }
    }

    @Test func quantizationConfigIsValidJSON() throws {
        for scheme in Self.schemes {
            let text = Int8Tensor.quantizationConfigJSON(scheme: scheme, ignore: ["lm_head", "a\"b"])
            let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            #expect(obj["quant_method"] as? String == "compressed-tensors" && obj["format"] as? String == "int-quantized")
            let w = ((obj["config_groups"] as! [String: Any])["group_0"] as! [String: Any])["weights"] as! [String: Any]
            #expect(w["num_bits"] as? Int == 8 && w["symmetric"] as? Bool == true)
            if case .group(let g) = scheme { #expect(w["strategy"] as? String == "group" && w["group_size"] as? Int == g) }
            else { #expect(w["strategy"] as? String == "channel" && w["group_size"] is NSNull) }
            #expect(obj["ignore"] as? [String] == ["lm_head", "a\"b"])
        }
    }
}
