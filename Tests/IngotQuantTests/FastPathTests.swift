import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// Every codec's public `encode`/`decode` (fast paths: SIMD lanes, vectorized decode, or the reference itself where
/// a codec has no fast path) against its own scalar reference (`encodeReference`/`decodeReference`, protocol
/// requirements), bit for bit, for every codec in the registry: random rows of random shapes and adversarial rows,
/// with and without importance; random bytes for decoding.
@Suite struct FastPathTests {
    static let encodable = Codecs.encoders.map { $0.type }
    static let decodable = Codecs.all.map { $0.type }

    /// Rows built to hit the edges of the encoders: all zero, constant, one outlier among tiny values, alternating
    /// ±max, values on rounding boundaries (k/2 of a power of two), float32 subnormals, a zero block beside a
    /// non-zero one, and the largest finite magnitudes.
    static func adversarialRows(_ n: Int, qk: Int, _ rng: inout SeededRandom) -> [[Float]] {
        var rows: [[Float]] = []
        rows.append([Float](repeating: 0, count: n))
        rows.append([Float](repeating: 0.37, count: n))
        rows.append([Float](repeating: -1e-3, count: n))
        var outlier = (0..<n).map { _ in rng.normal() * 1e-6 }
        outlier[rng.int(0...(n - 1))] = 40
        rows.append(outlier)
        rows.append((0..<n).map { $0 % 2 == 0 ? 1 : -1 })
        rows.append((0..<n).map { Float($0 % 33 - 16) * 0.5 })
        rows.append((0..<n).map { Float(($0 * 7) % 17 - 8) / 16 })
        rows.append((0..<n).map { _ in Float(sign: rng.unit() < 0.5 ? .minus : .plus, exponent: -140, significand: 1 + rng.unit()) })
        rows.append((0..<n).map { $0 < qk ? 0 : rng.normal() })
        rows.append((0..<n).map { _ in (rng.unit() < 0.5 ? -1 : 1) * Float.greatestFiniteMagnitude / Float(1 + rng.int(0...3)) })
        return rows
    }

    @Test(arguments: encodable)
    func encodeEqualsReference(_ type: ElementType) throws {
        let codec = try Codecs.encoder(for: type)
        let qk = type.blockElements, bytes = type.blockBytes
        func check(_ x: [Float], _ w: [Float], blocks: Int, _ what: String) throws {
            for useImportance in [false, true] {
                var fast = [UInt8](repeating: 0x55, count: blocks * bytes)
                var ref = [UInt8](repeating: 0xAA, count: blocks * bytes)
                try x.withUnsafeBufferPointer { xb in
                    try w.withUnsafeBufferPointer { wb in
                        try fast.withUnsafeMutableBytes { try codec.encode(xb, importance: useImportance ? wb : nil, into: $0) }
                        ref.withUnsafeMutableBytes {
                            codec.encodeReference(xb.baseAddress!, useImportance ? wb.baseAddress! : nil, blocks: blocks, into: $0.baseAddress!)
                        }
                    }
                }
                let b = (0..<blocks).first { fast[($0 * bytes)..<(($0 + 1) * bytes)] != ref[($0 * bytes)..<(($0 + 1) * bytes)] }
                #expect(b == nil, "\(type.displayName) \(what) importance \(useImportance): block \(b ?? -1) differs")
            }
        }
        for seed in 0..<14 {
            var rng = SeededRandom(seed: UInt64(seed) &* 7919 &+ UInt64(qk))
            let blocks = rng.int(1...(qk >= 256 ? 3 : 12))
            let n = blocks * qk
            let x = rng.rows(n, kind: seed)
            let w: [Float] = (0..<n).map { _ in rng.unit() * 4 + 0.01 }
            try check(x, w, blocks: blocks, "seed \(seed)")
        }
        var rng = SeededRandom(seed: 4242 &+ UInt64(qk))
        let blocks = 2, n = blocks * qk
        for (k, x) in Self.adversarialRows(n, qk: qk, &rng).enumerated() {
            // Importance with zeros and a wide range, as real imatrix rows have.
            let w: [Float] = (0..<n).map { i in i % 5 == 0 ? 0 : rng.unit() * 1000 }
            try check(x, w, blocks: blocks, "adversarial row \(k)")
        }
    }

    @Test(arguments: decodable)
    func decodeEqualsReference(_ type: ElementType) throws {
        let codec = try Codecs.decoder(for: type)
        for seed in 0..<8 {
            var rng = SeededRandom(seed: UInt64(seed) &+ 99)
            let blocks = rng.int(1...9)
            // Random bytes: every pattern must decode the same way (hostile files included).
            let q: [UInt8] = (0..<(blocks * type.blockBytes)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var fast = [Float](repeating: 1, count: blocks * type.blockElements)
            var ref = [Float](repeating: 2, count: blocks * type.blockElements)
            q.withUnsafeBytes { qb in
                fast.withUnsafeMutableBufferPointer { codec.decode(qb, into: $0) }
                ref.withUnsafeMutableBufferPointer { codec.decodeReference(qb.baseAddress!, blocks: blocks, into: $0.baseAddress!) }
            }
            let i = (0..<fast.count).first { !(fast[$0].bitPattern == ref[$0].bitPattern || (fast[$0].isNaN && ref[$0].isNaN)) }
            #expect(i == nil, "\(type.displayName) seed \(seed): element \(i ?? -1): fast \(i.map { fast[$0] } ?? 0) reference \(i.map { ref[$0] } ?? 0)")
        }
    }

    /// The registry tells encoders from decoders by protocol alone, and every codec's geometry is the type table's.
    @Test func registrySplitsEncodersFromDecodersByProtocol() {
        #expect(Codecs.encoders.map { $0.type } == Codecs.all.filter { $0 is any BlockCodec.Type }.map { $0.type })
        #expect(Set(Codecs.encoders.map { $0.type }) == [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .iq4_nl, .iq4_xs, .iq3_xxs, .iq3_s, .iq2_s, .iq2_xs, .iq2_xxs, .iq1_s, .iq1_m, .mxfp4, .tq1_0, .tq2_0])
        for c in Codecs.all {
            #expect(c.blockElements == c.type.blockElements && c.blockBytes == c.type.blockBytes, "\(c.type)")
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
