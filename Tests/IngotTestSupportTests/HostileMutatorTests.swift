import IngotTestSupport
import Testing

/// The mutator is deterministic (a failing mutant reproduces from its seed) and makes what it says it makes.
@Suite struct HostileMutatorTests {
    static let base: [UInt8] = Array(0..<64)

    @Test func sameSeedSameMutants() {
        var a = HostileMutator(Self.base, seed: 5), b = HostileMutator(Self.base, seed: 5)
        let x = a.all(header: 0..<16, boundaries: [32], randomFlips: 20)
        let y = b.all(header: 0..<16, boundaries: [32], randomFlips: 20)
        #expect(x.map(\.label) == y.map(\.label))
        #expect(x.map(\.bytes) == y.map(\.bytes))
        var c = HostileMutator(Self.base, seed: 6)
        #expect(c.all(header: 0..<16, boundaries: [32], randomFlips: 20).map(\.bytes) != x.map(\.bytes))
    }

    @Test func mutantsAreWhatTheirLabelsSay() {
        var m = HostileMutator(Self.base, seed: 1)
        let all = m.all(header: 0..<8, boundaries: [40], randomFlips: 10)
        for t in all where t.label.hasPrefix("truncated to ") {
            #expect("truncated to \(t.bytes.count) bytes" == t.label)
            #expect(Array(Self.base.prefix(t.bytes.count)) == t.bytes)
        }
        #expect(all.contains { $0.label == "truncated to 40 bytes" } && all.contains { $0.label == "truncated to 41 bytes" })
        #expect(all.filter { !$0.label.hasPrefix("truncated") }.allSatisfy { $0.bytes.count == Self.base.count && $0.bytes != Self.base })
        let over = m.overwrite(4, 0x0102_0304, width: 4)
        #expect(Array(over[4..<8]) == [4, 3, 2, 1] && over[0..<4] == Self.base[0..<4] && over[8...] == Self.base[8...])
        #expect(m.invalidUTF8(in: 10..<13, label: "key").count == 5)
        #expect(m.invalidUTF8(in: 10..<11, label: "key").allSatisfy { $0.bytes[10] >= 0x80 })
    }

    @Test func stepSweepsEveryNthOffset() {
        var m = HostileMutator(Self.base, seed: 3)
        let full = m.all(header: 0..<32, boundaries: [], randomFlips: 0).filter { $0.label.hasPrefix("u32 ") }.count
        var n = HostileMutator(Self.base, seed: 3)
        let quarter = n.all(header: 0..<32, boundaries: [], randomFlips: 0, step: 4).filter { $0.label.hasPrefix("u32 ") }.count
        #expect(full == 32 * HostileMutator.narrow.count)
        #expect(quarter == 8 * HostileMutator.narrow.count)
    }
}
