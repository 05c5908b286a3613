import Foundation
import IngotCore
import IngotFormats
import IngotQuant
import Testing
import IngotTestSupport

/// Hostile data, decoded: a GGUF holding one tensor of every type `Quantizer` decodes, filled with random bytes,
/// then corrupted (random flips anywhere, every tensor's type id replaced by every ggml id). Each mutant that
/// GGUFReader accepts has every tensor dequantized, so a codec that indexes a table with a file byte, or a size
/// the reader and the codec disagree on, would trap here.
@Suite struct HostileDequantTests {
    static func rowLength(_ t: ElementType) -> Int { 256 % t.blockElements == 0 ? 256 : t.blockElements }

    /// Writes the base file and returns its bytes.
    static func base(at path: String, fill: (inout SeededRandom) -> UInt8) throws -> [UInt8] {
        let w = try GGUFWriter(path: path, metadata: Metadata())
        var rng = SeededRandom(seed: 0xDE0)
        let types = Codecs.decodable.filter { $0.ggmlID != nil }
        for t in types {
            try w.declare(TensorInfo(name: "t.\(t.ggmlName)", type: t, shape: [2, rowLength(t)]))
        }
        for t in types {
            let n = try t.byteCount(shape: [2, rowLength(t)])
            let bytes = (0..<n).map { _ in fill(&rng) }
            try bytes.withUnsafeBytes { try w.write("t.\(t.ggmlName)", bytes: $0) }
        }
        try w.finish()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Dequantizes every tensor of `r`; returns a problem description or nil.
    static func decodeAll(_ r: GGUFReader) -> String? {
        for t in r.tensors {
            var out = [Float](repeating: 0, count: t.elementCount)
            do {
                try r.withBytes(of: t.name) { q in
                    try out.withUnsafeMutableBufferPointer { o in
                        try Quantizer.dequantize(t.type, q, rowLength: max(1, t.rowLength), into: o, threads: 1)
                    }
                }
            } catch let e as QuantError {
                // A type with no decoder is a clean refusal; anything else means reader and codec disagree.
                if case .decodeUnsupported = e { continue }
                if t.elementCount == 0 { continue }
                return "\(t.name) (\(t.type.displayName) \(t.shape)): \(e)"
            } catch {
                return "\(t.name): \(error)"
            }
        }
        return nil
    }

    @Test func randomAndCorruptBlocksDecodeInBounds() throws {
        let dir = Fixtures.temporaryDirectory("ingot-hostile-deq")
        defer { Fixtures.cleanup(dir) }
        var problems: [String] = []
        var decoded = 0
        let fills: [(String, (inout SeededRandom) -> UInt8)] = [
            ("random", { UInt8(truncatingIfNeeded: $0.next()) }), ("0xFF", { _ in 0xFF }), ("0x00", { _ in 0 }),
            ("0x80", { _ in 0x80 }), ("0x7F", { _ in 0x7F }),
        ]
        var rng = SeededRandom(seed: 0xBAD)
        var counter = 0
        func check(_ bytes: [UInt8], _ label: String) {
            counter += 1
            let path = dir + "/m\(counter).gguf"
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            defer { try? FileManager.default.removeItem(atPath: path) }
            guard let r = try? GGUFReader(path: path) else { return }
            decoded += 1
            if let p = HostileDequantTests.decodeAll(r) { problems.append("\(label): \(p)") }
        }
        for (name, fill) in fills {
            let base = try HostileDequantTests.base(at: dir + "/base-\(name).gguf", fill: fill)
            check(base, "fill \(name)")
            let reader = try GGUFReader(path: dir + "/base-\(name).gguf")
            guard name == "random" else { continue }
            // Every tensor's type id replaced by every id ggml knows (and a few it does not).
            for t in reader.tensors {
                guard let typeAt = HostileDequantTests.typeFieldOffset(of: t.name, in: base) else { continue }
                for id in Int32(-1)...Int32(ElementType.ggmlTypeCount + 1) {
                    var m = base
                    withUnsafeBytes(of: id.littleEndian) { for j in 0..<4 { m[typeAt + j] = $0[j] } }
                    check(m, "\(t.name) type id → \(id)")
                }
            }
            // Random damage anywhere.
            for k in 0..<200 {
                var m = base
                for _ in 0...rng.below(4) { m[rng.below(m.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                check(m, "random flips #\(k)")
            }
        }
        #expect(problems.isEmpty, Comment(rawValue: "\(problems.count) mutants failed to decode:\n" + problems.prefix(10).joined(separator: "\n")))
        #expect(decoded >= fills.count, "too few mutants opened: \(decoded)")
    }

    /// Offset of the i32 type field of tensor `name`'s info: after the length-prefixed name, n_dims and ne.
    static func typeFieldOffset(of name: String, in bytes: [UInt8]) -> Int? {
        var needle: [UInt8] = []
        withUnsafeBytes(of: UInt64(name.utf8.count).littleEndian) { needle += $0 }
        needle += Array(name.utf8)
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
            let dimsAt = i + needle.count
            guard dimsAt + 4 <= bytes.count else { return nil }
            let nDims = Int(bytes[dimsAt]) | Int(bytes[dimsAt + 1]) << 8
            return dimsAt + 4 + 8 * nDims
        }
        return nil
    }
}
