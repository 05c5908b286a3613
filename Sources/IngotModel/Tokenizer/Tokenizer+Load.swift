import Foundation
import IngotCore
import IngotFormats

extension Tokenizer {
    /// Loads a tokenizer from a path: a GGUF file (model or vocabulary only; detected by its magic bytes), a
    /// Hugging Face model directory, or a tokenizer.json file.
    public static func load(path: String) throws -> Tokenizer {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FileError(path: path, operation: "open", message: "no such file or directory")
        }
        if !isDir.boolValue, isGGUF(path) {
            let reader = try GGUFReader(path: path)
            return try load(gguf: reader.metadata, file: (path as NSString).lastPathComponent)
        }
        return try load(huggingFace: path)
    }

    /// Whether the file starts with GGUF's magic.
    static func isGGUF(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 4)) == Data("GGUF".utf8)
    }
}
