import Testing
@testable import IngotQuant

/// The IQ1/IQ2/IQ3 lattices built from the generated tables (scripts/make_iq_grids.py) as `iq3xs_init_impl` /
/// `iq2xs_init_impl` build them, checked against properties written independently here: the decoders' byte grids
/// hold the same points, every point maps to itself, and each off-lattice code lists exactly the points at its
/// `nwant` smallest distances, in (distance, index) order.
@Suite struct IQLatticeTests {
    static func bytes<T: FixedWidthInteger>(_ v: T, _ n: Int) -> [Int] { (0..<n).map { Int((v >> (8 * $0)) & 0xFF) } }
    static func levels(_ lattice: IQLattice, _ j: Int) -> [Int] {
        (0..<lattice.groupSize).map { Int(lattice.levels[lattice.groupSize * j + $0]) }
    }

    @Test func byteGridsHoldTheEncodersPoints() {
        #expect(IQGrids.iq3xxsGrid.count == 256 && IQGrids.iq3sGrid.count == 512 && IQGrids.iq2sGrid.count == 1024)
        let xxsMagnitude = [4, 12, 20, 28, 36, 44, 52, 62]   // what dequantize_row_iq3_xxs multiplies per level
        for j in 0..<256 {
            #expect(Self.bytes(IQGrids.iq3xxsGrid[j], 4) == Self.levels(.iq3xxs, j).map { xxsMagnitude[($0 - 1) / 2] }, "iq3xxs \(j)")
        }
        for j in 0..<512 {
            #expect(Self.bytes(IQGrids.iq3sGrid[j], 4) == Self.levels(.iq3s, j), "iq3s point \(j)")
        }
        let iq2Magnitude = [8, 25, 43]                       // dequantize_row_iq2_s's bytes for levels 0, 1, 2
        for j in 0..<1024 {
            #expect(Self.bytes(IQGrids.iq2sGrid[j], 8) == Self.levels(.iq2s, j).map { iq2Magnitude[($0 - 1) / 2] }, "iq2s \(j)")
        }
        // IQ2_XXS and IQ2_XS decode the same three magnitudes; IQ1's grid holds the levels 0, 1, 2 as −1, 0, +1.
        #expect(IQGrids.iq2xxsGrid.count == 256 && IQGrids.iq2xsGrid.count == 512 && IQGrids.iq1sGrid.count == 2048)
        for j in 0..<256 {
            #expect(Self.bytes(IQGrids.iq2xxsGrid[j], 8) == Self.levels(.iq2xxs, j).map { iq2Magnitude[($0 - 1) / 2] }, "iq2xxs \(j)")
        }
        for j in 0..<512 {
            #expect(Self.bytes(IQGrids.iq2xsGrid[j], 8) == Self.levels(.iq2xs, j).map { iq2Magnitude[($0 - 1) / 2] }, "iq2xs \(j)")
        }
        for j in 0..<2048 {
            let signed = Self.bytes(IQGrids.iq1sGrid[j], 8).map { Int(Int8(truncatingIfNeeded: $0)) }
            #expect(signed == Self.levels(.iq1s, j).map { ($0 - 1) / 2 - 1 }, "iq1s \(j)")
        }
    }

    @Test func signTableIsSevenBitsPlusParity() {
        for i in 0..<128 {
            #expect(Int(IQGrids.ksignsIQ2XS[i]) == i | (i.nonzeroBitCount % 2) << 7, "\(i)")
        }
    }

    /// (lattice, points, nwant, code stride): every IQ3 code, every 13th of the IQ2 lattices' 43692, every 97th of
    /// IQ1's (the check is quadratic).
    @Test(arguments: [("iq3xxs", 256, 2, 1), ("iq3s", 512, 3, 1), ("iq2s", 1024, 1, 13),
                      ("iq2xxs", 256, 2, 13), ("iq2xs", 512, 2, 13), ("iq1s", 2048, 3, 97)])
    func neighbourListsAreTheNearestPointsInOrder(name: String, size: Int, nwant: Int, stride: Int) {
        let all: [String: IQLattice] = ["iq3xxs": .iq3xxs, "iq3s": .iq3s, "iq2s": .iq2s, "iq2xxs": .iq2xxs, "iq2xs": .iq2xs, "iq1s": .iq1s]
        let lattice = all[name]!
        let gs = lattice.groupSize, bits = lattice.bits
        let points = (0..<size).map { Self.levels(lattice, $0) }
        func level(_ code: Int, _ k: Int) -> Int { 2 * ((code >> (bits * k)) & ((1 << bits) - 1)) + 1 }
        var onLattice = 0
        for code in 0..<lattice.map.count {
            let m = Int(lattice.map[code])
            if m >= 0 {
                onLattice += 1
                #expect(points[m] == (0..<gs).map { level(code, $0) }, "\(name) code \(code)")
                continue
            }
            guard code % stride == 0 else { continue }
            let pos = (0..<gs).map { level(code, $0) }
            let dist = points.map { p in zip(p, pos).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            let wanted = Set(dist).sorted().prefix(nwant)
            let expected = (0..<size).filter { wanted.contains(dist[$0]) }.sorted { (dist[$0], $0) < (dist[$1], $1) }
            let off = -m - 1
            let got = (0..<Int(lattice.neighbours[off])).map { Int(lattice.neighbours[off + 1 + $0]) }
            #expect(got == expected, "\(name) code \(code)")
        }
        #expect(onLattice == size)
    }
}
