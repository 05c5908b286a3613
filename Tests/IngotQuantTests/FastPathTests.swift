import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// Every codec's `encode`/`decode` (fast paths: SIMD lanes, vectorized decode) against the plain scalar
/// references (`ReferenceCodecs`), bit for bit, on random data of random shapes, with and without importance.
@Suite struct FastPathTests {
    static let encodable = Codecs.all.filter { $0.supportsEncode }.map { $0.type }

    @Test(arguments: encodable)
    func encodeEqualsReference(_ type: ElementType) throws {
        let codec = try #require(Codecs.codec(for: type))
        let qk = type.blockElements
        for seed in 0..<14 {
            var rng = SeededRandom(seed: UInt64(seed) &* 7919 &+ UInt64(qk))
            let blocks = rng.int(1...(qk >= 256 ? 3 : 12))
            let n = blocks * qk
            let x = rng.rows(n, kind: seed)
            let w: [Float] = (0..<n).map { _ in rng.unit() * 4 + 0.01 }
            for useImportance in [false, true] {
                var fast = [UInt8](repeating: 0x55, count: blocks * type.blockBytes)
                var ref = [UInt8](repeating: 0xAA, count: blocks * type.blockBytes)
                try x.withUnsafeBufferPointer { xb in
                    try w.withUnsafeBufferPointer { wb in
                        try fast.withUnsafeMutableBytes { try codec.encode(xb, importance: useImportance ? wb : nil, into: $0) }
                        ref.withUnsafeMutableBytes {
                            _ = ReferenceCodecs.encode(type, xb.baseAddress!, useImportance ? wb.baseAddress! : nil,
                                                       blocks: blocks, into: $0.baseAddress!)
                        }
                    }
                }
                let b = (0..<blocks).first { fast[($0 * type.blockBytes)..<(($0 + 1) * type.blockBytes)] != ref[($0 * type.blockBytes)..<(($0 + 1) * type.blockBytes)] }
                #expect(b == nil, "\(type.displayName) seed \(seed) importance \(useImportance): block \(b ?? -1) differs")
            }
        }
    }

    @Test(arguments: encodable)
    func decodeEqualsReference(_ type: ElementType) throws {
        let codec = try #require(Codecs.codec(for: type))
        for seed in 0..<8 {
            var rng = SeededRandom(seed: UInt64(seed) &+ 99)
            let blocks = rng.int(1...9)
            // Random bytes: every pattern must decode the same way (hostile files included).
            let q: [UInt8] = (0..<(blocks * type.blockBytes)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var fast = [Float](repeating: 1, count: blocks * type.blockElements)
            var ref = [Float](repeating: 2, count: blocks * type.blockElements)
            q.withUnsafeBytes { qb in
                fast.withUnsafeMutableBufferPointer { codec.decode(qb, into: $0) }
                ref.withUnsafeMutableBufferPointer { _ = ReferenceCodecs.decode(type, qb.baseAddress!, blocks: blocks, into: $0.baseAddress!) }
            }
            let i = (0..<fast.count).first { !(fast[$0].bitPattern == ref[$0].bitPattern || (fast[$0].isNaN && ref[$0].isNaN)) }
            #expect(i == nil, "\(type.displayName) seed \(seed): element \(i ?? -1): fast \(i.map { fast[$0] } ?? 0) reference \(i.map { ref[$0] } ?? 0)")
        }
    }

    @Test func quantizerIsThreadIndependent() throws {
        var rng = SeededRandom(seed: 5)
        let rowLength = 512, rows = 24
        let x = rng.rows(rows * rowLength, kind: 0)
        for type in [ElementType.q4_K, .q8_0, .q6_K] {
            let rb = try Quantizer.rowBytes(type, rowLength: rowLength)
            var one = [UInt8](repeating: 0, count: rb * rows), many = one
            try x.withUnsafeBufferPointer { xb in
                try one.withUnsafeMutableBytes { try Quantizer.quantize(type, rows: xb, rowLength: rowLength, importance: nil, into: $0, threads: 1) }
                try many.withUnsafeMutableBytes { try Quantizer.quantize(type, rows: xb, rowLength: rowLength, importance: nil, into: $0, threads: 4) }
            }
            #expect(one == many, "\(type.displayName)")
        }
    }

    @Test(arguments: [ElementType.f16, .bf16, .f32])
    func quantizeFromStoredTypeEqualsFloatPath(_ source: ElementType) throws {
        var rng = SeededRandom(seed: 11)
        let rowLength = 256, rows = 9
        let x = rng.rows(rows * rowLength, kind: 0)
        var stored = [UInt8](repeating: 0, count: rows * rowLength * source.blockBytes)
        x.withUnsafeBufferPointer { xb in stored.withUnsafeMutableBytes { _ = ElementConversion.fromFloat(source, xb.baseAddress!, $0.baseAddress!, count: x.count) } }
        var back = [Float](repeating: 0, count: x.count)
        stored.withUnsafeBytes { sb in back.withUnsafeMutableBufferPointer { _ = ElementConversion.toFloat(source, sb.baseAddress!, $0.baseAddress!, count: x.count) } }
        let w: [Float] = (0..<(3 * rowLength)).map { _ in rng.unit() + 0.1 }  // three "experts" of three rows each
        for type in [ElementType.q4_K, .q8_0] {
            let rb = try Quantizer.rowBytes(type, rowLength: rowLength)
            var a = [UInt8](repeating: 0, count: rb * rows), b = a
            try w.withUnsafeBufferPointer { wb in
                try stored.withUnsafeBytes { sb in
                    try a.withUnsafeMutableBytes { try Quantizer.quantize(type, from: source, sb, rowLength: rowLength, importance: wb, into: $0, threads: 2) }
                }
                try back.withUnsafeBufferPointer { xb in
                    try b.withUnsafeMutableBytes { try Quantizer.quantize(type, rows: xb, rowLength: rowLength, importance: wb, into: $0, threads: 1) }
                }
            }
            #expect(a == b, "\(type.displayName) from \(source.displayName)")
        }
    }
}
