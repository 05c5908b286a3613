import Foundation
import IngotCore
import IngotFormats

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
        var arch = InspectReport.Architecture()
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

    /// From GGUF keys `{arch}.block_count`, `.embedding_length`, `.attention.head_count(_kv)`, `.context_length`,
    /// `.expert_count`, `.expert_used_count`; vocabulary from the tokenizer's tokens or the embedding's shape.
    static func architecture(gguf md: Metadata, tensors: [TensorInfo]) -> InspectReport.Architecture {
        var a = InspectReport.Architecture()
        let arch = md["general.architecture"]?.stringValue
        a.name = arch
        func int(_ suffix: String) -> Int? {
            guard let arch, let v = md[arch + "." + suffix] else { return nil }
            // head_count_kv may be a per-layer array; report its first value.
            if let arr = v.arrayValue { return arr.first?.intValue }
            return v.intValue
        }
        a.layers = int("block_count")
        a.hiddenSize = int("embedding_length")
        a.heads = int("attention.head_count")
        a.kvHeads = int("attention.head_count_kv")
        a.contextLength = int("context_length")
        a.experts = int("expert_count")
        a.expertsPerToken = int("expert_used_count")
        a.vocabSize = md["tokenizer.ggml.tokens"]?.arrayValue?.count ?? int("vocab_size") ?? embeddingRows(tensors)
        return a
    }

    /// From config.json (falling back to a nested `text_config`, as multimodal configs have).
    static func architecture(config: JSONValue, tensors: [TensorInfo]) -> InspectReport.Architecture {
        var a = InspectReport.Architecture()
        let text = config["text_config"]
        func int(_ keys: String...) -> Int? {
            for k in keys {
                if let v = config[k]?.int ?? text?[k]?.int { return v }
            }
            return nil
        }
        a.name = config["model_type"]?.string ?? config["architectures"]?[0]?.string
        a.layers = int("num_hidden_layers", "n_layer", "num_layers")
        a.hiddenSize = int("hidden_size", "n_embd", "d_model")
        a.heads = int("num_attention_heads", "n_head")
        // transformers defaults num_key_value_heads to num_attention_heads (no grouping).
        a.kvHeads = int("num_key_value_heads") ?? a.heads
        a.vocabSize = int("vocab_size") ?? embeddingRows(tensors)
        a.contextLength = int("max_position_embeddings", "n_positions", "max_seq_len")
        a.experts = int("num_local_experts", "num_experts", "n_routed_experts")
        a.expertsPerToken = int("num_experts_per_tok", "experts_per_token", "num_experts_per_token")
        return a
    }
}
