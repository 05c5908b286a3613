import Foundation
import Testing
@testable import IngotFormats
import IngotTestSupport

/// Parses raw bytes (so invalid UTF-8 can be fed in).
private func parseBytes(_ b: [UInt8], rejectDuplicateKeys: Bool = true, maxDepth: Int = 256) throws -> JSONValue {
    try b.withUnsafeBytes { try JSON.parse($0, rejectDuplicateKeys: rejectDuplicateKeys, maxDepth: maxDepth) }
}

/// The error thrown by parsing `b`, or nil if it parsed.
private func failure(_ b: [UInt8], rejectDuplicateKeys: Bool = true, maxDepth: Int = 256) -> JSONError? {
    do { _ = try parseBytes(b, rejectDuplicateKeys: rejectDuplicateKeys, maxDepth: maxDepth); return nil }
    catch let e as JSONError { return e }
    catch { return nil }
}
private func failure(_ s: String) -> JSONError? { failure(Array(s.utf8)) }

@Suite struct JSONParseTests {
    @Test func scalars() throws {
        #expect(try JSON.parse("null") == .null)
        #expect(try JSON.parse(" true ") == .bool(true))
        #expect(try JSON.parse("false") == .bool(false))
        #expect(try JSON.parse("0") == .int(0))
        #expect(try JSON.parse("-17") == .int(-17))
        #expect(try JSON.parse("9223372036854775807") == .int(Int.max))
        #expect(try JSON.parse("-9223372036854775808") == .int(Int.min))
        #expect(try JSON.parse("9223372036854775808") == .double(9223372036854775808.0))
        #expect(try JSON.parse("1.5") == .double(1.5))
        #expect(try JSON.parse("1e-05") == .double(1e-05))
        #expect(try JSON.parse("2E+3") == .double(2000))
        #expect(try JSON.parse("-0.0") == .double(-0.0))
        #expect(try JSON.parse("\"a\\u00e9\\n\\\"\\/\\\\\"") == .string("aé\n\"/\\"))
        #expect(try JSON.parse("\"\\ud83d\\ude00\"") == .string("😀"))
        #expect(try JSON.parse("\"héllo wörld ✓ 😀\"") == .string("héllo wörld ✓ 😀"))
    }

    @Test func orderedObjectsAndAccessors() throws {
        let v = try JSON.parse(#"{"z": 1, "a": [1, 2.5, "x", null], "m": {"k": true}, "f": 4096.0}"#)
        #expect(v.object?.keys == ["z", "a", "m", "f"])
        #expect(v["z"]?.int == 1)
        #expect(v["a"]?[1]?.double == 2.5)
        #expect(v["a"]?[0]?.double == 1.0)
        #expect(v["a"]?[2]?.string == "x")
        #expect(v["a"]?[3]?.isNull == true)
        #expect(v["a"]?[4] == nil)
        #expect(v["m"]?["k"]?.bool == true)
        #expect(v["f"]?.int == 4096)
        #expect(v["a"]?[1]?.int == nil)
        #expect(v["missing"] == nil)
        #expect(v["z"]?.string == nil)
    }

    @Test func largeObjectIndexAndLastWins() throws {
        var text = "{"
        for k in 0..<100 { text += "\"k\(k)\": \(k)," }
        text += "\"k5\": 500}"
        #expect(failure(text)?.kind == .duplicateKey)
        let lenient = try parseBytes(Array(text.utf8), rejectDuplicateKeys: false)
        #expect(lenient["k5"]?.int == 500)
        #expect(lenient["k99"]?.int == 99)
        #expect(lenient.object?.count == 101)
        var o = lenient.object!
        o.set("k99", .string("x"))
        o.set("new", .int(1))
        #expect(o["k99"]?.string == "x")
        #expect(o["new"]?.int == 1)
        #expect(o.keys.last == "new")
        o.entries.removeLast()
        #expect(o["new"] == nil)
        #expect(o["k3"]?.int == 3)
    }

    @Test func smallObjectDuplicates() throws {
        let e = try #require(failure(#"{"a": 1, "b": 2, "a": 3}"#))
        #expect(e.kind == .duplicateKey)
        #expect(e.offset == 17)
        #expect(e.description.contains("\"a\""))
        let v = try parseBytes(Array(#"{"a": 1, "a": 3}"#.utf8), rejectDuplicateKeys: false)
        #expect(v["a"]?.int == 3)
    }

    @Test func keysCompareByCodePoints() throws {
        // "é" precomposed and decomposed are canonically equivalent Strings but distinct JSON keys.
        let small = try JSON.parse("{\"\u{E9}\": 1, \"e\u{301}\": 2}")
        #expect(small.object?.count == 2)
        #expect(small["\u{E9}"]?.int == 1)
        #expect(small["e\u{301}"]?.int == 2)
        var text = "{\"e\u{301}\": 2"
        for k in 0..<40 { text += ", \"k\(k)\": \(k)" }
        text += ", \"\u{E9}\": 1}"
        let large = try JSON.parse(text)
        #expect(large["\u{E9}"]?.int == 1)
        #expect(large["e\u{301}"]?.int == 2)
        #expect(large.object?.count == 42)
    }

    @Test func syntaxErrorsCarryPlace() throws {
        let e = try #require(failure("{\n  \"a\": 1,\n  \"b\" 2\n}"))
        #expect(e.kind == .syntax)
        #expect(e.line == 3)
        #expect(e.column == 7)
        #expect(e.offset == 18)
        #expect(e.message.contains("expected ':'"))
        #expect(e.description.contains("line 3, column 7"))
    }

    @Test(arguments: [
        ("", JSONError.Kind.truncated), ("{", .truncated), ("[1, 2", .truncated), ("\"abc", .truncated),
        ("{\"a\":}", .syntax), ("[1,]", .syntax), ("01", .syntax), ("1.", .truncated), ("1.x", .syntax),
        ("-", .truncated), ("1e", .truncated), ("tru", .truncated), ("nul!", .syntax), ("'a'", .syntax),
        ("{\"a\" 1}", .syntax), ("{1: 2}", .syntax), ("[1 2]", .syntax), ("\"\\x\"", .syntax),
        ("\"\\u12G4\"", .syntax), ("\"\\u12\"", .syntax), ("1 2", .trailingData), ("{} x", .trailingData),
        ("\"a\tb\"", .controlCharacter), ("\"a\nb\"", .controlCharacter),
        ("\"\\ud800\"", .loneSurrogate), ("\"\\udc00\"", .loneSurrogate), ("\"\\ud800\\u0041\"", .loneSurrogate),
        ("\"\\ud800x\"", .loneSurrogate), ("NaN", .syntax), ("Infinity", .syntax), ("+1", .syntax),
    ])
    func rejects(text: String, kind: JSONError.Kind) throws {
        let e = try #require(failure(text), "accepted \(text)")
        #expect(e.kind == kind, "\(text): \(e)")
        #expect(e.offset <= text.utf8.count)
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xC3, 0x22], [0x22, 0x61, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22],
    ] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) throws {
        let e = try #require(failure(bytes))
        #expect(e.kind == .invalidUTF8)
        #expect(e.offset >= 1)
    }

    @Test func invalidUTF8InKeyHasOffset() throws {
        let e = try #require(failure([0x7B, 0x22, 0x61, 0xFE, 0x22, 0x3A, 0x31, 0x7D]))
        #expect(e.kind == .invalidUTF8)
        #expect(e.offset == 3)
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(failure(deep)?.kind == .tooDeep)
        #expect(failure(Array(deep.utf8), maxDepth: 400) == nil)
        #expect(failure(Array("[[[]]]".utf8), maxDepth: 2)?.kind == .tooDeep)
        #expect(failure(Array("[[]]".utf8), maxDepth: 2) == nil)
    }

    @Test func byteOrderMarkSkipped() throws {
        #expect(try parseBytes([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.int(1)]))
    }

    @Test func parseFileNamesThePath() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { Fixtures.cleanup(dir) }
        let path = dir + "/bad.json"
        Fixtures.write(Array("{\"a\": [1, 2,]}".utf8), to: path)
        do {
            _ = try JSON.parseFile(path)
            Issue.record("accepted malformed file")
        } catch let e as JSONError {
            #expect(e.path == path)
            #expect(e.description.hasPrefix(path + ": line 1, column 13"))
        }
    }
}

