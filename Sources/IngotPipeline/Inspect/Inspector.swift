import Foundation
import IngotCore
import IngotFormats
import IngotModel

/// Builds an `InspectReport` for a path: the format is sniffed from the bytes, not the extension.
public enum Inspector {
    /// What a path holds.
    public enum DetectedFormat: Equatable {
        case gguf
        case safetensors
        /// A directory: a Hugging Face checkpoint (config.json and safetensors files).
        case checkpointDirectory
        /// A `*.safetensors.index.json`.
        case safetensorsIndex
    }

    /// Sniffs `path`: GGUF magic; 8-byte little-endian header length followed by `{` (safetensors); a directory;
    /// a safetensors index (JSON with `weight_map`).
    public static func detect(path: String) throws -> DetectedFormat {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FileError(path: path, operation: "open", message: "no such file or directory")
        }
        if isDir.boolValue { return .checkpointDirectory }
        let file = try MappedFile(path: path)
        let b = file.bytes
        if b.count >= 4, b[0] == 0x47, b[1] == 0x47, b[2] == 0x55, b[3] == 0x46 { return .gguf }
        if b.count >= 9 {
            let n = UInt64(littleEndian: b.loadUnaligned(as: UInt64.self))
            // The header may start with whitespace (serde accepts it); the first non-space byte must be '{'.
            var i = 8
            while i < b.count, i < 8 + 64, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
            if n > 0, n <= UInt64(b.count - 8), i < b.count, b[i] == UInt8(ascii: "{") { return .safetensors }
        }
        if path.hasSuffix(".json"), b.count > 0 {
            if let v = try? JSON.parse(b), v["weight_map"] != nil { return .safetensorsIndex }
        }
        let head = Array(b.prefix(8)).map { String(format: "%02X", $0) }.joined(separator: " ")
        throw IngotFailure("\(path): not a GGUF or safetensors file (first bytes: [\(head)])",
                           hint: "ingot inspect reads .gguf files, .safetensors files, safetensors index files and checkpoint directories")
    }

    /// Reads the headers of `path` and summarises them.
    public static func inspect(path: String) throws -> InspectReport {
        switch try detect(path: path) {
        case .gguf:
            return try inspect(gguf: GGUFReader(path: path))
        case .safetensors, .safetensorsIndex, .checkpointDirectory:
            return try inspect(safetensors: SafetensorsReader(path: path))
        }
    }

    /// A GGUF, or the whole set when it is the first file of a gguf-split set (`split.count` > 1): the other
    /// `{stem}-0000k-of-0000N.gguf` files are read too and their tensors listed after the first file's.
    static func inspect(gguf r: GGUFReader) throws -> InspectReport {
        var readers = [r]
        if let count = r.metadata["split.count"]?.intValue, count > 1, r.metadata["split.no"]?.intValue == 0 {
            let suffix = "-" + pad5(1) + "-of-" + pad5(count) + ".gguf"
            guard r.path.hasSuffix(suffix) else {
                throw IngotFailure("\(r.path): first file of a \(count)-file GGUF split set, but not named *\(suffix)",
                                   hint: "keep the names gguf-split gave the files")
            }
            let stem = String(r.path.dropLast(suffix.count))
            for k in 2...count {
                let p = stem + "-" + pad5(k) + "-of-" + pad5(count) + ".gguf"
                let shard = try GGUFReader(path: p)
                guard shard.metadata["split.no"]?.intValue == k - 1 else {
                    throw IngotFailure("\(p): split.no is \(shard.metadata["split.no"]?.intValue.map(String.init) ?? "missing"), expected \(k - 1)")
                }
                readers.append(shard)
            }
        }
        var tensors: [InspectReport.Tensor] = []
        var seen = Set<String>()
        for g in readers {
            for t in g.tensors {
                guard seen.insert(t.name).inserted else {
                    throw IngotFailure("\(g.path): tensor '\(t.name)' also appears in an earlier file of the split set")
                }
                tensors.append(InspectReport.Tensor(name: t.name, type: t.type, shape: t.shape, bytes: t.byteCount,
                                                    offset: g.dataOffset + t.offset, file: g.path))
            }
        }
        if let total = r.metadata["split.tensors.count"]?.intValue, readers.count > 1, total != tensors.count {
            throw IngotFailure("\(r.path): split.tensors.count is \(total) but the \(readers.count) files hold \(tensors.count) tensors")
        }
        return InspectReport(path: r.path, format: "gguf", version: Int(r.version), files: readers.map(\.path),
                             metadata: r.metadata, alignment: r.alignment, dataOffset: r.dataOffset, allTensors: tensors,
                             tensors: tensors, filter: nil,
                             architecture: architecture(gguf: r.metadata, tensors: readers.flatMap(\.tensors)))
    }

    static func pad5(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 5 ? s : String(repeating: "0", count: 5 - s.count) + s
    }

    static func inspect(safetensors r: SafetensorsReader) throws -> InspectReport {
        var tensors: [InspectReport.Tensor] = []
        tensors.reserveCapacity(r.tensors.count)
        for f in r.files {
            for t in f.header.tensors {
                tensors.append(InspectReport.Tensor(name: t.name, type: t.type, shape: t.shape, bytes: t.byteCount,
                                                    offset: f.header.dataStart + t.offset, file: f.path))
            }
        }
        // config.json sits in the checkpoint directory (or beside the file / index).
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: r.path, isDirectory: &isDir)
        let dir = isDir.boolValue ? r.path : (r.path as NSString).deletingLastPathComponent
        let configPath = (dir.isEmpty ? "." : dir) + "/config.json"
        var arch = InspectReport.ModelSummary()
        if FileManager.default.fileExists(atPath: configPath) {
            arch = architecture(config: try JSON.parseFile(configPath), tensors: r.tensors)
        } else {
            arch.vocabSize = embeddingRows(r.tensors)
        }
        return InspectReport(path: r.path, format: "safetensors", version: nil, files: r.files.map(\.path),
                             metadata: r.metadata, alignment: nil, dataOffset: nil, allTensors: tensors,
                             tensors: tensors, filter: nil, architecture: arch)
    }

    /// Rows of the token-embedding matrix (`[vocab, hidden]`), under its HF or GGUF name.
    static func embeddingRows(_ tensors: [TensorInfo]) -> Int? {
        let names: Set<String> = ["model.embed_tokens.weight", "token_embd.weight", "transformer.wte.weight",
                                  "embed_tokens.weight", "model.language_model.embed_tokens.weight"]
        return tensors.first { names.contains($0.name) && $0.shape.count == 2 }?.shape[0]
    }

    /// The summary rows of the key table: the architecture's when `general.architecture` / config.json names a
    /// supported one, else the common rows every architecture shares (`inspect` summarises any model it can read).
    static func summaryTable(_ arch: (any ArchitectureDescription)?) -> KeyTable {
        arch?.keys ?? KeyTable(common: CommonKeys.rows, own: [CommonKeys.vocabSize(write: .never)])
    }

    /// From the key table's GGUF keys (`{arch}.block_count`, `.embedding_length`, `.attention.head_count(_kv)`,
    /// `.context_length`, `.expert_count`, `.expert_used_count`); vocabulary from the tokenizer's tokens or the
    /// embedding's shape. A value that does not read is left out (inspect reports; it does not refuse).
    static func architecture(gguf md: Metadata, tensors: [TensorInfo]) -> InspectReport.ModelSummary {
        var a = InspectReport.ModelSummary()
        let arch = md["general.architecture"]?.stringValue
        a.name = arch
        guard let arch else {
            a.vocabSize = embeddingRows(tensors)
            return a
        }
        let table = summaryTable(try? ArchitectureRegistry.architecture(gguf: md, file: ""))
        func int(_ name: ParameterName) -> Int? {
            guard let row = table.row(name), let (_, v) = row.ggufEntry(md, arch: arch) else { return nil }
            // head_count_kv may be a per-layer array; report its first value.
            if let arr = v.arrayValue { return arr.first?.intValue }
            return v.intValue
        }
        a.layers = int(.blockCount)
        a.hiddenSize = int(.embeddingLength)
        a.heads = int(.headCount)
        a.kvHeads = int(.headCountKV)
        a.contextLength = int(.contextLength)
        a.experts = int(.expertCount)
        a.expertsPerToken = int(.expertUsedCount)
        a.vocabSize = md["tokenizer.ggml.tokens"]?.arrayValue?.count ?? int(.vocabSize) ?? embeddingRows(tensors)
        return a
    }

    /// From config.json through the key table's config spellings (a nested `text_config`, as multimodal configs
    /// have, is merged as the converter does).
    static func architecture(config: JSONValue, tensors: [TensorInfo]) -> InspectReport.ModelSummary {
        var a = InspectReport.ModelSummary()
        var root = config.object ?? JSONObject()
        if let text = root["text_config"]?.object {
            for (k, v) in text.entries where root[k] == nil { root.set(k, v) }
        }
        a.name = root["model_type"]?.string ?? root["architectures"]?[0]?.string
        let parsed = try? ModelConfig(json: .object(root), path: "config.json")
        let table = summaryTable(parsed.flatMap { try? ArchitectureRegistry.architecture(for: $0) })
        func int(_ name: ParameterName) -> Int? {
            guard let row = table.row(name) else { return nil }
            for k in row.configKeys where !k.contains(".") {
                if let v = root[k]?.int { return v }
            }
            return nil
        }
        a.layers = int(.blockCount)
        a.hiddenSize = int(.embeddingLength)
        a.heads = int(.headCount)
        // transformers defaults num_key_value_heads to num_attention_heads (no grouping).
        a.kvHeads = int(.headCountKV) ?? a.heads
        a.vocabSize = int(.vocabSize) ?? embeddingRows(tensors)
        a.contextLength = int(.contextLength)
        a.experts = int(.expertCount)
        a.expertsPerToken = int(.expertUsedCount)
        return a
    }
}
