import Testing
@testable import IngotCore

@Suite struct ElementTypeTests {
    @Test(arguments: ElementType.allCases)
    func lookupsRoundTrip(_ t: ElementType) {
        if let id = t.ggmlID { #expect(ElementType(ggmlID: id) == t) }
        if let n = t.safetensorsName { #expect(ElementType(safetensorsName: n) == t) }
        #expect(ElementType(displayName: t.displayName) == t)
        #expect(t.blockBytes > 0 && t.blockElements > 0)
    }

    @Test func ggmlTableMatchesDoc() {
        // shared/docs/gguf-and-quants.md §2: (id, blck, bytes)
        let expected: [(Int32, Int, Int)] = [
            (0, 1, 4), (1, 1, 2), (2, 32, 18), (3, 32, 20), (6, 32, 22), (7, 32, 24), (8, 32, 34), (9, 32, 36),
            (10, 256, 84), (11, 256, 110), (12, 256, 144), (13, 256, 176), (14, 256, 210), (15, 256, 292),
            (16, 256, 66), (17, 256, 74), (18, 256, 98), (19, 256, 50), (20, 32, 18), (21, 256, 110), (22, 256, 82),
            (23, 256, 136), (24, 1, 1), (25, 1, 2), (26, 1, 4), (27, 1, 8), (28, 1, 8), (29, 256, 56), (30, 1, 2),
            (34, 256, 54), (35, 256, 66), (39, 32, 17), (40, 64, 36), (41, 128, 18), (42, 64, 18),
        ]
        for (id, blck, bytes) in expected {
            let t = ElementType(ggmlID: id)
            #expect(t?.blockElements == blck, "id \(id)")
            #expect(t?.blockBytes == bytes, "id \(id)")
        }
        for removed: Int32 in [4, 5, 31, 32, 33, 36, 37, 38, 43, -1] { #expect(ElementType(ggmlID: removed) == nil) }
    }

    @Test func checkedSizes() throws {
        #expect(try ElementType.q4_K.byteCount(shape: [2, 512]) == 2 * 2 * 144)
        #expect(throws: SizeError.self) { try ElementType.q4_K.byteCount(shape: [2, 300]) }
        #expect(throws: SizeError.self) { try ElementType.f32.byteCount(shape: [1 << 40, 1 << 40]) }
        #expect(throws: SizeError.self) { try ElementType.f32.byteCount(shape: [-1]) }
    }
}
