import Foundation
import IngotCore
import Testing
@testable import IngotFormats
import IngotTestSupport

/// Writes `bytes` to a temp file and returns the GGUFError opening it raises (nil if it opened), and the path.
func ggufOpenError(_ bytes: [UInt8]) -> (GGUFError?, String) {
    let dir = Fixtures.temporaryDirectory()
    defer { Fixtures.cleanup(dir) }
    let path = dir + "/model.gguf"
    Fixtures.write(bytes, to: path)
    do { _ = try GGUFReader(path: path); return (nil, path) }
    catch let e as GGUFError { return (e, path) }
    catch { Issue.record("unexpected error type: \(error)"); return (nil, path) }
}

func caseName(_ e: Any) -> String { Mirror(reflecting: e).children.first?.label ?? "\(e)" }

@Suite struct GGUFMalformedTests {
    @Test func validBaseline() throws {
        let (e, _) = ggufOpenError(GGUFBuilder.valid().bytes)
        #expect(e == nil, "\(String(describing: e))")
    }

    /// (name, bytes, expected case, text the message must contain after "path: ")
    static var cases: [(String, [UInt8], String, String)] {
        var out: [(String, [UInt8], String, String)] = []
        func add(_ name: String, _ kind: String, _ text: String, _ edit: (inout GGUFBuilder) -> Void) {
            var b = GGUFBuilder.valid()
            edit(&b)
            out.append((name, b.bytes, kind, text))
        }
        add("bad magic", "badMagic", "magic at offset 0 is [47 47 55 47]") { $0.magic = [0x47, 0x47, 0x55, 0x47] }
        add("version 0", "unsupportedVersion", "bad GGUF version 0") { $0.version = 0 }
        add("version 1", "unsupportedVersion", "version 1 at offset 4 is no longer supported") { $0.version = 1 }
        add("version 4", "unsupportedVersion", "unsupported GGUF version 4") { $0.version = 4 }
        add("big-endian 3", "bigEndian", "0x3000000 at offset 4: the file is big-endian") { $0.version = 0x0300_0000 }
        add("2^60 tensors", "countTooLarge", "tensor count 1152921504606846976 at offset 8") { $0.tensorCount = 1 << 60 }
        add("2^40 tensors", "countTooLarge", "tensor count 1099511627776") { $0.tensorCount = 1 << 40 }
        add("2^60 keys", "countTooLarge", "key/value count 1152921504606846976 at offset 16") { $0.kvCount = 1 << 60 }
        add("2^40 keys", "countTooLarge", "key/value count 1099511627776") { $0.kvCount = 1 << 40 }
        add("u64 max keys", "countTooLarge", "key/value count 18446744073709551615") { $0.kvCount = UInt64.max }
        add("key length past end", "stringTooLong", "key #2 has length 4096 at offset") { b in
            var w = ByteWriter(); w.u64(4096); w.raw(Array("abc".utf8))
            b.kvs.append(w.bytes); b.kvCount = 3; b.infos = []; b.data = []; b.tensorCount = 0; b.padHeader = false
        }
        add("value string 2^40", "stringTooLong", "a string value of key 'general.name' has length 1099511627776") { b in
            var w = ByteWriter(); w.u64(1 << 40)
            b.kvRaw(key: Array("general.name".utf8), type: 8, payload: w.bytes)
        }
        add("invalid value type", "invalidValueType", "key 'x' has invalid value type 13") { $0.kvRaw(key: [0x78], type: 13, payload: [0]) }
        add("negative value type", "invalidValueType", "invalid value type -1") { $0.kvRaw(key: [0x78], type: -1, payload: [0]) }
        add("nested array", "nestedArray", "key 'x' is an array of arrays") { b in
            var w = ByteWriter(); w.u32(9); w.u64(0)
            b.kvRaw(key: [0x78], type: 9, payload: w.bytes)
        }
        add("array 2^40", "arrayTooLong", "key 'x': array of 1099511627776 elements") { b in
            var w = ByteWriter(); w.u32(0); w.u64(1 << 40)
            b.kvRaw(key: [0x78], type: 9, payload: w.bytes)
        }
        add("string array past end", "arrayTooLong", "array of 1000 elements") { b in
            var w = ByteWriter(); w.u32(8); w.u64(1000)
            b.kvRaw(key: [0x78], type: 9, payload: w.bytes)
        }
        add("array elem type", "invalidValueType", "key 'x' has invalid value type 77") { b in
            var w = ByteWriter(); w.u32(77); w.u64(1)
            b.kvRaw(key: [0x78], type: 9, payload: w.bytes)
        }
        add("empty key", "emptyKey", "empty key at offset 24") { b in b.kvs.insert([], at: 0); b.kvs[0] = GGUFBuilder.string("") + [0, 0, 0, 0, 1] }
        add("duplicate key", "duplicateKey", "duplicate key 'llama.block_count' at offset") { $0.kv("llama.block_count", .uint32(2)) }
        add("invalid UTF-8 key", "invalidUTF8", "key #2 at offset") { $0.kvRaw(key: [0x61, 0xFF], type: 0, payload: [1]) }
        add("alignment type", "badAlignment", "must be UINT32, found INT32") { $0.kv("general.alignment", .int32(32)) }
        add("alignment 0", "badAlignment", "is 0, which is not a non-zero power of 2") { $0.kv("general.alignment", .uint32(0)) }
        add("alignment 48", "badAlignment", "is 48") { $0.kv("general.alignment", .uint32(48)) }
        add("name 64 bytes", "nameTooLong", "is 64 bytes; the limit is 63") { b in
            b.infos[1] = []; b.infos.removeLast(); b.tensor(String(repeating: "n", count: 64), ne: [3], type: 0, offset: 32)
        }
        add("invalid UTF-8 name", "invalidUTF8", "the name of tensor #1 at offset") { b in
            b.infos.removeLast(); b.tensorRaw(name: [0x62, 0xC3], ne: [3], type: 0, offset: 32)
        }
        add("duplicate tensor", "duplicateTensor", "duplicate tensor name 'a'") { b in b.infos.removeLast(); b.tensor("a", ne: [3], type: 0, offset: 32) }
        add("5 dims", "tooManyDimensions", "tensor 'b' has 5 dimensions") { b in b.infos.removeLast(); b.tensor("b", ne: [3, 1, 1, 1, 1], type: 0, offset: 32) }
        add("negative dim", "negativeDimension", "ne[1] = -2") { b in b.infos.removeLast(); b.tensor("b", ne: [3, -2], type: 0, offset: 32) }
        add("dim overflow", "sizeOverflow", "tensor 'b' with ne") { b in b.infos.removeLast(); b.tensor("b", ne: [1 << 32, 1 << 32], type: 0, offset: 32) }
        add("byte overflow", "sizeOverflow", "overflows 64 bits") { b in b.infos.removeLast(); b.tensor("b", ne: [1 << 61], type: 0, offset: 32) }
        add("removed type 4", "unknownType", "type id 4 at offset") { b in b.infos.removeLast(); b.tensor("b", ne: [32], type: 4, offset: 32) }
        add("type 43", "unknownType", "type id 43 at offset") { b in b.infos.removeLast(); b.tensor("b", ne: [32], type: 43, offset: 32) }
        add("type -1", "unknownType", "not a ggml type") { b in b.infos.removeLast(); b.tensor("b", ne: [32], type: -1, offset: 32) }
        add("partial block", "partialBlock", "ne[0] = 16, not a multiple of Q4_0's block size 32") { b in b.infos.removeLast(); b.tensor("b", ne: [16], type: 2, offset: 32) }
        add("misaligned", "badOffset", "tensor 'b' has offset 16, expected 32 (tensors must be contiguous in order)") { b in b.infos.removeLast(); b.tensor("b", ne: [3], type: 0, offset: 16) }
        add("overlapping", "badOffset", "tensor 'b' has offset 0, expected 32") { b in b.infos.removeLast(); b.tensor("b", ne: [3], type: 0, offset: 0) }
        add("gap", "badOffset", "tensor 'b' has offset 64, expected 32") { b in b.infos.removeLast(); b.tensor("b", ne: [3], type: 0, offset: 64) }
        add("out of range", "dataOutOfBounds", "tensor 'b' data ends at byte") { b in b.data.removeLast(4) }
        add("huge offset", "badOffset", "has offset 18446744073709551615") { b in b.infos.removeLast(); b.tensor("b", ne: [3], type: 0, offset: UInt64.max) }
        add("no data section", "dataSectionPastEnd", "data section starts at offset") { b in b.data = []; b.padHeader = false }
        return out
    }

