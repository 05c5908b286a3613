import Foundation
import IngotCore
import IngotTestSupport
import Testing

/// The CLI suites run the `ingot` of this build: found beside the running test executable, never a stale one
/// from another configuration's `.build/debug` or `.build/release`.
@Suite struct IngotBinaryTests {
    @Test func binaryIsFromThisBuild() throws {
        let exe = try IngotBinary.executable()
        let dir = URL(fileURLWithPath: exe).deletingLastPathComponent().resolvingSymlinksInPath().path
        #if os(Linux)
        let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #expect(dir == URL(fileURLWithPath: me).deletingLastPathComponent().resolvingSymlinksInPath().path)
        #endif
        let r = try IngotBinary.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == IngotVersion.string)
    }

    @Test func notFoundSaysWhereAndHow() {
        let e = IngotBinary.NotFound(searched: ["/a/debug", "/b"])
        #expect(e.description.contains("/a/debug, /b"))
        #expect(e.description.contains("swift build --build-tests"))
    }
}
