import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// The vectorized NF4/FP4 kernels against their scalar references, and the double-quantization tables.
@Suite struct NF4KernelTests {
    static let cases: [(FourBitType, Int)] = FourBitType.allCases.flatMap { t in [32, 64, 256, 4096].map { (t, $0) } }

    @Test(arguments: 0..<cases.count)
    func encodeFastEqualsReference(_ i: Int) {
        let (type, bs) = Self.cases[i]
        var rng = SeededRandom(seed: UInt64(i) &* 7919)
        let n = bs * 5 + rng.int(0..<bs)      // a partial last block too
        var x = (0..<n).map { _ in rng.gaussian() * 0.05 }
        // exact midpoints, ±1 and zeros exercise the tie and clamp paths
        for k in 0..<min(n / 3, 40) { x[3 * k] = type.midpoints[k % 15] }
        x[1] = 0; x[2] = -0.0
        let k = EncodeKernel(type: type)
        let nb = (n + bs - 1) / bs
        var p1 = [UInt8](repeating: 0, count: (n + 1) / 2), p2 = p1
        var a1 = [Float](repeating: 0, count: nb), a2 = a1
        x.withUnsafeBufferPointer { xb in
            for b in 0..<nb {
                p1.withUnsafeMutableBufferPointer { p in a1.withUnsafeMutableBufferPointer { a in
                    k.encodeBlockReference(xb, n: n, block: b, blockSize: bs, packed: p, absmax: a) } }
                p2.withUnsafeMutableBufferPointer { p in a2.withUnsafeMutableBufferPointer { a in
                    k.encodeBlockFast(xb, n: n, block: b, blockSize: bs, packed: p, absmax: a) } }
            }
        }
        #expect(p1 == p2, "\(type) block \(bs): packed bytes differ")
        #expect(a1.map(\.bitPattern) == a2.map(\.bitPattern))
    }

    @Test(arguments: 0..<cases.count)
    func decodeFastEqualsReference(_ i: Int) {
        let (type, bs) = Self.cases[i]
        var rng = SeededRandom(seed: UInt64(i) &+ 99)
        let n = bs * 4 + 1 + rng.int(0..<bs)
        let packed = (0..<((n + 1) / 2)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let nb = (n + bs - 1) / bs
        let absmax = (0..<nb).map { _ in rng.unit() * 3 }
        let k = DecodeKernel(codebook: type.codebook)
        var y1 = [Float](repeating: .nan, count: n), y2 = y1
        packed.withUnsafeBufferPointer { p in
            for b in 0..<nb {
                y1.withUnsafeMutableBufferPointer { k.decodeBlockReference(p, absmax: absmax[b], n: n, block: b, blockSize: bs, into: $0) }
                y2.withUnsafeMutableBufferPointer { k.decodeBlockFast(p, absmax: absmax[b], n: n, block: b, blockSize: bs, into: $0) }
            }
        }
        #expect(y1.map(\.bitPattern) == y2.map(\.bitPattern))
    }

    /// Away from cell edges the CPU kernel's cell table gives the nearest map entry; close to a midpoint it may not.
    @Test func dynamicMapCellsAreNearestAtCellCentres() {
        var differs = 0
        for cell in stride(from: 0, to: 65536, by: 7) {
            let v = Float(Double(cell) / 32767.5 - 1)
            #expect(DynamicMap.code(normalized: v) == DynamicMap.cellCodes[cell])
            if DynamicMap.cellCodes[cell] != DynamicMap.nearestCode(v) { differs += 1 }
        }
        #expect(differs == 0)
        // The values bitsandbytes' CPU kernel rounds away from the nearest code (measured on 0.50.2):
        // 5e-7 is nearest to map[128] = 5.5e-7, but its grid cell resolves to map[131].
        #expect(DynamicMap.nearestCode(5e-7) == 128 && DynamicMap.code(normalized: 5e-7) == 131)
        #expect(DynamicMap.code(normalized: 1) == 255 && DynamicMap.code(normalized: -1) == 0)
        #expect(DynamicMap.code(normalized: .nan) == 0)
        #expect(DynamicMap.values[127] == 0 && DynamicMap.values[255] == 1)
    }

    @Test func doubleQuantizationRoundTrip() {
        var rng = SeededRandom(seed: 5)
        let absmax = (0..<600).map { _ in 0.01 + rng.unit() }
        let offset = DoubleQuantization.meanOffset(absmax)
        let (codes, nested) = DoubleQuantization.quantize(absmax, offset: offset)
        #expect(nested.count == 3)
        let back = DoubleQuantization.dequantize(codes: codes, nestedAbsmax: nested, quantMap: DynamicMap.values, offset: offset)
        for i in 0..<absmax.count { #expect(abs(back[i] - absmax[i]) <= nested[i / 256] * 0.0071) }
        // A chunk whose values all equal the offset: absmax 0, codes 0, decoded exactly to the offset.
        let flat = [Float](repeating: 0.25, count: 10)
        let (c2, n2) = DoubleQuantization.quantize(flat, offset: 0.25)
        #expect(c2 == [UInt8](repeating: 0, count: 10) && n2 == [0])
        #expect(DoubleQuantization.dequantize(codes: c2, nestedAbsmax: n2, quantMap: DynamicMap.values, offset: 0.25) == flat)
    }
}