    @Test(arguments: cases)
    func rejects(name: String, bytes: [UInt8], kind: String, text: String) throws {
        let (e, path) = ggufOpenError(bytes)
        let err = try #require(e, "\(name) accepted")
        #expect(caseName(err) == kind, "\(name): \(err)")
        #expect(err.description.hasPrefix(path + ": "), "\(name): \(err)")
        #expect(err.description.contains(text), "\(name): \(err)")
        #expect(err.exitCode == 2)
    }

    @Test func truncatedInEverySection() throws {
        var b = GGUFBuilder.valid()
        b.kv("tokens", .array(.string, [.string("x"), .string("yz")]))
        b.kv("scores", .array(.float32, [.float32(1), .float32(2)]))
        let full = b.bytes
        #expect(ggufOpenError(full).0 == nil)
        // Offsets inside: magic, version, counts, a key, a type, a string value, an array, a tensor name, dims, type, offset.
        var sawSections = Set<String>()
        for n in 0..<(full.count - 12) {
            let (e, path) = ggufOpenError(Array(full[0..<n]))
            let err = try #require(e, "prefix of \(n) bytes accepted")
            #expect(err.description.hasPrefix(path + ": "))
            switch err {
            case .truncated(_, let what, _, _, _), .stringTooLong(_, let what, _, _, _), .countTooLarge(_, let what, _, _, _):
                sawSections.insert(what)
            case .arrayTooLong(_, let key, _, _, _): sawSections.insert("elements of '\(key)'")
            default: break
            }
        }
        // Early cuts trip the count caps (a short file cannot hold the claimed keys) before any read.
        for what in ["the magic", "the version", "tensor count", "key/value count", "key #1",
                     "the value type of key 'llama.block_count'", "the value of key 'llama.block_count'",
                     "the array length of key 'tokens'", "a string value of key 'tokens'", "elements of 'scores'",
                     "the name of tensor #0", "the dimension count of tensor 'a'", "dimension 0 of tensor 'a'",
                     "the type of tensor 'a'", "the offset of tensor 'b'"] {
            #expect(sawSections.contains { $0.contains(what) }, "no truncation reported in \(what): \(sawSections.sorted())")
        }
    }
}