@Suite struct JSONWriteTests {
    @Test func compactAndPretty() throws {
        let v: JSONValue = .object(JSONObject([("b", [1, 2.5, "x\n\"\u{1}é"]), ("a", nil), ("e", .array([])),
                                                ("o", .object(JSONObject())), ("t", true)]))
        #expect(v.serialized() == #"{"b":[1,2.5,"x\n\"\u0001é"],"a":null,"e":[],"o":{},"t":true}"#)
        #expect(v.serialized(sortedKeys: true).hasPrefix(#"{"a":null,"b":"#))
        let pretty = v.serialized(pretty: true)
        #expect(pretty == "{\n  \"b\": [\n    1,\n    2.5,\n    \"x\\n\\\"\\u0001é\"\n  ],\n  \"a\": null,\n  \"e\": [],\n  \"o\": {},\n  \"t\": true\n}")
        #expect(try JSON.parse(pretty) == v)
        #expect(try JSON.parse(v.serialized()) == v)
    }

    @Test func doublesRoundTripAndNonFiniteIsNull() throws {
        let values: [Double] = [0.1, 1e-05, 1e-300, 5e+20, 3.0, -2.5, .pi, 1.0 / 3.0, 9007199254740992, .leastNonzeroMagnitude]
        for d in values {
            let text = JSONValue.double(d).serialized()
            #expect(try JSON.parse(text).double == d, "\(d) → \(text)")
            #expect(!text.contains("inf") && !text.contains("nan"))
        }
        #expect(JSONValue.double(.nan).serialized() == "null")
        #expect(JSONValue.double(.infinity).serialized() == "null")
        #expect(JSONValue.array([.double(-.infinity)]).serialized() == "[null]")
    }

    @Test func controlCharactersEscaped() throws {
        let s = String(decoding: (0..<32).map { UInt8($0) }, as: UTF8.self)
        let text = JSONValue.string(s).serialized()
        #expect(!text.utf8.contains { $0 < 0x20 })
        #expect(try JSON.parse(text).string == s)
    }

    @Test func parsesTokenizerFixtureFast() throws {
        let path = Fixtures.path("models/tokenizer.json")
        let start = Date()
        let v = try JSON.parseFile(path)
        let elapsed = Date().timeIntervalSince(start)
        let vocab = try #require(v["model"]?["vocab"]?.object)
        #expect(vocab.count > 1000)
        #expect(try JSON.parse(v.serialized()) == v)
        // Debug builds are ~10x slower; the bound only guards against quadratic behaviour.
        #expect(elapsed < 10, "took \(elapsed) s")
    }
}
