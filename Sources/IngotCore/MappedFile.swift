#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, memory-mapped file. Bytes are paged in on demand, so opening a 100 GB checkpoint touches nothing.
///
/// Foundation's `.mappedIfSafe` reads the whole file on Linux; this is a plain `mmap(PROT_READ, MAP_PRIVATE)`.
/// The mapping lives as long as the object; hand out `bytes` only inside its lifetime.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The whole file.
    public let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    /// Maps `path` read-only. Throws `FileError` naming the path and the system's reason.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError(path: path, operation: "stat", errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FileError(path: path, operation: "open", message: "not a regular file")
        }
        let size = Int(st.st_size)
        length = size
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw FileError(path: path, operation: "mmap", errno: errno) }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    /// Tells the kernel the range will be read sequentially once (helps streaming conversion stay out of the page cache).
    public func adviseSequential(offset: Int = 0, count: Int? = nil) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (offset / page) * page
        let n = min(length - start, (count ?? length) + (offset - start))
        if n > 0 { _ = madvise(base + start, n, MADV_SEQUENTIAL) }
    }

    /// Drops the pages of a range from this process's resident set once it has been consumed.
    public func release(offset: Int, count: Int) {
        guard let base, count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (offset / page) * page
        let end = min(length, offset + count)
        guard end > start else { return }
        _ = madvise(base + start, end - start, MADV_DONTNEED)
    }

    deinit {
        if let base { munmap(base, length) }
    }
}

/// A failed file operation, with the path and the system's message.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let message: String

    public init(path: String, operation: String, message: String) {
        self.path = path
        self.operation = operation
        self.message = message
    }
    public init(path: String, operation: String, errno code: Int32) {
        self.init(path: path, operation: operation, message: String(cString: strerror(code)))
    }
    public var description: String { "\(path): cannot \(operation): \(message)" }
}
