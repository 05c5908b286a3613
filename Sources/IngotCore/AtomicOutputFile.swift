#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output written to a temporary file beside its destination, fsynced and renamed into place only on `commit()`.
///
/// Until then nothing exists under the final name. `abandon()` (or deinit without commit, or Ctrl-C through
/// `TemporaryFiles`) removes the temporary file. Refuses to overwrite any of `protectedInputs`.
public final class AtomicOutputFile {
    public let finalPath: String
    public let temporaryPath: String
    private var fd: Int32
    private var committed = false
    /// Bytes written so far.
    public private(set) var bytesWritten: Int = 0

    /// Creates the temporary file. `protectedInputs` are paths that must never be replaced (the inputs of the job).
    public init(path: String, protectedInputs: [String] = []) throws {
        let resolvedTarget = AtomicOutputFile.canonical(path)
        for input in protectedInputs where AtomicOutputFile.canonical(input) == resolvedTarget {
            throw FileError(path: path, operation: "write", message: "refusing to overwrite an input file; choose another output path")
        }
        finalPath = path
        let dir = AtomicOutputFile.directory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        temporaryPath = "\(dir)/.\(base).ingot-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Registered (and the SIGINT/SIGTERM handler installed) before the file exists: a signal that arrives
        // between the two would otherwise leave a temporary file nobody removes. Unlinking a name not yet created
        // is harmless; the name is unique to this process.
        TemporaryFiles.register(temporaryPath)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            TemporaryFiles.unregister(temporaryPath)
            throw FileError(path: temporaryPath, operation: "create", errno: e)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var p = bytes.baseAddress
        var left = bytes.count
        while left > 0, let cur = p {
            let n = Glibc.write(fd, cur, min(left, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: finalPath, operation: "write", errno: errno)
            }
            left -= n
            p = cur + n
            bytesWritten += n
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends `n` zero bytes.
    public func writeZeros(_ n: Int) throws {
        guard n > 0 else { return }
        try write([UInt8](repeating: 0, count: n))
    }

    /// Overwrites bytes at an absolute offset already written (for headers patched after streaming).
    public func patch(_ bytes: [UInt8], at offset: Int) throws {
        let n = bytes.withUnsafeBytes { b in pwrite(fd, b.baseAddress, b.count, off_t(offset)) }
        guard n == bytes.count else { throw FileError(path: finalPath, operation: "write", errno: errno) }
    }

    /// fsync, close, rename into place, fsync the directory.
    public func commit() throws {
        guard !committed else { return }
        guard fsync(fd) == 0 else { throw FileError(path: finalPath, operation: "fsync", errno: errno) }
        close(fd)
        fd = -1
        guard rename(temporaryPath, finalPath) == 0 else {
            let e = errno
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
            throw FileError(path: finalPath, operation: "rename into place", errno: e)
        }
        committed = true
        TemporaryFiles.unregister(temporaryPath)
        let dfd = open(AtomicOutputFile.directory(of: finalPath), O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Removes the temporary file; the destination is untouched.
    public func abandon() {
        guard !committed else { return }
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
        committed = true
    }

    deinit { abandon() }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }

    static func canonical(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }

    /// Free bytes on the filesystem holding `path`'s directory, nil if unknown.
    public static func freeSpace(forOutput path: String) -> Int? {
        var s = statvfs()
        guard statvfs(directory(of: path), &s) == 0 else { return nil }
        return Int(s.f_bavail) * Int(s.f_frsize)
    }
}

/// Temporary files to delete if the process is interrupted (SIGINT, SIGTERM).
///
/// The handler only calls `unlink` on C strings prepared in advance (async-signal-safe), then re-raises.
public enum TemporaryFiles {
    nonisolated(unsafe) private static var slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 256)
    nonisolated(unsafe) private static var installed = false
    private static let lock = Mutex()

    public static func register(_ path: String) {
        lock.withLock {
            if !installed {
                slots.initialize(repeating: nil, count: 256)
                signal(SIGINT, handler)
                signal(SIGTERM, handler)
                installed = true
            }
            for i in 0..<256 where slots[i] == nil {
                slots[i] = strdup(path)
                return
            }
        }
    }

    public static func unregister(_ path: String) {
        lock.withLock {
            guard installed else { return }
            for i in 0..<256 {
                if let s = slots[i], String(cString: s) == path {
                    slots[i] = nil
                    free(s)
                }
            }
        }
    }

    private static let handler: @convention(c) (Int32) -> Void = { sig in
        for i in 0..<256 { if let s = TemporaryFiles.slots[i] { unlink(s) } }
        signal(sig, SIG_DFL)
        raise(sig)
    }
}

/// A small pthread mutex (Foundation-free).
public final class Mutex: @unchecked Sendable {
    private var m = pthread_mutex_t()
    public init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return try body()
    }
}
