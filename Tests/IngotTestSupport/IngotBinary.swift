import Foundation

/// Runs the `ingot` executable of the same build as the running tests and captures its output.
///
/// Only the products directory of this build is searched — the directory holding the test executable (Linux:
/// `.build/<triple>/<config>/IngotPackageTests.xctest` is itself the executable) or holding the `.xctest` bundle
/// (macOS). There is no fallback to `.build/debug` or `.build/release`: those can hold a stale binary of another
/// configuration, and a test passing against it proves nothing about this build. `swift build --build-tests`
/// (and so `swift test`) builds every executable product beside the test bundle; checked from an empty `.build`.
public enum IngotBinary {
    /// Why the binary could not be found: where it was looked for.
    public struct NotFound: Error, CustomStringConvertible {
        public let searched: [String]
        public init(searched: [String]) { self.searched = searched }
        public var description: String {
            "the `ingot` executable of this build is not beside the test bundle (looked at: "
                + searched.joined(separator: ", ")
                + "); build it with the tests, in the same configuration: `swift build --build-tests` "
                + "(add `-c release` when the tests run in release)"
        }
    }

    /// The directories this build's products are in.
    static var productDirectories: [URL] {
        var dirs: [URL] = []
        // The running test executable, with symbolic links resolved (Linux: /proc/self/exe is exact).
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dirs.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        if let arg0 = CommandLine.arguments.first, arg0.contains("/") {
            dirs.append(URL(fileURLWithPath: arg0).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        // macOS: …/<config>/IngotPackageTests.xctest/Contents/MacOS/IngotPackageTests; the products are beside the bundle.
        for b in Bundle.allBundles + [Bundle.main] where b.bundleURL.pathExtension == "xctest" {
            dirs.append(b.bundleURL.deletingLastPathComponent())
        }
        var seen = Set<String>()
        return dirs.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// The executable's path, or nil when this build has none (see `NotFound`).
    public static let path: String? = {
        productDirectories.map { $0.appendingPathComponent("ingot").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The executable's path, or an error saying where it was looked for.
    public static func executable() throws -> String {
        guard let path else { throw NotFound(searched: productDirectories.map(\.path)) }
        return path
    }

    /// Runs `ingot args…` with `NO_COLOR=1`; returns the exit status and everything written to stdout and stderr.
    /// Both pipes are drained at once (stderr on a thread of its own): read one after the other, a child that
    /// fills the second pipe (64 KiB) while the first is still being read would block for ever.
    public static func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try executable())
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read before waiting so a large output cannot fill a pipe and block the child.
        let e = StderrDrain(err.fileHandleForReading)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let errData = e.finish()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// Reads a pipe to its end on a thread of its own; `finish` waits for it and returns the bytes.
private final class StderrDrain: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the reading thread before `done` is signalled, read only after waiting on it.
    private var data = Data()

    init(_ handle: FileHandle) {
        let t = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        t.start()
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}
