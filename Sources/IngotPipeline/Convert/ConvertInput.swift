import Foundation
import IngotCore
import IngotFormats
import IngotModel

/// An opened conversion input: what kind it is and its tensors, opened through `ModelOpener` (the format is
/// recognised by its bytes; sharded checkpoints and gguf-split sets are one source). Bytes are read only inside
/// `source.withBytes` scopes.
public final class ConvertInput {
    public enum Kind {
        /// A Hugging Face model directory: config.json decoded, architecture known.
        case huggingFace(ModelConfig, any ArchitectureDescription)
        /// A GGUF file or split set (requantize).
        case gguf
        /// A plain tensor file (safetensors without config.json): converted tensor by tensor.
        case tensorFile
    }

    public let kind: Kind
    /// The path as given.
    public let path: String
    /// The model directory (Hugging Face input), else nil.
    public let directory: String?
    /// The opened container.
    public let source: any TensorSource
    /// Every file the data comes from (for provenance hashes and overwrite protection).
    public var files: [String] { source.filePaths }
    /// GGUF metadata of a GGUF input (empty otherwise).
    public var metadata: Metadata { source.metadata }

    /// Opens `path`: a directory with config.json (Hugging Face), a GGUF file or the first file of a split set,
    /// or safetensors (file, index or directory) without a config.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw ConvertError.inputNotFound(path) }
        self.path = path
        source = try ModelOpener.open(path)
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        if source.formatName == "gguf" {
            kind = .gguf
            directory = nil
        } else if isDir.boolValue, let configPath = ModelOpener.companion("config.json", of: path) {
            let config = try ModelConfig(contentsOf: configPath)
            kind = .huggingFace(config, try ArchitectureRegistry.architecture(for: config))
            directory = path
        } else {
            kind = .tensorFile
            directory = nil
        }
    }

    /// Tensors in the order llama.cpp's converter reads them: shard files in name order, and within each shard
    /// tensor names sorted (gguf-py's `SafetensorsLocal` sorts them). For a GGUF input, file order.
    public var converterOrder: [TensorInfo] {
        let sortWithin: Bool
        if case .gguf = kind { sortWithin = false } else { sortWithin = true }
        return source.tensorsByFile.flatMap { group in
            sortWithin ? group.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) } : group
        }
    }

    /// The info of tensor `name`.
    public func info(_ name: String) -> TensorInfo? { source.info(name) }

    /// Drops the resident pages of tensor `name` once it has been consumed (bounded memory on large inputs).
    public func release(_ name: String) { source.release(name) }
}
