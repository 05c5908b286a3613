import Testing
import Foundation
@testable import IngotCore
import IngotTestSupport

@Suite struct ByteIOTests {
    @Test func readerReadsLittleEndianAndRefusesPastEnd() throws {
        var w = ByteWriter()
        w.u32(0xDEAD_BEEF); w.i64(-2); w.f32(1.5); w.u8(7)
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: w.count, alignment: 1)
        defer { buf.deallocate() }
        buf.copyBytes(from: w.bytes)
        var r = ByteReader(UnsafeRawBufferPointer(buf))
        let a = try r.u32(), b = try r.i64(), c = try r.f32()
        #expect(a == 0xDEAD_BEEF && b == -2 && c == 1.5)
        #expect(r.remaining == 1)
        var failure: TruncatedRead?
        do { _ = try r.u32() } catch let e as TruncatedRead { failure = e }
        #expect(failure == TruncatedRead(needed: 4, offset: 16, remaining: 1))
        #expect(r.offset == 16) // a failed read does not advance
        let d = try r.u8()
        #expect(d == 7)
        var negative = false
        do { _ = try r.bytes(-1) } catch { negative = true }
        #expect(negative)
    }

    @Test func writerPads() {
        var w = ByteWriter()
        w.raw([1, 2, 3])
        w.pad(to: 32)
        #expect(w.count == 32)
        w.pad(to: 32)
        #expect(w.count == 32)
    }

    @Test func metadataKeepsOrderAndRefusesDuplicates() {
        var m = Metadata()
        let first = m.append("b", .uint32(1)), second = m.append("a", .string("x")), dup = m.append("b", .uint32(2))
        #expect(first && second && !dup)
        m.set("b", .uint32(3))
        #expect(m.keys == ["b", "a"])
        #expect(m["b"]?.intValue == 3)
        m.remove("b")
        #expect(m.keys == ["a"])
        #expect(m["a"]?.stringValue == "x")
    }
}

@Suite struct AtomicOutputFileTests {
    @Test func nothingUnderFinalNameUntilCommit() throws {
        let d = Fixtures.temporaryDirectory("ingot-core")
        defer { Fixtures.cleanup(d) }
        let path = d + "/out.bin"
        let f = try AtomicOutputFile(path: path)
        try f.write([1, 2, 3])
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: f.temporaryPath))
        try f.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
        #expect(!FileManager.default.fileExists(atPath: f.temporaryPath))
    }

    @Test func abandonLeavesNothing() throws {
        let d = Fixtures.temporaryDirectory("ingot-core")
        defer { Fixtures.cleanup(d) }
        let path = d + "/out.bin"
        var tmp = ""
        do {
            let f = try AtomicOutputFile(path: path)
            tmp = f.temporaryPath
            try f.write([9])
        } // deinit without commit abandons
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: tmp))
        #expect(try FileManager.default.contentsOfDirectory(atPath: d).isEmpty)
    }

    @Test func refusesToOverwriteAnInput() throws {
        let d = Fixtures.temporaryDirectory("ingot-core")
        defer { Fixtures.cleanup(d) }
        let input = d + "/model.safetensors"
        try Data([1, 2]).write(to: URL(fileURLWithPath: input))
        #expect(throws: FileError.self) { _ = try AtomicOutputFile(path: input, protectedInputs: [input]) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == Data([1, 2]))
    }

    @Test func mappedFileReadsAndReportsMissing() throws {
        let d = Fixtures.temporaryDirectory("ingot-core")
        defer { Fixtures.cleanup(d) }
        let p = d + "/f"
        try Data([5, 6, 7]).write(to: URL(fileURLWithPath: p))
        let m = try MappedFile(path: p)
        #expect(Array(m.bytes) == [5, 6, 7])
        #expect(throws: FileError.self) { _ = try MappedFile(path: d + "/missing") }
        FileManager.default.createFile(atPath: d + "/empty", contents: Data())
        #expect(try MappedFile(path: d + "/empty").bytes.count == 0)
        #expect(throws: FileError.self) { _ = try MappedFile(path: d) } // a directory
    }
}
