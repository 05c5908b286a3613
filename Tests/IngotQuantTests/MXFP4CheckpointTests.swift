import Foundation
import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// The Hugging Face MXFP4 decoder against transformers' semantics on EVERY scale byte 0…255 × every code 0…15.
///
/// Expectations come from `Tests/Fixtures/vectors/mxfp4-hf-table.bin`, which `scripts/make_mxfp4_hf_table.py` computes
/// with NumPy from transformers' own expression (`torch.ldexp(lut[code], s − 127)` = `lut · pow(2.0, s − 127)` in
/// float32, rounded into bfloat16), independently of the Swift code under test.
@Suite struct MXFP4CheckpointTests {
    static let tableURL = Fixtures.url("vectors/mxfp4-hf-table.bin")

    static func expectedTable() throws -> [Float] {
        let data = try Data(contentsOf: tableURL)
        #expect(data.count == 256 * 16 * 4)
        return (0..<(256 * 16)).map { i in
            let b = (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[data.startIndex + 4 * i + $1]) << (8 * UInt32($1)) }
            return Float(bitPattern: b)
        }
    }

    static func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    /// Every (scale, code) pair through the block decoder, in every nibble position of a group.
    @Test func everyScaleAndCodeMatchesTransformers() throws {
        let expected = try Self.expectedTable()
        // One group per (scale, code-pair): byte i = code (2i) | code (2i + 1) << 4 covers all 16 codes in both nibbles.
        let groups = 256 * 2
        var blocks = [UInt8](repeating: 0, count: groups * 16), scales = [UInt8](repeating: 0, count: groups)
        for s in 0..<256 {
            for variant in 0..<2 {
                let g = 2 * s + variant
                scales[g] = UInt8(s)
                for i in 0..<16 {
                    let lo = UInt8((2 * i + variant) % 16), hi = UInt8((2 * i + 1 + variant) % 16)
                    blocks[g * 16 + i] = lo | (hi << 4)
                }
            }
        }
        var out = [Float](repeating: 7, count: groups * 32)
        blocks.withUnsafeBytes { b in scales.withUnsafeBytes { sc in out.withUnsafeMutableBufferPointer { o in
            MXFP4Checkpoint.decode(blocks: b.baseAddress!, scales: sc.baseAddress!, groups: groups, into: o.baseAddress!)
        } } }
        var bad: [String] = []
        for s in 0..<256 {
            for variant in 0..<2 {
                let g = 2 * s + variant
                for k in 0..<32 {
                    let code = (k + variant) % 16
                    let want = expected[s * 16 + code], got = out[g * 32 + k]
                    if !Self.same(want, got) { bad.append("scale \(s) code \(code) position \(k): transformers \(want), Ingot \(got)") }
                    if !Self.same(want, MXFP4Checkpoint.value(code: UInt8(code), scale: UInt8(s))) { bad.append("value(\(code), \(s))") }
                }
            }
        }
        #expect(bad.isEmpty, "\(bad.count) differ; first: \(bad.first ?? "")")
    }

    /// The edge cases the decision rests on, stated from first principles (IEEE-754 float32).
    @Test func edgeScalesAreTransformers() throws {
        let expected = try Self.expectedTable()
        // Scale byte 0: 2^-127 is a float32 subnormal (mantissa 2^22 · 2^-149: bit pattern 0x0040_0000), kept, not flushed.
        #expect(MXFP4Checkpoint.scales[0].bitPattern == 0x0040_0000)
        #expect(MXFP4Checkpoint.value(code: 1, scale: 0).bitPattern == 0x0020_0000)     // 0.5 · 2^-127 = 2^-128
        #expect(MXFP4Checkpoint.value(code: 15, scale: 0) == -6 * 0x1p-127)
        // Scale byte 255: pow(2, 128) overflows to +Inf, so ±0 codes give NaN and the others ±Inf.
        #expect(MXFP4Checkpoint.scales[255] == .infinity)
        #expect(MXFP4Checkpoint.value(code: 0, scale: 255).isNaN && MXFP4Checkpoint.value(code: 8, scale: 255).isNaN)
        #expect(MXFP4Checkpoint.value(code: 1, scale: 255) == .infinity && MXFP4Checkpoint.value(code: 9, scale: 255) == -.infinity)
        // Scale byte 254 (2^127): codes below 2 stay finite, 2·2^127 and up overflow.
        #expect(MXFP4Checkpoint.value(code: 3, scale: 254) == 1.5 * 0x1p127)
        #expect(MXFP4Checkpoint.value(code: 4, scale: 254) == .infinity && MXFP4Checkpoint.value(code: 12, scale: 254) == -.infinity)
        // Scale byte 127 is ×1: the values are the E2M1 table itself, −0 included.
        for c in 0..<16 { #expect(Self.same(MXFP4Checkpoint.value(code: UInt8(c), scale: 127), MXFP4Checkpoint.e2m1[c])) }
        #expect(MXFP4Checkpoint.value(code: 8, scale: 127).bitPattern == 0x8000_0000)
        // The fixture says the same.
        #expect(expected[0 * 16 + 1].bitPattern == 0x0020_0000 && expected[255 * 16 + 0].isNaN && expected[255 * 16 + 1] == .infinity)
    }

    /// The row-matrix entry point (inference's) lays rows out as `[rows, cols / 32]` groups.
    @Test func rowsDecodeAsGroups() {
        let rows = 3, cols = 96, groups = rows * cols / 32
        var rng = SeededRandom(seed: 31)
        let blocks = (0..<(groups * 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let scales = (0..<groups).map { _ in UInt8(truncatingIfNeeded: rng.next() % 40 + 110) }
        var all = [Float](repeating: 0, count: rows * cols), two = [Float](repeating: 0, count: 2 * cols)
        blocks.withUnsafeBytes { b in scales.withUnsafeBytes { s in
            all.withUnsafeMutableBufferPointer { MXFP4Checkpoint.decode(blocks: b.baseAddress!, scales: s.baseAddress!, groups: groups, into: $0.baseAddress!) }
            two.withUnsafeMutableBufferPointer { MXFP4Checkpoint.decode(blocks: b.baseAddress!, scales: s.baseAddress!, rows: 1..<3, cols: cols, into: $0.baseAddress!) }
        } }
        #expect(Array(all[cols...]) == two)
        // Element 2i of a group is the low nibble of byte i.
        #expect(all[0] == MXFP4Checkpoint.value(code: blocks[0] & 0x0F, scale: scales[0]))
        #expect(all[1] == MXFP4Checkpoint.value(code: blocks[0] >> 4, scale: scales[0]))
    }
}
