import Foundation
import IngotCore
import IngotFormats
import IngotModel

/// Builds an `InspectReport` for a path, opened through `ModelOpener`: the format is recognised from the bytes,
/// not the extension; a gguf-split set (given its first file) and a sharded checkpoint are shown whole.
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

    /// Sniffs `path` with the format registry (GGUF magic; safetensors header length then `{`; a directory; a
    /// JSON index with `weight_map`).
    public static func detect(path: String) throws -> DetectedFormat {
        let head = try FileHead(path: path)
        let format = try ModelOpener.format(of: path)
        if format.name == "GGUF" { return .gguf }
        if head.isDirectory { return .checkpointDirectory }
        return head.path.hasSuffix(".json") && head.bytes.first == UInt8(ascii: "{") ? .safetensorsIndex : .safetensors
    }

    /// Reads the headers of `path` and summarises them. A later file of a gguf-split set is shown alone (its own
    /// header); the first file shows the whole set.
    public static func inspect(path: String) throws -> InspectReport {
        try inspect(source: ModelOpener.open(path, options: OpenOptions(laterShardAlone: true)))
    }

    /// Summarises an opened source: every tensor with the file it lives in and its absolute offset; the GGUF
    /// header facts for GGUF; the architecture from GGUF metadata or from the config.json beside a checkpoint.
    static func inspect(source s: any TensorSource) throws -> InspectReport {
        var tensors: [InspectReport.Tensor] = []
        tensors.reserveCapacity(s.tensors.count)
        for t in s.tensors {
            let at = s.location(of: t.name) ?? TensorLocation(path: s.path, offset: t.offset)
            tensors.append(InspectReport.Tensor(name: t.name, type: t.type, shape: t.shape, bytes: t.byteCount,
                                                offset: at.offset, file: at.path))
        }
        if let g = s as? any GGUFLayout {
            return InspectReport(path: s.path, format: "gguf", version: Int(g.version), files: s.filePaths,
                                 metadata: s.metadata, alignment: g.alignment, dataOffset: g.dataOffset,
                                 allTensors: tensors, tensors: tensors, filter: nil,
                                 architecture: architecture(gguf: s.metadata, tensors: s.tensors))
        }
        // config.json sits in the checkpoint directory (or beside the file / index).
        var arch = InspectReport.ModelSummary()
        if let configPath = ModelOpener.companion("config.json", of: s.path) {
            arch = architecture(config: try JSON.parseFile(configPath), tensors: s.tensors)
        } else {
            arch.vocabSize = embeddingRows(s.tensors)
        }
        return InspectReport(path: s.path, format: s.formatName, version: nil, files: s.filePaths,
                             metadata: s.metadata, alignment: nil, dataOffset: nil, allTensors: tensors,
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
