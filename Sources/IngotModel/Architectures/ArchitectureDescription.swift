import IngotCore

/// An architecture's identifier (`llama`, `mixtral`, `gpt-oss`). Open: each architecture's file declares its own
/// (`extension ArchitectureID { static let … }`).
public struct ArchitectureID: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
}

/// How router logits become expert weights.
public enum RouterKind: Sendable, Equatable {
    /// Mixtral: softmax over all experts, top-k, renormalise.
    case softmaxThenTopK
    /// gpt-oss: top-k on the raw (biased) logits, softmax over the k.
    case topKThenSoftmax
}

/// The gated activation of the feed-forward blocks.
public enum GateKind: Sendable, Equatable {
    /// `silu(gate) · up`.
    case swiglu
    /// gpt-oss's clamped GLU (`swiglu_alpha`, `swiglu_limit` from the hyper-parameters).
    case clampedSwiglu
}

/// Everything Ingot knows about one architecture: how checkpoints and GGUFs name it, its key table, its tensor map,
/// how its checkpoint becomes GGUF tensors, and the few choices of its forward pass. Convert, inference, inspect
/// and `config` read this and nothing else.
///
/// Adding an architecture is one file (a type conforming to this protocol) and one line in
/// `ArchitectureRegistry.all`.
public protocol ArchitectureDescription: Sendable {
    var id: ArchitectureID { get }
    /// GGUF `general.architecture` (`llama` for both Llama and Mixtral).
    var ggufName: String { get }
    /// `architectures[0]` class names this description accepts.
    var hfArchitectures: [String] { get }
    /// `model_type` values it accepts (used when `architectures` is absent).
    var modelTypes: [String] { get }
    /// Hyper-parameters: config spellings ↔ GGUF keys, types, defaults, validation.
    var keys: KeyTable { get }
    /// (layer, role) → tensor names in both worlds.
    var tensors: TensorMap { get }
    var router: RouterKind { get }
    var gate: GateKind { get }
    /// Whether transformers' class has experts (a config.json of a dense class never makes an MoE model).
    var hasExperts: Bool { get }

    /// The GGUF tensors this checkpoint becomes, in the order llama.cpp's converter writes them. `sources` must be
    /// in the converter's reading order (`ConverterOrder`).
    func recipes(_ config: ModelConfig, sources: [TensorInfo]) throws -> [TensorRecipe]
    /// Whether a GGUF whose `general.architecture` is `ggufName` is this architecture (Mixtral: llama with experts).
    func matches(gguf keys: KeyReader) throws -> Bool
    /// The RoPE scaling a config.json without `rope_parameters`/`rope_scaling` means (transformers' class default).
    var ropeWhenUnspecified: RopeScaling { get }
    /// The sliding-window size and which layers use it.
    func slidingWindow(_ keys: KeyReader, layers: Int) throws -> (window: Int?, layers: [Bool])
}

extension ArchitectureDescription {
    public func matches(gguf keys: KeyReader) throws -> Bool { true }
    public var ropeWhenUnspecified: RopeScaling { .none }
    public var router: RouterKind { .softmaxThenTopK }
    public var gate: GateKind { .swiglu }

    /// Default: `sliding_window` (when the table has it) on every layer.
    public func slidingWindow(_ keys: KeyReader, layers: Int) throws -> (window: Int?, layers: [Bool]) {
        let w = try keys.int(.slidingWindow)
        return (w, [Bool](repeating: w != nil, count: layers))
    }

    /// The architecture's parameter keys: the common `TextModel.set_gguf_parameters` keys through
    /// `general.file_type`, then this architecture's own.
    public func parameterMetadata(_ config: ModelConfig, fileType: UInt32) throws -> [(String, MetadataValue)] {
        try keys.converterMetadata(config, arch: ggufName, fileType: fileType)
    }

    /// Ingot's own keys for a conversion (`ingot.rope.scaling.yarn_truncate`), written after everything else.
    public func ingotMetadata(_ config: ModelConfig) throws -> [(String, MetadataValue)] {
        try keys.ingotMetadata(config)
    }

    /// How a world's tensors rotate under RoPE: GGUF rows of a Q/K-permuting architecture pair interleaved.
    public func ropeStyle(_ world: TensorWorld) -> RopeStyle {
        world == .gguf && tensors.permutesQK ? .interleaved : .halves
    }
}

/// The literal table of supported architectures: adding one is one line here plus its file.
public enum ArchitectureRegistry {
    public static let all: [any ArchitectureDescription] = [
        Llama(),
        Mixtral(),
        GptOss(),
    ]

    /// Names accepted, for messages: `LlamaForCausalLM (llama), …`.
    public static var supportedNames: [String] {
        all.flatMap { a in a.hfArchitectures.map { "\($0) (\(a.modelTypes.first ?? a.id.rawValue))" } }
    }

    /// GGUF architecture names accepted, each once.
    public static var ggufNames: [String] {
        var seen = Set<String>()
        return all.map(\.ggufName).filter { seen.insert($0).inserted }
    }

    /// The description for a config: by `architectures[0]`, else by `model_type`.
    public static func architecture(for config: ModelConfig) throws -> any ArchitectureDescription {
        if let hf = config.hfArchitecture {
            if let a = all.first(where: { $0.hfArchitectures.contains(hf) }) { return a }
            throw ArchitectureError.unsupported(name: hf, path: config.path)
        }
        if let mt = config.modelType {
            if let a = all.first(where: { $0.modelTypes.contains(mt) }) { return a }
            throw ArchitectureError.unsupported(name: mt, path: config.path)
        }
        throw ArchitectureError.unsupported(name: "(none: no architectures or model_type)", path: config.path)
    }

    /// The description of a GGUF: by `general.architecture`, then each candidate's own test (`matches(gguf:)`).
    public static func architecture(gguf md: Metadata, file: String) throws -> any ArchitectureDescription {
        guard let v = md["general.architecture"] else {
            throw ConfigError(path: file, key: "general.architecture", message: "missing")
        }
        guard let name = v.stringValue else {
            throw ConfigError(path: file, key: "general.architecture", message: "expected a string")
        }
        for a in all where a.ggufName == name {
            if try a.matches(gguf: KeyReader(table: a.keys, gguf: md, arch: name, file: file)) { return a }
        }
        throw ArchitectureError.unsupportedGGUF(name: name, path: file)
    }

    /// The first description whose GGUF name is `ggufName`, or nil.
    public static func architecture(ggufName: String) -> (any ArchitectureDescription)? {
        all.first { $0.ggufName == ggufName }
    }

    /// The description with this id, or nil.
    public static func architecture(id: ArchitectureID) -> (any ArchitectureDescription)? {
        all.first { $0.id == id }
    }
}
