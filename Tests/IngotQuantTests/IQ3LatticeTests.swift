import Testing
@testable import IngotQuant

/// The IQ3 lattices built from the generated tables (scripts/make_iq_grids.py) as `iq3xs_init_impl` builds them,
/// checked against properties written independently here: the decoders' byte grids hold the same points, every point
/// maps to itself, and each off-lattice code lists exactly the points at its `nwant` smallest distances, in
/// (distance, index) order.
@Suite struct IQ3LatticeTests {
    static func bytes(_ v: UInt32) -> [Int] { (0..<4).map { Int((v >> (8 * UInt32($0))) & 0xFF) } }

    @Test func byteGridsHoldTheEncodersPoints() {
        #expect(IQGrids.iq3xxsGrid.count == 256 && IQGrids.iq3sGrid.count == 512)
        let xxsMagnitude = [4, 12, 20, 28, 36, 44, 52, 62]   // what dequantize_row_iq3_xxs multiplies per level
        for j in 0..<256 {
            let levels = (0..<4).map { (Int(IQ3Lattice.xxs.levels[4 * j + $0]) - 1) / 2 }
            #expect(Self.bytes(IQGrids.iq3xxsGrid[j]) == levels.map { xxsMagnitude[$0] }, "iq3xxs point \(j)")
        }
        for j in 0..<512 {
            #expect(Self.bytes(IQGrids.iq3sGrid[j]) == (0..<4).map { Int(IQ3Lattice.s.levels[4 * j + $0]) }, "iq3s point \(j)")
        }
    }

    @Test func signTableIsSevenBitsPlusParity() {
        for i in 0..<128 {
            #expect(Int(IQGrids.ksignsIQ2XS[i]) == i | (i.nonzeroBitCount % 2) << 7, "\(i)")
        }
    }

    @Test(arguments: [(256, 2), (512, 3)])
    func neighbourListsAreTheNearestPointsInOrder(size: Int, nwant: Int) {
        let lattice = size == 256 ? IQ3Lattice.xxs : IQ3Lattice.s
        func level(_ code: Int, _ k: Int) -> Int { 2 * ((code >> (3 * k)) & 7) + 1 }
        var onLattice = 0
        for code in 0..<4096 {
            let m = Int(lattice.map[code])
            if m >= 0 {
                onLattice += 1
                #expect((0..<4).allSatisfy { Int(lattice.levels[4 * m + $0]) == level(code, $0) }, "code \(code)")
                continue
            }
            let dist = (0..<size).map { j in (0..<4).reduce(0) { s, k in
                let d = Int(lattice.levels[4 * j + k]) - level(code, k); return s + d * d } }
            let wanted = Set(dist).sorted().prefix(nwant)
            let expected = (0..<size).filter { wanted.contains(dist[$0]) }.sorted { (dist[$0], $0) < (dist[$1], $1) }
            let off = -m - 1
            let got = (0..<Int(lattice.neighbours[off])).map { Int(lattice.neighbours[off + 1 + $0]) }
            #expect(got == expected, "code \(code)")
        }
        #expect(onLattice == size)
    }
}
