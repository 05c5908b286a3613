import Foundation
import IngotCore
import IngotModel

/// Ingot's provenance keys, appended after everything llama.cpp writes (they are the only keys an Ingot GGUF has
/// that llama.cpp's own output lacks): the version, each source file's name and SHA-256, the plan (types per tensor
/// pattern) and, with `--imatrix`, the importance matrix's SHA-256 and datasets.
enum Provenance {
    static func append(to metadata: inout Metadata, input: ConvertInput, plan: ConversionPlan,
                       imatrix: ImportanceMatrix?) throws {
        metadata.set("ingot.version", .string(IngotVersion.string))
        let hashes = try hashFiles(input.files)
        metadata.set("ingot.source.files", .array(.string, input.files.map { .string(($0 as NSString).lastPathComponent) }))
        metadata.set("ingot.source.sha256", .array(.string, hashes.map { .string($0) }))
        metadata.set("ingot.plan", .array(.string, plan.typesByPattern.map { .string($0) }))
        if let imatrix {
            metadata.set("ingot.imatrix.sha256", .string(imatrix.sha256))
            metadata.set("ingot.imatrix.datasets", .array(.string, imatrix.datasets.map { .string($0) }))
        }
    }

    /// SHA-256 of each file, files hashed in parallel, each read sequentially with read(2) so the bytes do not
    /// stay in this process's resident memory.
    static func hashFiles(_ paths: [String]) throws -> [String] {
        var out = [String?](repeating: nil, count: paths.count)
        let firstError = FirstErrorBox()
        let lock = Mutex()
        Parallel.forEachChunk(paths.count, threads: Parallel.coreCount) { range in
            for i in range {
                do {
                    let h = try hashFile(paths[i])
                    lock.withLock { out[i] = h }
                } catch { firstError.set(error) }
            }
        }
        if let e = firstError.error { throw e }
        return out.map { $0 ?? "" }
    }

    static func hashFile(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        let size = 4 << 20
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buf.deallocate() }
        var s = SHA256()
        var done = 0
        while true {
            let n = read(fd, buf, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            s.update(UnsafeRawBufferPointer(start: buf, count: n))
            // Tell the kernel we are done with these pages (they are re-read, mapped, during conversion anyway).
            _ = posix_fadvise(fd, off_t(done), off_t(n), Int32(POSIX_FADV_DONTNEED))
            done += n
        }
        return s.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
