import IngotCore

/// A hyper-parameter's canonical name. Open on purpose: an architecture's own file declares the names only it
/// uses (`extension ParameterName { static let … }`), so adding one never edits a shared enum.
public struct ParameterName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// The value type of a row, as GGUF stores it (`intList` is config.json's "int or list of ints").
public enum KeyValueType: Sendable, Equatable {
    case uint32, float32, bool, string, intList
}

/// Where a row's value sits in config.json.
public enum ConfigField: Sendable, Equatable {
    /// Top-level keys (after `text_config` is merged), llama.cpp's first-present-key rule.
    case keys([String])
    /// A key of the normalised RoPE parameters (`rope_parameters` ∪ `rope_scaling` ∪ top-level, see `RopeParameters`).
    case rope(String)
    /// The scaling type llama.cpp writes: `linear`/`yarn` when a factor is given, `longrope` for `su`/`longrope`.
    case ropeScalingType
    /// `head_dim`, else `hidden_size / num_attention_heads`.
    case effectiveHeadDim
    /// Not in config.json (a GGUF-only key).
    case none
}

/// Where a row's value sits in GGUF metadata.
public enum GGUFKey: Sendable, Equatable {
    /// `{general.architecture}.` + suffix.
    case arch(String)
    /// A full key outside the architecture's namespace (`tokenizer.ggml.bos_token_id`,
    /// `ingot.rope.scaling.yarn_truncate`); `alsoRead` are `{arch}.`-prefixed suffixes read first when present.
    case global(String, alsoRead: [String])
    /// Not in GGUF metadata (read from config.json only, or derived from the tensors).
    case none

    /// The full key for architecture `arch`, nil for `.none`.
    public func key(arch: String) -> String? {
        switch self {
        case .arch(let s): return arch + "." + s
        case .global(let k, _): return k
        case .none: return nil
        }
    }
}

/// When convert writes a row (the conditions of llama.cpp's `set_gguf_parameters`).
public enum WriteRule: Sendable, Equatable {
    /// Inference reads it; the converter never writes it.
    case never
    /// Always written; absent is `ArchitectureError.missingParameter` naming `missingKey` (default: the first
    /// config key).
    case required(missingKey: String?)
    case ifPresent
    /// Written only when the value is `false` (`attention.causal`).
    case ifFalse
    /// Written when present and the written `rope.scaling.type` is one of these.
    case underScaling([String])
    /// As `underScaling`, and an error when absent.
    case requiredUnderScaling([String])
    /// Ingot's own namespace, written at the end when the config's RoPE type is `ropeType`, with `fallback` when
    /// the config does not say (`ingot.rope.scaling.yarn_truncate`).
    case ingotWhenRopeType(String, fallback: Bool)
}

/// A value read from either world.
public enum KeyValue: Sendable, Equatable {
    case int(Int), double(Double), bool(Bool), string(String), ints([Int])

    public var int: Int? { if case .int(let v) = self { return v }; return nil }
    public var double: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    public var bool: Bool? { if case .bool(let v) = self { return v }; return nil }
    public var string: String? { if case .string(let v) = self { return v }; return nil }
    public var ints: [Int]? {
        switch self {
        case .ints(let v): return v
        case .int(let v): return [v]
        default: return nil
        }
    }
}

/// How a string value is written to GGUF.
public enum KeyEncoding: Sendable, Equatable {
    case plain
    /// `softmax` → 1, `sigmoid` → 2, `sqrtsoftplus` → 4 (llama.cpp's `ExpertGatingFuncType`).
    case gatingFunction
}

/// One hyper-parameter: its config.json spelling(s) ↔ its GGUF key, type, defaults per world, validation.
///
/// The defaults are the ones each world's reader applies when the key is absent: `configDefault` is
/// transformers' class default (what a config.json that omits the key means), `ggufDefault` is llama.cpp's
/// loader default. They differ on purpose (e.g. llama's `rms_norm_eps` 1e-6 in transformers, 1e-5 in llama.cpp).
public struct KeyRow: Sendable, Equatable {
    public var name: ParameterName
    public var config: ConfigField
    /// Further config spellings inference accepts that llama.cpp's converter does not look up (tried after `config`).
    public var configAliases: [String]
    public var gguf: GGUFKey
    public var type: KeyValueType
    public var write: WriteRule
    public var configDefault: KeyValue?
    public var ggufDefault: KeyValue?
    /// Allowed range of a numeric value (integers: 0…max unless said); doubles must also be finite.
    public var range: ClosedRange<Double>?
    public var encoding: KeyEncoding
    /// The config spelling messages name when it is not the converter's first (`num_hidden_layers`, not `n_layers`).
    public var messageName: String?

