import Foundation
import Testing
import IngotCore
@testable import IngotQuant

/// The tensor-level API: argument checks, error payloads, plain types, thread independence.
@Suite struct QuantizerTests {
    @Test func registryMatchesTypeTable() {
        for c in Codecs.all {
            #expect(Codecs.codec(for: c.type) == c)
            #expect(c.type.blockElements > 1, "\(c.type) is a block type")
        }
        #expect(Codecs.codec(for: .i32) == nil)
    }

    @Test func refusesRowLengthNotMultipleOfBlock() throws {
        let x = [Float](repeating: 1, count: 2 * 40)
        var out = [UInt8](repeating: 0, count: 1000)
        let e = #expect(throws: QuantError.self) {
            try x.withUnsafeBufferPointer { xb in
                try out.withUnsafeMutableBytes { try Quantizer.quantize(.q8_0, rows: xb, rowLength: 40, importance: nil, into: $0) }
            }
        }
        #expect(e == .rowLengthNotMultiple(type: .q8_0, rowLength: 40, blockSize: 32))
        #expect(e?.description.contains("40") == true && e?.description.contains("32") == true)
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func refusesNonFiniteWithIndex(_ bad: Float) throws {
        for type in [ElementType.q8_0, .f16] {
            var x = [Float](repeating: 0.25, count: 4 * 64)
            x[2 * 64 + 37] = bad
            var out = [UInt8](repeating: 0, count: try Quantizer.rowBytes(type, rowLength: 64) * 4)
            let e = #expect(throws: QuantError.self) {
                try x.withUnsafeBufferPointer { xb in
                    try out.withUnsafeMutableBytes { try Quantizer.quantize(type, rows: xb, rowLength: 64, importance: nil, into: $0, threads: 2) }
                }
            }
            #expect(e?.row == 2 && e?.column == 37, "\(e?.description ?? "")")
            #expect(e?.description.contains("flat index \(2 * 64 + 37)") == true)
        }
    }

    @Test func refusesNonFiniteImportance() throws {
        let x = [Float](repeating: 0.25, count: 64)
        var w = [Float](repeating: 1, count: 64)
        w[5] = .nan
        var out = [UInt8](repeating: 0, count: 36)
        let e = #expect(throws: QuantError.self) {
            try x.withUnsafeBufferPointer { xb in
                try w.withUnsafeBufferPointer { wb in
                    try out.withUnsafeMutableBytes { try Quantizer.quantize(.q4_0, rows: xb, rowLength: 64, importance: wb, into: $0) }
                }
            }
        }
        if case .nonFiniteImportance(_, let i)? = e { #expect(i == 5) } else { Issue.record("got \(String(describing: e))") }
    }

    @Test func refusesWrongBufferSizes() throws {
        let x = [Float](repeating: 0.25, count: 64)
        var small = [UInt8](repeating: 0, count: 67)
        #expect(throws: QuantError.self) {
            try x.withUnsafeBufferPointer { xb in
                try small.withUnsafeMutableBytes { try Quantizer.quantize(.q8_0, rows: xb, rowLength: 64, importance: nil, into: $0) }
            }
        }
        let q = [UInt8](repeating: 0, count: 67)
        var y = [Float](repeating: 0, count: 64)
        #expect(throws: QuantError.self) {
            try q.withUnsafeBytes { qb in try y.withUnsafeMutableBufferPointer { try Quantizer.dequantize(.q8_0, qb, rowLength: 64, into: $0) } }
        }
        // Codec-level checks too: a codec used directly is as safe as through Quantizer.
        var out = [UInt8](repeating: 0, count: 10)
        #expect(throws: QuantError.self) {
            try x.withUnsafeBufferPointer { xb in try out.withUnsafeMutableBytes { try Q8_0.encode(xb, importance: nil, into: $0) } }
        }
    }

    @Test func unsupportedTypeListsSupported() throws {
        // Q8_K (ggml's activation format) has no quantizer here; IQ2_XXS, the example until it gained one, now encodes.
        let x = [Float](repeating: 0.25, count: 256)
        var out = [UInt8](repeating: 0, count: 1000)
        let e = #expect(throws: QuantError.self) {
            try x.withUnsafeBufferPointer { xb in
                try out.withUnsafeMutableBytes { try Quantizer.quantize(.q8_K, rows: xb, rowLength: 256, importance: nil, into: $0) }
            }
        }
        #expect(e?.description.contains("Q8_K") == true)
        #expect(e?.description.contains("Q8_0") == true && e?.description.contains("F16") == true)
    }

    @Test(arguments: [ElementType.f32, .f16, .bf16])
    func plainTypesRoundTrip(_ type: ElementType) throws {
        let x: [Float] = (0..<96).map { Float($0) * 0.125 - 5 }
        var q = [UInt8](repeating: 0, count: 96 * type.blockBytes)
        var y = [Float](repeating: .nan, count: 96)
        try x.withUnsafeBufferPointer { xb in
            try q.withUnsafeMutableBytes { try Quantizer.quantize(type, rows: xb, rowLength: 32, importance: nil, into: $0) }
        }
        try q.withUnsafeBytes { qb in try y.withUnsafeMutableBufferPointer { try Quantizer.dequantize(type, qb, rowLength: 32, into: $0) } }
        #expect(x == y)  // every value is exact in F16 and BF16
    }

    @Test func expertImportanceSlices() throws {
        // 4 rows from 2 experts: rows 0-1 use importance slice 0, rows 2-3 slice 1, like llama-quantize (§5.6).
        let rowLength = 32
        let x: [Float] = (0..<(4 * rowLength)).map { Float(sin(Double($0) * 0.7)) }
        let w: [Float] = (0..<(2 * rowLength)).map { $0 < rowLength ? 1 + Float($0 % 7) : 0.1 + Float($0 % 3) }
        var whole = [UInt8](repeating: 0, count: 4 * 18)
        try x.withUnsafeBufferPointer { xb in
            try w.withUnsafeBufferPointer { wb in
                try whole.withUnsafeMutableBytes { try Quantizer.quantize(.q4_0, rows: xb, rowLength: rowLength, importance: wb, into: $0) }
            }
        }
        for r in 0..<4 {
            var one = [UInt8](repeating: 0, count: 18)
            try x.withUnsafeBufferPointer { xb in
                try w.withUnsafeBufferPointer { wb in
                    try one.withUnsafeMutableBytes {
                        try Quantizer.quantize(.q4_0, rows: UnsafeBufferPointer(rebasing: xb[(r * rowLength)..<((r + 1) * rowLength)]),
                                               rowLength: rowLength,
                                               importance: UnsafeBufferPointer(rebasing: wb[(r / 2 * rowLength)..<((r / 2 + 1) * rowLength)]),
                                               into: $0)
                    }
                }
            }
            #expect(Array(whole[(r * 18)..<((r + 1) * 18)]) == one, "row \(r)")
        }
    }
}
