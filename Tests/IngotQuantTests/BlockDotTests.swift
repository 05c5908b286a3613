import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// `BlockDot` against the exact (Double) dot of the decoded row: any summation order of n float products is within
/// n·2⁻²⁴·Σ|termsᵢ| of it (Higham's bound for recursive summation plus one rounding per product; the terms are qᵢxᵢ,
/// or for Q4_K the scale and min parts summed apart), so both the fast kernels and the left-to-right reference must land there — and a wrong decode would not.
@Suite struct BlockDotTests {
    static let types: [ElementType] = [.f16, .q8_0, .q4_K, .q6_K, .q5_K, .q4_0, .iq4_nl, .mxfp4, .bf16, .f32]

    @Test(arguments: types)
    func dotMatchesExactWithinSummationBound(_ t: ElementType) throws {
        for seed in 0..<5 {
            var rng = SeededRandom(seed: 4242 + UInt64(seed))
            let n = 256 * rng.int(1...6)
            let w = rng.rows(n, kind: seed % 3)
            let x: [Float] = (0..<n).map { _ in rng.normal() }
            var q = [UInt8](repeating: 0, count: try Quantizer.rowBytes(t, rowLength: n))
            try w.withUnsafeBufferPointer { wb in try q.withUnsafeMutableBytes { try Quantizer.quantize(t, rows: wb, rowLength: n, importance: nil, into: $0) } }
            var y = [Float](repeating: 0, count: n)
            try q.withUnsafeBytes { qb in try y.withUnsafeMutableBufferPointer { try Quantizer.dequantizeRow(t, qb, into: $0) } }
            // Q4_K's kernel sums d·sc·q·x and dmin·m·x separately, so its terms are bounded by (|y| + 2|dmin·m|)·|x|.
            let offsets: [Float] = t != .q4_K ? [Float](repeating: 0, count: n) : (0..<n).map { i in
                q.withUnsafeBytes { qb in
                    let blk = qb.baseAddress! + 144 * (i / 256)
                    return QuantMath.loadF16(blk, 2) * Float(KQuantPacking.scaleMinK4(i % 256 / 32, blk, 4).1)
                }
            }
            var exact = 0.0, mag = 0.0
            for i in 0..<n {
                exact += Double(y[i]) * Double(x[i])
                mag += (abs(Double(y[i])) + 2 * abs(Double(offsets[i]))) * abs(Double(x[i]))
            }
            let bound = Double(n) * 0x1p-24 * mag + 1e-30
            let (fast, ref) = q.withUnsafeBytes { qb in
                x.withUnsafeBufferPointer { xb in
                    (BlockDot.dot(t, qb.baseAddress!, xb.baseAddress!, count: n), BlockDot.dotReference(t, qb.baseAddress!, xb.baseAddress!, count: n))
                }
            }
            #expect(abs(Double(fast) - exact) <= bound, "\(t.displayName) seed \(seed): fast \(fast) exact \(exact) bound \(bound)")
            #expect(abs(Double(ref) - exact) <= bound, "\(t.displayName) seed \(seed): reference \(ref) exact \(exact) bound \(bound)")
        }
    }
}