    public init(_ name: ParameterName, config: ConfigField, aliases: [String] = [], gguf: GGUFKey,
                _ type: KeyValueType, write: WriteRule, configDefault: KeyValue? = nil, ggufDefault: KeyValue? = nil,
                range: ClosedRange<Double>? = nil, encoding: KeyEncoding = .plain, messageName: String? = nil) {
        self.messageName = messageName
        self.name = name
        self.config = config
        self.configAliases = aliases
        self.gguf = gguf
        self.type = type
        self.write = write
        self.configDefault = configDefault
        self.ggufDefault = ggufDefault
        self.range = range
        self.encoding = encoding
    }

    /// The top-level config spellings llama.cpp's converter looks up (no aliases).
    public var converterConfigKeys: [String] {
        if case .keys(let k) = config { return k }
        return []
    }

    /// The config spellings, converter's first.
    public var configKeys: [String] {
        switch config {
        case .keys(let k): return k + configAliases
        case .rope(let k): return ["rope_parameters." + k]
        case .ropeScalingType: return ["rope_parameters.rope_type"]
        case .effectiveHeadDim: return ["head_dim"]
        case .none: return []
        }
    }
}

/// An architecture's key table: rows in the converter's writing order. Convert's metadata, inference's
/// hyper-parameters (from config.json or GGUF alike), `inspect`'s summary and `config`'s aliases all read it.
public struct KeyTable: Sendable, Equatable {
    public var rows: [KeyRow]
    /// Rows before this index are llama.cpp's common `TextModel` keys, written before `general.file_type`;
    /// the rest are the architecture's own `set_gguf_parameters` keys, written after it.
    public var commonCount: Int

    public init(common: [KeyRow], own: [KeyRow]) {
        rows = common + own
        commonCount = common.count
    }

    /// The row named `name` (the last one when an architecture restates a common row).
    public func row(_ name: ParameterName) -> KeyRow? { rows.last { $0.name == name } }

    /// The same table with `name`'s defaults replaced (an architecture's own class defaults).
    public func defaulting(_ name: ParameterName, config: KeyValue?? = nil, gguf: KeyValue?? = nil) -> KeyTable {
        var t = self
        for i in t.rows.indices where t.rows[i].name == name {
            if let c = config { t.rows[i].configDefault = c }
            if let g = gguf { t.rows[i].ggufDefault = g }
        }
        return t
    }

    // MARK: - Aliases (`ingot config`)

    /// Every GGUF key that carries config.json key `key` for architecture `arch`, in table order: one config key can
    /// feed several (`head_dim` → `attention.key_length`, `attention.value_length`, `rope.dimension_count`).
    public func ggufKeys(forConfigKey key: String, arch: String) -> [String] {
        rows.filter { $0.configKeys.contains(key) }.compactMap { $0.gguf.key(arch: arch) }
    }

    /// The first GGUF key for a config.json key (`num_experts_per_tok` → `llama.expert_used_count`); nil when no
    /// GGUF key carries it.
    public func ggufKey(forConfigKey key: String, arch: String) -> String? {
        ggufKeys(forConfigKey: key, arch: arch).first
    }

    /// The config.json spellings a GGUF key comes from (the converter's first), empty for GGUF-only keys.
    public func configKeys(forGGUFKey key: String, arch: String) -> [String] {
        rows.first { row in
            if row.gguf.key(arch: arch) == key { return true }
            if case .global(_, let also) = row.gguf { return also.contains { arch + "." + $0 == key } }
            return false
        }?.configKeys ?? []
    }

    /// The converter's config.json spelling of a GGUF key (`llama.expert_used_count` → `num_experts_per_tok`).
    public func configKey(forGGUFKey key: String, arch: String) -> String? {
        configKeys(forGGUFKey: key, arch: arch).first
    }
}
