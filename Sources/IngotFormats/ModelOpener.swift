import Foundation
import IngotCore

/// The start of a file (or a directory) as format detection sees it.
public struct FileHead: Sendable {
    /// How many leading bytes are read.
    public static let length = 128

    public let path: String
    public let isDirectory: Bool
    /// The first `length` bytes (fewer for a short file, none for a directory).
    public let bytes: [UInt8]
    /// File size in bytes (0 for a directory).
    public let size: Int

    /// Reads the head of `path`; a missing path is a `FileError` ("no such file or directory").
    public init(path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FileError(path: path, operation: "open", message: "no such file or directory")
        }
        self.path = path
        isDirectory = isDir.boolValue
        if isDirectory {
            bytes = []
            size = 0
            return
        }
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw FileError(path: path, operation: "open", message: "permission denied or not a regular file")
        }
        defer { try? h.close() }
        bytes = Array((try? h.read(upToCount: FileHead.length)) ?? Data())
        size = Int((try? h.seekToEnd()) ?? UInt64(bytes.count))
    }

    /// The first bytes in hex, for messages (`[47 47 55 46 …]`).
    public var hex: String { bytes.prefix(8).map { String(format: "%02X", $0) }.joined(separator: " ") }
}

/// The one way to open a model: any path Ingot reads — a file of a registered format (recognised by its bytes),
/// a Hugging Face checkpoint directory (single file or sharded), a `*.safetensors.index.json`, or the first file
/// of a gguf-split set — as one `TensorSource`.
public enum ModelOpener {
    /// Opens `path` as a `TensorSource`. Unknown bytes are an error naming the file, its first bytes and the
    /// supported formats.
    public static func open(_ path: String, options: OpenOptions = OpenOptions()) throws -> any TensorSource {
        try format(of: path).open(path, options)
    }

    /// The registered format `path` holds, or the unknown-format error.
    public static func format(of path: String) throws -> FileFormat {
        let head = try FileHead(path: path)
        guard let f = FormatRegistry.format(of: head) else {
            let names = FormatRegistry.formats.map(\.name)
            let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
            throw IngotFailure("\(path): not a \(list) file (first bytes: [\(head.hex)])",
                               hint: "Ingot reads " + FormatRegistry.supported)
        }
        return f
    }

    /// A file that sits with the checkpoint at `path` (`config.json`, `tokenizer.json`): inside it when `path`
    /// is a directory, beside it when `path` is a file. Nil when there is no such file.
    public static func companion(_ name: String, of path: String) -> String? {
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        let dir = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        let p = (dir.isEmpty ? "." : dir) + "/" + name
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    /// The directory of the checkpoint at `path`: `path` itself when it is a directory, else the file's directory.
    public static func directory(of path: String) -> String {
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        let dir = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
}
