import Testing
@testable import IngotModel
import IngotTestSupport

/// The fast merge paths (in-place small words, heap for long words) equal the plain reference loop.
@Suite struct BPEMergerTests {
    /// A random merge table over a small alphabet, so long words merge many times.
    static func randomMerger(seed: UInt64) -> (BPEMerger, Int32) {
        var rng = SeededRandom(seed: seed)
        let alphabet: Int32 = 6
        var next = alphabet
        var pairs = PairTable(capacity: 256)
        for rank in 0..<200 {
            let a = Int32(rng.next() % UInt64(next)), b = Int32(rng.next() % UInt64(next))
            pairs.insert(a, b, rank: Int32(rank), merged: next, replace: false)
            next += 1
        }
        return (BPEMerger(pairs: pairs), alphabet)
    }

    @Test(arguments: [1, 2, 3, 17, 47, 48, 49, 200, 3000])
    func fastEqualsReference(length: Int) {
        for seed in 0..<20 {
            let (m, alphabet) = Self.randomMerger(seed: UInt64(seed))
            var rng = SeededRandom(seed: UInt64(seed * 1000 + length))
            let word = (0..<length).map { _ in Int32(rng.next() % UInt64(alphabet)) }
            var a = word, b = word
            m.mergeReference(&a)
            m.merge(&b)
            #expect(a == b, "seed \(seed) length \(length)")
        }
    }

    @Test func classicTieBreakIsLeftmost() {
        var pairs = PairTable(capacity: 4)
        pairs.insert(0, 0, rank: 0, merged: 1, replace: false)
        let m = BPEMerger(pairs: pairs)
        var w: [Int32] = [0, 0, 0]
        m.merge(&w)
        #expect(w == [1, 0])
        var long = [Int32](repeating: 0, count: 101)
        m.merge(&long)
        #expect(long == [Int32](repeating: 1, count: 50) + [0])
    }
}
