import Foundation
import IngotCore
import IngotFormats
import IngotModel

/// An opened conversion input: what kind it is, its tensors, and zero-copy access to their bytes.
public final class ConvertInput {
    public enum Kind {
        /// A Hugging Face model directory: config.json decoded, architecture known.
        case huggingFace(ModelConfig, any ArchitectureDescription)
        /// A GGUF file (requantize).
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
    public let files: [String]
    /// GGUF metadata of a GGUF input (empty otherwise).
    public var metadata: Metadata { source.metadata }

    private var located: [String: (file: MappedFile, start: Int, info: TensorInfo)] = [:]
    /// Tensor names per file, in file order (safetensors shards in file-name order).
    private var namesByFile: [[String]] = []

    /// Opens `path`: a directory with config.json (Hugging Face), a `.gguf` file, or safetensors without a config.
    public init(path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw ConvertError.inputNotFound(path) }
        self.path = path
        if isDir.boolValue {
            let configPath = path + "/config.json"
            let st = try SafetensorsReader(path: path)
            source = st
            files = st.files.map(\.path)
            if FileManager.default.fileExists(atPath: configPath) {
                let config = try ModelConfig(contentsOf: configPath)
                kind = .huggingFace(config, try ArchitectureRegistry.architecture(for: config))
                directory = path
            } else {
                kind = .tensorFile
                directory = nil
            }
            index(safetensors: st)
        } else if path.lowercased().hasSuffix(".gguf") {
            let first = try GGUFReader(path: path)
            let shards = try ConvertInput.splitShards(first)
            source = first
            files = shards.map(\.path)
            kind = .gguf
            directory = nil
            namesByFile = try shards.map { g in
                try g.tensors.map { t in
                    // A name in two shards would be written twice (or silently shadowed): refuse it, naming the shard.
                    guard located[t.name] == nil else {
                        throw ConvertError.unknownInput(path: g.path, reason: "tensor '\(t.name)' also appears in an earlier shard")
                    }
                    located[t.name] = (g.file, g.dataOffset + t.offset, t)
                    return t.name
                }
            }
        } else if path.lowercased().hasSuffix(".safetensors") || path.lowercased().hasSuffix(".json") {
            let st = try SafetensorsReader(path: path)
            source = st
            files = st.files.map(\.path)
            kind = .tensorFile
            directory = nil
            index(safetensors: st)
        } else {
            throw ConvertError.unknownInput(path: path, reason: "expected a model directory, a .safetensors file or a .gguf file")
        }
    }

    /// Every shard of a gguf-split set given its first file (`name-00001-of-0000N.gguf`, `split.count` > 1),
    /// or just `first`. Tensors are read from all shards; metadata comes from the first (llama-quantize drops the
    /// `split.*` keys).
    static func splitShards(_ first: GGUFReader) throws -> [GGUFReader] {
        guard let count = first.metadata["split.count"]?.intValue, count > 1 else { return [first] }
        let no = first.metadata["split.no"]?.intValue ?? 0
        let suffix = "-" + String(format: "%05d", 1) + "-of-" + String(format: "%05d", count) + ".gguf"
        guard no == 0, first.path.hasSuffix(suffix) else {
            throw ConvertError.unknownInput(path: first.path, reason: "shard \(no + 1) of a \(count)-file split GGUF; pass the first file (…\(suffix))")
        }
        let stem = String(first.path.dropLast(suffix.count)) + ".gguf"
        var readers = [first]
        for i in 1..<count {
            let g = try GGUFReader(path: GGUFSplitWriter.shardPath(stem, index: i, count: count))
            guard g.metadata["split.no"]?.intValue == i else {
                throw ConvertError.unknownInput(path: g.path, reason: "expected split.no \(i) in this shard")
            }
            readers.append(g)
        }
        return readers
    }

    private func index(safetensors st: SafetensorsReader) {
        namesByFile = st.files.map { f in
            f.header.tensors.map { t in
                located[t.name] = (f.file, f.header.dataStart + t.offset, t)
                return t.name
            }
        }
    }

    /// Tensors in the order llama.cpp's converter reads them: shard files in name order, and within each shard
    /// tensor names sorted (gguf-py's `SafetensorsLocal` sorts them). For a GGUF input, file order.
    public var converterOrder: [TensorInfo] {
        let sortWithin: Bool
        if case .gguf = kind { sortWithin = false } else { sortWithin = true }
        return namesByFile.flatMap { names in
            (sortWithin ? names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } : names)
                .compactMap { located[$0]?.info }
        }
    }

    /// The info of tensor `name`.
    public func info(_ name: String) -> TensorInfo? { located[name]?.info }

    /// The bytes of tensor `name` (valid while this input lives).
    public func bytes(of name: String) throws -> UnsafeRawBufferPointer {
        guard let l = located[name] else { throw ConvertError.sourceTensorMissing(tensor: name, path: path) }
        return UnsafeRawBufferPointer(rebasing: l.file.bytes[l.start..<(l.start + l.info.byteCount)])
    }

    /// Drops the resident pages of tensor `name` once it has been consumed (bounded memory on large inputs).
    public func release(_ name: String) {
        guard let l = located[name] else { return }
        l.file.release(offset: l.start, count: l.info.byteCount)
    }
}
