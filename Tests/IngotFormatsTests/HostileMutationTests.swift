import Foundation
import IngotCore
import IngotFormats
import Testing
import IngotTestSupport

/// The hostile-input promise, swept: thousands of seeded corruptions of small valid GGUF, safetensors and JSON
/// files, each opened by its reader. Every mutant either opens — and then every tensor's bytes lie inside the
/// file and have the size its type and shape say — or fails with an error that names the file and where.
/// A trap (overflow, out-of-bounds, force unwrap) kills the test process: that is a found bug.
@Suite struct HostileMutationTests {
    // MARK: - Base files

    /// A small GGUF with every kind of metadata value and a few tensor types, written by `GGUFWriter`.
    static func baseGGUF(in dir: String) throws -> [UInt8] {
        var md = Metadata()
        md.append("general.architecture", .string("llama"))
        md.append("general.alignment", .uint32(32))
        md.append("llama.block_count", .uint32(2))
        md.append("llama.rope.freq_base", .float32(10000))
        md.append("general.flag", .bool(true))
        md.append("general.size", .uint64(12345))
        md.append("tokenizer.ggml.tokens", .array(.string, [.string("a"), .string("bc"), .string("<s>")]))
        md.append("tokenizer.ggml.token_type", .array(.int32, [.int32(1), .int32(1), .int32(3)]))
        let path = dir + "/base.gguf"
        let w = try GGUFWriter(path: path, metadata: md)
        var rng = SeededRandom(seed: 7)
        let specs: [(String, ElementType, [Int])] = [
            ("token_embd.weight", .f32, [2, 4]), ("blk.0.attn_q.weight", .f16, [8]), ("blk.0.ffn_up.weight", .q8_0, [32]),
            ("blk.0.ffn_down.weight", .q4_K, [256]), ("blk.0.x", .i8, [3]), ("output.weight", .bf16, [2, 2]),
        ]
        for (name, type, shape) in specs { try w.declare(TensorInfo(name: name, type: type, shape: shape)) }
        for (name, type, shape) in specs {
            let n = try type.byteCount(shape: shape)
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try bytes.withUnsafeBytes { try w.write(name, bytes: $0) }
        }
        try w.finish()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A small safetensors file with `__metadata__` and a few dtypes, written by `SafetensorsWriter`.
    static func baseSafetensors(in dir: String) throws -> [UInt8] {
        let path = dir + "/base.safetensors"
        let w = try SafetensorsWriter(path: path, metadata: [("format", "pt"), ("note", "é")])
        let specs: [(String, ElementType, [Int])] = [
            ("model.embed_tokens.weight", .f32, [2, 3]), ("model.norm.weight", .bf16, [4]), ("lm_head.weight", .f16, [2, 2]),
            ("model.layers.0.mask", .bool, [3]), ("model.layers.0.q", .f8E4M3, [5]),
        ]
        for (name, type, shape) in specs { try w.declare(TensorInfo(name: name, type: type, shape: shape)) }
        for (name, type, shape) in specs {
            let bytes = [UInt8](repeating: 0x3C, count: try type.byteCount(shape: shape))
            try bytes.withUnsafeBytes { try w.write(name, bytes: $0) }
        }
        try w.finish()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static let baseJSON = #"""
    {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "rope_theta": 1e4, "eps": -0.5e-6,
     "big": 9223372036854775807, "small": -9223372036854775808, "nested": {"a": [1, [2, {"b": null}]], "t": true,
     "f": false}, "text": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n", "raw": "é😀", "empty": {}, "none": []}
    """#

    // MARK: - Checks

    /// Whether a message says where the fault is: a byte offset, a quoted key or tensor name, or a named key.
    static func namesLocation(_ d: String) -> Bool {
        ["offset", "byte", "'", "key", "general.alignment", "line "].contains { d.contains($0) }
    }

    /// Opens every tensor of `source` through `withBytes` and checks its size and that it lies in the file.
    static func walk(_ source: any TensorSource, fileSize: Int, start: (String) -> Int?, label: String,
                     into f: inout HostileFindings) {
        for t in source.tensors {
            // Shape arithmetic on what the reader accepted must not trap.
            let elements = t.elementCount, rows = t.rowCount
            guard let expected = try? t.type.byteCount(shape: t.shape), expected == t.byteCount else {
                f.fail(label, "tensor \(t.name) byteCount \(t.byteCount) disagrees with its type and shape \(t.shape)")
                continue
            }
            guard let s = start(t.name), s >= 0, s + t.byteCount <= fileSize else {
                f.fail(label, "tensor \(t.name) data is outside the file")
                continue
            }
            do {
                let sum = try source.withBytes(of: t.name) { b -> Int in
                    guard b.count == t.byteCount else { return -1 }
                    return b.reduce(0) { $0 &+ Int($1) }
                }
                if sum < 0 { f.fail(label, "tensor \(t.name) withBytes gave the wrong count") }
                _ = (elements, rows)
            } catch {
                f.fail(label, "withBytes(\(t.name)) threw \(error)")
            }
        }
    }

    /// Checks a rejection: non-empty, names the file, and (when `located`) says where.
    static func checkError(_ error: Error, path: String, located: Bool, label: String, into f: inout HostileFindings) {
        let d = "\(error)"
        let name = (path as NSString).lastPathComponent
        if d.isEmpty { f.fail(label, "empty error description") }
        if !d.contains(name) { f.fail(label, "error does not name the file: \(d)") }
        if located && !namesLocation(d) { f.fail(label, "error does not say where: \(d)") }
    }

    // MARK: - GGUF

    @Test func ggufMutants() throws {
        var files = MutantFiles(tag: "hostile-gguf", fileName: "model.gguf")
        defer { files.cleanup() }
        let base = try HostileMutationTests.baseGGUF(in: files.directory)
        let reader = try GGUFReader(path: files.directory + "/base.gguf")
        var boundaries = [4, 8, 16, 24, reader.dataOffset] + Array(reader.keyOffsets.values)
        for t in reader.tensors {
            boundaries += [reader.dataOffset + t.offset, reader.dataOffset + t.offset + t.byteCount]
        }
        var mutator = HostileMutator(base, seed: 0x6767_7566)
        // Every header offset in release (CI); every second one in debug, to keep the suite fast.
        var mutants = mutator.all(header: 0..<reader.dataOffset, boundaries: boundaries, randomFlips: 400,
                                  step: HostileMutator.debugStep(2))
        // Invalid UTF-8 in every key and tensor name (found as length-prefixed runs of their bytes).
        for key in reader.metadata.keys {
            let at = reader.keyOffsets[key]! + 8
            mutants += mutator.invalidUTF8(in: at..<(at + key.utf8.count), label: "key \(key)")
        }
        for t in reader.tensors {
            if let r = HostileMutationTests.find(Array(t.name.utf8), in: base, from: 24) {
                mutants += mutator.invalidUTF8(in: r, label: "tensor name \(t.name)")
            }
        }
        var f = HostileFindings()
        for m in mutants {
            let path = files.write(m.bytes)
            defer { files.remove(path) }
            do {
                let r = try GGUFReader(path: path)
                f.accepted += 1
                HostileMutationTests.walk(r, fileSize: m.bytes.count, start: { r.absoluteOffset(of: $0) }, label: m.label, into: &f)
                _ = r.metadata.entries.map { "\($0.value)" }
            } catch {
                f.rejected += 1
                HostileMutationTests.checkError(error, path: path, located: true, label: m.label, into: &f)
            }
        }
        #expect(f.problems.isEmpty, f.report("GGUF"))
        #expect(mutants.count > 3000 && f.rejected > mutants.count / 2, "only \(f.rejected) of \(mutants.count) rejected")
        // Counts and lengths of 2^40 and more were rejected before anything was allocated for them.
        if let peak = peakResidentBytes() { #expect(peak < 4 << 30, "peak RSS \(peak >> 20) MiB") }
    }

    /// GGUF files built field by field: duplicates, a zero dimension beside huge ones, and the like.
    @Test func ggufHandBuilt() throws {
        let dir = Fixtures.temporaryDirectory("hostile-gguf-hand")
        defer { Fixtures.cleanup(dir) }
        var cases: [(String, GGUFBuilder)] = []
        var b = GGUFBuilder.valid()
        b.kv("general.architecture", .string("again"))
        cases.append(("duplicate key", b))
        b = GGUFBuilder.valid()
        b.tensor("a", ne: [4], type: 0, offset: 64)
        cases.append(("duplicate tensor", b))
        // A zero dimension makes the element count 0, but the other dimensions multiply past 2^63.
        for ne: [Int64] in [[0, 1 << 40, 1 << 40], [1 << 40, 1 << 40, 0], [1 << 32, 0, 1 << 32, 1 << 32], [0, Int64.max, Int64.max, 2]] {
            b = GGUFBuilder()
            b.tensor("z", ne: ne, type: 0, offset: 0)
            cases.append(("zero dimension among \(ne)", b))
        }
        b = GGUFBuilder.valid()
        b.kvRaw(key: Array("big.array".utf8), type: 9, payload: [8, 0, 0, 0] + [0, 0, 0, 0, 0, 1, 0, 0])
        cases.append(("array of 2^40 strings", b))
        var f = HostileFindings()
        for (i, (label, builder)) in cases.enumerated() {
            let path = dir + "/case\(i).gguf"
            Fixtures.write(builder.bytes, to: path)
            do {
                let r = try GGUFReader(path: path)
                HostileMutationTests.walk(r, fileSize: builder.bytes.count, start: { r.absoluteOffset(of: $0) }, label: label, into: &f)
            } catch {
                HostileMutationTests.checkError(error, path: path, located: true, label: label, into: &f)
            }
        }
        #expect(f.problems.isEmpty, f.report("hand-built GGUF"))
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Range<Int>? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        for i in from...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) {
            return i..<(i + needle.count)
        }
        return nil
    }

    // MARK: - Safetensors

    @Test func safetensorsMutants() throws {
        var files = MutantFiles(tag: "hostile-st", fileName: "model.safetensors")
        defer { files.cleanup() }
        let base = try HostileMutationTests.baseSafetensors(in: files.directory)
        let header = try SafetensorsFile(path: files.directory + "/base.safetensors").header
        var boundaries = [8, header.dataStart]
        for t in header.tensors { boundaries += [header.dataStart + t.offset, header.dataStart + t.offset + t.byteCount] }
        var mutator = HostileMutator(base, seed: 0x5AFE)
        // The JSON header is text: sweep its first bytes exhaustively and the rest with structural edits below.
        var mutants = mutator.all(header: 0..<min(header.dataStart, 160), boundaries: boundaries, randomFlips: 600)
        mutants += HostileMutationTests.jsonEdits(of: base, in: 8..<header.dataStart, seed: 0x5AFE)
        for t in header.tensors {
            if let r = HostileMutationTests.find(Array(t.name.utf8), in: base, from: 8) {
                mutants += mutator.invalidUTF8(in: r, label: "tensor name \(t.name)")
            }
        }
        // Numbers inside the header replaced by huge, negative and fractional ones (shapes and data_offsets).
        let text = Array(base[8..<header.dataStart])
        var k = 0
        while k < text.count {
            guard text[k] >= 0x30 && text[k] <= 0x39 else { k += 1; continue }
            var e = k
            while e < text.count, text[e] >= 0x30 && text[e] <= 0x39 { e += 1 }
            for repl in ["9223372036854775807", "9223372036854775808", "4294967296", "1099511627776", "-1", "1e300",
                         "2.5", "0", "18446744073709551615", "\"3\"", "null"] {
                var m = Array(base[0..<(8 + k)]) + Array(repl.utf8) + Array(base[(8 + e)...])
                let n = UInt64(header.headerLength + repl.utf8.count - (e - k))
                for j in 0..<8 { m[j] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(j))) }
                mutants.append(.init(label: "number at header byte \(k) → \(repl)", bytes: m))
            }
            k = e
        }
        var f = HostileFindings()
        for m in mutants {
            let path = files.write(m.bytes)
            defer { files.remove(path) }
            do {
                let r = try SafetensorsReader(path: path)
                f.accepted += 1
                HostileMutationTests.walk(r, fileSize: m.bytes.count, start: { r.location(of: $0)?.offset }, label: m.label, into: &f)
            } catch {
                f.rejected += 1
                HostileMutationTests.checkError(error, path: path, located: true, label: m.label, into: &f)
            }
        }
        #expect(f.problems.isEmpty, f.report("safetensors"))
        #expect(mutants.count > 2000 && f.rejected > mutants.count / 2, "only \(f.rejected) of \(mutants.count) rejected")
        if let peak = peakResidentBytes() { #expect(peak < 4 << 30, "peak RSS \(peak >> 20) MiB") }
    }

    /// Byte edits that keep JSON text plausible: each offset of `range` set to a structural character, a quote,
    /// a backslash, a digit, NUL or a high byte; keeps the file length so the header length stays right.
    static func jsonEdits(of base: [UInt8], in range: Range<Int>, seed: UInt64) -> [HostileMutator.Mutant] {
        var out: [HostileMutator.Mutant] = []
        let swaps: [UInt8] = Array("{}[]:,\"\\u9-e .".utf8) + [0, 0x1F, 0x80, 0xC3, 0xFF]
        var rng = SeededRandom(seed: seed)
        for at in range {
            // Every offset gets three of the replacement bytes, chosen by the seed.
            for _ in 0..<3 {
                let b = swaps[rng.below(swaps.count)]
                guard b != base[at] else { continue }
                var m = base
                m[at] = b
                out.append(.init(label: "header byte \(at) → 0x\(String(b, radix: 16))", bytes: m))
            }
        }
        return out
    }

    /// A sharded checkpoint whose index is damaged or lies about its shards.
    @Test func safetensorsIndexMutants() throws {
        let dir = Fixtures.temporaryDirectory("hostile-st-index")
        defer { Fixtures.cleanup(dir) }
        let shard = try HostileMutationTests.baseSafetensors(in: dir)
        try FileManager.default.moveItem(atPath: dir + "/base.safetensors", toPath: dir + "/model-00001-of-00001.safetensors")
        let header = try SafetensorsHeader(file: shard.withUnsafeBytes { UnsafeRawBufferPointer($0) }, path: "x")
        let names = header.tensors.map(\.name)
        let entries = names.map { "\"\($0)\": \"model-00001-of-00001.safetensors\"" }.joined(separator: ", ")
        let good = "{\"metadata\": {\"total_size\": 100}, \"weight_map\": {\(entries)}}"
        let variants: [(String, String)] = [
            ("missing shard", good.replacingOccurrences(of: "00001-of-00001", with: "00002-of-00002")),
            ("path escape", good.replacingOccurrences(of: "model-00001-of-00001.safetensors", with: "../x.safetensors")),
            ("unmapped tensor", good.replacingOccurrences(of: "\"\(names[0])\": ", with: "\"other\": ")),
            ("not an object", "[]"),
            ("weight_map not an object", "{\"weight_map\": 3}"),
            ("truncated", String(good.dropLast(7))),
            ("metadata a string", "{\"metadata\": \"x\", \"weight_map\": {\(entries)}}"),
            ("number shard name", "{\"weight_map\": {\"a\": 12}}"),
        ]
        var f = HostileFindings()
        for (label, text) in variants {
            let path = dir + "/model.safetensors.index.json"
            Fixtures.write(Array(text.utf8), to: path)
            do {
                let r = try SafetensorsReader(path: dir)
                HostileMutationTests.walk(r, fileSize: shard.count, start: { r.location(of: $0)?.offset }, label: label, into: &f)
                f.fail(label, "a broken index was accepted")
            } catch {
                HostileMutationTests.checkError(error, path: path, located: false, label: label, into: &f)
            }
        }
        #expect(f.problems.isEmpty, f.report("safetensors index"))
    }

    // MARK: - JSON

    @Test func jsonMutants() throws {
        var files = MutantFiles(tag: "hostile-json", fileName: "config.json")
        defer { files.cleanup() }
        let base = Array(HostileMutationTests.baseJSON.utf8)
        _ = try JSON.parse(HostileMutationTests.baseJSON)
        var mutator = HostileMutator(base, seed: 0x150)
        var mutants = mutator.all(header: 0..<0, boundaries: Array(0..<base.count), randomFlips: 300)
        mutants += HostileMutationTests.jsonEdits(of: base, in: 0..<base.count, seed: 0x150)
        // Nesting far past the limit (iteratively built), long numbers, a long run of escapes.
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        mutants.append(.init(label: "100000 nested arrays", bytes: deep))
        mutants.append(.init(label: "100000 nested objects", bytes: Array(String(repeating: "{\"a\":", count: 100_000).utf8)))
        mutants.append(.init(label: "5000-digit number", bytes: Array(("[" + String(repeating: "9", count: 5000) + "]").utf8)))
        mutants.append(.init(label: "huge exponent", bytes: Array("[1e999999999999999999, -1e-999999999]".utf8)))
        mutants.append(.init(label: "escape at end", bytes: Array("[\"\\".utf8)))
        mutants.append(.init(label: "lone surrogate", bytes: Array("[\"\\ud800\"]".utf8)))
        mutants.append(.init(label: "short \\u", bytes: Array("[\"\\u12\"]".utf8)))
        var f = HostileFindings()
        for m in mutants {
            let path = files.write(m.bytes)
            defer { files.remove(path) }
            do {
                let v = try JSON.parseFile(path)
                f.accepted += 1
                _ = v.serialized()
            } catch let e as JSONError {
                f.rejected += 1
                HostileMutationTests.checkError(e, path: path, located: true, label: m.label, into: &f)
                if e.offset < 0 || e.offset > m.bytes.count { f.fail(m.label, "offset \(e.offset) outside the document") }
            } catch {
                f.fail(m.label, "threw a non-JSON error: \(error)")
            }
        }
        #expect(f.problems.isEmpty, f.report("JSON"))
        #expect(f.rejected > mutants.count / 2, "only \(f.rejected) of \(mutants.count) rejected")
    }
}
