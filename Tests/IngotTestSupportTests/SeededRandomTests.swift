import IngotTestSupport
import Testing

/// The shared generator is SplitMix64 exactly, so every suite that had its own copy draws the stream it drew before.
@Suite struct SeededRandomTests {
    /// The reference implementation (Vigna's splitmix64.c) from state 0 and from state 1234567.
    @Test func matchesSplitMix64Reference() {
        var a = SeededRandom(seed: 0)
        #expect([a.next(), a.next(), a.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var b = SeededRandom(seed: 1_234_567)
        #expect([b.next(), b.next()] == [0x599E_D017_FB08_FC85, 0x2C73_F084_5854_0FA5])
    }

    @Test func drawsStayInRange() {
        var r = SeededRandom(seed: 9)
        for n in [1, 2, 7, 1000] { for _ in 0..<200 { #expect((0..<n).contains(r.below(n))) } }
        #expect(r.below(0) == 0 && r.below(-3) == 0)
        for _ in 0..<1000 {
            let u = r.unit()
            #expect(u >= 0 && u < 1)
            #expect((-5..<5).contains(r.int(-5..<5)))
            #expect((3...4).contains(r.int(3...4)))
            #expect(r.gaussian().isFinite)
        }
        #expect(r.floats(100, scale: 0.5).allSatisfy { abs($0) <= 0.5 })
    }

    @Test func sameSeedSameStream() {
        var a = SeededRandom(seed: 42), b = SeededRandom(42)
        #expect((0..<64).map { _ in a.next() } == (0..<64).map { _ in b.next() })
    }
}
