import IngotCore
import IngotFormats

/// The metadata llama.cpp's converter writes, in its order: `general.architecture`, `general.type`, the authorship
/// block (`Metadata.set_gguf_meta_model`), the architecture's parameters through `general.file_type` and its own
/// keys, `general.quantization_version`, then the tokenizer keys.
public enum ConverterMetadata {
    /// Inputs of the authorship block.
    public struct Authorship {
        /// The model directory's name (the last fallback for `general.name`).
        public var directoryName: String
        /// config.json's root (for `_name_or_path`), if any.
        public var config: JSONObject?
        /// generation_config.json, if present (sampling defaults).
        public var generationConfig: JSONObject?
        /// Parameter counts of the output tensors (`ModelNaming.parameterCounts`).
        public var parameters: (total: Int, shared: Int, expert: Int, expertCount: Int)

        public init(directoryName: String, config: JSONObject?, generationConfig: JSONObject?,
                    parameters: (total: Int, shared: Int, expert: Int, expertCount: Int)) {
            self.directoryName = directoryName
            self.config = config
            self.generationConfig = generationConfig
            self.parameters = parameters
        }
    }

    /// `general.sampling.*` from generation_config.json, then `general.name` … `general.size_label`.
    public static func authorship(_ a: Authorship) -> [(String, MetadataValue)] {
        var name: String?, organization: String?, basename: String?, finetune: String?, version: String?
        var size: String?
        func apply(_ c: ModelNaming.Components) {
            if name == nil, let v = c.fullName { name = ModelNaming.title(v) }
            if organization == nil, let v = c.organization { organization = ModelNaming.title(v) }
            if basename == nil { basename = c.basename }
            if finetune == nil { finetune = c.finetune }
            if version == nil { version = c.version }
            if size == nil { size = c.sizeLabel }
        }
        let total = a.parameters.total
        // Hugging Face parameter heuristics: `_name_or_path` when it looks like a model id, not a path.
        if let id = a.config?["_name_or_path"]?.string, id.filter({ $0 == "/" }).count <= 1 {
            apply(ModelNaming.components(id, totalParams: total))
        }
        // Directory name fallback.
        apply(ModelNaming.components(a.directoryName, totalParams: total))
        if name == nil { name = a.directoryName }
        if size == nil, total > 0 {
            size = ModelNaming.sizeLabel(totalParams: total, sharedParams: a.parameters.shared,
                                         expertParams: a.parameters.expert, expertCount: a.parameters.expertCount)
        }

        var k: [(String, MetadataValue)] = []
        if let g = a.generationConfig {
            let ints: Set<String> = ["top_k", "penalty_last_n", "mirostat"]
            let fields: [(String, String)] = [
                ("sequence", "sequence"), ("top_k", "top_k"), ("top_p", "top_p"), ("min_p", "min_p"),
                ("xtc_probability", "xtc_probability"), ("xtc_threshold", "xtc_threshold"), ("temperature", "temp"),
                ("penalty_last_n", "penalty_last_n"), ("penalty_repeat", "penalty_repeat"), ("mirostat", "mirostat"),
                ("mirostat_tau", "mirostat_tau"), ("mirostat_eta", "mirostat_eta"),
            ]
            for (src, dst) in fields {
                guard let v = g[src], !v.isNull else { continue }
                let key = "general.sampling.\(dst)"
                if src == "sequence" {
                    if let s = v.string, !s.isEmpty { k.append((key, .string(s))) }
                } else if ints.contains(src) {
                    if let i = v.int, let i32 = Int32(exactly: i) { k.append((key, .int32(i32))) }
                } else if let d = v.double {
                    k.append((key, .float32(Float(d))))
                }
            }
        }
        func add(_ key: String, _ v: String?) {
            if let v, !v.isEmpty { k.append((key, .string(v))) }   // gguf-py skips empty strings
        }
        // Metadata.set_gguf_meta_model's order.
        add("general.name", name)
        add("general.version", version)
        add("general.organization", organization)
        add("general.finetune", finetune)
        add("general.basename", basename)
        add("general.size_label", size)
        return k
    }

    /// The converter's full key list for a model: architecture, type, authorship, parameters, quantization version
    /// and tokenizer keys, in that order.
    public static func model(architecture: any ArchitectureDescription, config: ModelConfig, fileType: UInt32,
                             authorship: Authorship, tokenizer: [(String, MetadataValue)]) throws -> Metadata {
        var m = Metadata()
        m.append("general.architecture", .string(architecture.ggufName))
        m.append("general.type", .string("model"))
        for (key, v) in Self.authorship(authorship) { m.set(key, v) }
        for (key, v) in try architecture.parameterMetadata(config, fileType: fileType) { m.set(key, v) }
        m.set("general.quantization_version", .uint32(2))
        for (key, v) in tokenizer { m.set(key, v) }
        return m
    }

    /// llama-quantize's rewrite of an input's keys: `split.*` dropped, `general.quantization_version` and
    /// `general.file_type` removed and appended (gguf_set_val_* moves an existing key to the end).
    public static func requantized(_ input: Metadata, fileType: UInt32) -> Metadata {
        var m = input
        for key in ["general.quantization_version", "general.file_type", "split.no", "split.count",
                    "split.tensors.count"] {
            m.remove(key)
        }
        m.append("general.quantization_version", .uint32(2))
        m.append("general.file_type", .uint32(fileType))
        return m
    }
}
