import IngotCore

/// Everything the forward pass needs to know about a model's shape, read through an architecture's key table from
/// a config.json or from GGUF metadata alike (inference calls it `ModelSpec`).
public struct HyperParameters: Sendable, Equatable {
    public var architecture: ArchitectureID
    public var vocabSize: Int
    public var hiddenSize: Int
    /// Dense MLP width, or the per-expert width for MoE models.
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var rmsEps: Float
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling
    public var ropeStyle: RopeStyle
    /// Sliding-window size, and which layers use it (gpt-oss: even layers; Mixtral: all when set).
    public var slidingWindow: Int?
    public var slidingLayers: [Bool]
    /// MoE: experts per layer (0 for a dense model) and experts used per token.
    public var experts: Int
    public var expertsPerToken: Int
    /// gpt-oss's clamped GLU.
    public var swigluAlpha: Float
    public var swigluLimit: Float
    public var attentionBias: Bool
    public var mlpBias: Bool
    public var tieEmbeddings: Bool
    public var maxPositions: Int
    public var bosTokenID: Int?
    public var eosTokenIDs: [Int]

    public init(architecture: ArchitectureID, vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layers: Int,
                heads: Int, kvHeads: Int, headDim: Int, rmsEps: Float, ropeTheta: Double, ropeScaling: RopeScaling,
                ropeStyle: RopeStyle, slidingWindow: Int?, slidingLayers: [Bool], experts: Int, expertsPerToken: Int,
                swigluAlpha: Float, swigluLimit: Float, attentionBias: Bool, mlpBias: Bool, tieEmbeddings: Bool,
                maxPositions: Int, bosTokenID: Int?, eosTokenIDs: [Int]) {
        self.architecture = architecture
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.rmsEps = rmsEps
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.ropeStyle = ropeStyle
        self.slidingWindow = slidingWindow
        self.slidingLayers = slidingLayers
        self.experts = experts
        self.expertsPerToken = expertsPerToken
        self.swigluAlpha = swigluAlpha
        self.swigluLimit = swigluLimit
        self.attentionBias = attentionBias
        self.mlpBias = mlpBias
        self.tieEmbeddings = tieEmbeddings
        self.maxPositions = maxPositions
        self.bosTokenID = bosTokenID
        self.eosTokenIDs = eosTokenIDs
    }

    /// Whether layer `l` attends through the sliding window.
    public func isSliding(_ l: Int) -> Bool { slidingWindow != nil && l < slidingLayers.count && slidingLayers[l] }

    /// The description these hyper-parameters belong to.
    public var architectureDescription: (any ArchitectureDescription)? { ArchitectureRegistry.architecture(id: architecture) }
}

extension ArchitectureDescription {
    /// Hyper-parameters from a decoded config.json, with transformers' defaults.
    public func hyperParameters(config c: ModelConfig) throws -> HyperParameters {
        try resolve(KeyReader(table: keys, config: c, arch: ggufName), tensors: [], config: c)
    }

    /// Hyper-parameters from GGUF metadata, with llama.cpp's defaults; `tensors` answer what llama.cpp reads off the
    /// file's tensors (vocabulary rows, biases, tied embeddings).
    public func hyperParameters(gguf md: Metadata, tensors: [TensorInfo], file: String) throws -> HyperParameters {
        try resolve(KeyReader(table: keys, gguf: md, arch: ggufName, file: file), tensors: tensors, metadata: md)
    }

    private func resolve(_ r: KeyReader, tensors: [TensorInfo], config: ModelConfig? = nil,
                         metadata: Metadata? = nil) throws -> HyperParameters {
        let gguf = r.world == .gguf
        let hidden = try r.need(.embeddingLength), heads = try r.need(.headCount)
        let layers = try r.need(.blockCount)
        // Checked here as well as by the runtime's validation: the per-layer tables below are built from it first.
        guard layers > 0 && layers <= 1 << 24 else { throw r.error(.blockCount, "\(layers) is not a usable layer count") }
        let headDim = try r.int(.keyLength) ?? r.int(.ropeDimensionCount) ?? (heads > 0 ? hidden / heads : 0)
        let names = Set(tensors.map(\.name))
        func has(_ role: TensorRole, _ part: TensorPart = .weight, layer: Int? = nil) -> Bool {
            names.contains(self.tensors.ggufName(role, part, layer: layer))
        }
        let vocab: Int
        if gguf {
            let embedding = tensors.first { $0.name == self.tensors.ggufName(.tokenEmbedding, layer: nil) }
            vocab = try r.int(.vocabSize) ?? embedding?.shape.first ?? metadata?["tokenizer.ggml.tokens"]?.arrayValue?.count ?? 0
        } else {
            vocab = try r.need(.vocabSize)
        }
        let maxPos = try r.int(.contextLength) ?? 2048
        let (window, sliding) = try slidingWindow(r, layers: layers)
        let moe = gguf || hasExperts
        var eos = try r.ints(.eosTokenID) ?? []
        if gguf, let e = try r.int(.eotTokenID), !eos.contains(e) { eos.append(e) }

        return HyperParameters(
            architecture: id, vocabSize: vocab, hiddenSize: hidden,
            intermediateSize: try r.int(.expertFeedForwardLength) ?? r.need(.feedForwardLength),
            layers: layers, heads: heads, kvHeads: try r.int(.headCountKV) ?? heads, headDim: headDim,
            rmsEps: Float(try r.double(.rmsEpsilon) ?? 1e-5),
            ropeTheta: try r.double(.ropeFreqBase) ?? 10000,
            ropeScaling: try gguf ? ropeScalingFromGGUF(r, maxPositions: maxPos)
                : ropeScalingFromConfig(r, config!.rope, maxPositions: maxPos),
            ropeStyle: ropeStyle(r.world),
            slidingWindow: window, slidingLayers: sliding,
            experts: moe ? try r.int(.expertCount) ?? 0 : 0,
            expertsPerToken: moe ? try r.int(.expertUsedCount) ?? 0 : 0,
            swigluAlpha: Float(try r.double(.swigluAlpha) ?? 1.702), swigluLimit: Float(try r.double(.swigluLimit) ?? 7),
            attentionBias: gguf ? has(.attentionQ, .bias, layer: 0) : try r.bool(.attentionBias) ?? false,
            mlpBias: gguf ? has(.ffnGate, .bias, layer: 0) : try r.bool(.mlpBias) ?? false,
            tieEmbeddings: gguf ? !has(.output) : try r.bool(.tieEmbeddings) ?? false,
            maxPositions: maxPos, bosTokenID: try r.int(.bosTokenID), eosTokenIDs: eos)
    }

    /// transformers' `ROPE_INIT_FUNCTIONS` inputs from config.json (shared/docs/models.md §3.3).
    private func ropeScalingFromConfig(_ r: KeyReader, _ rope: RopeParameters, maxPositions maxPos: Int) throws -> RopeScaling {
        guard rope.isGiven else { return ropeWhenUnspecified }
        let type = rope.type ?? "default"
        switch type {
        case "default":
            return .none
        case "linear":
            guard let f = try r.double(.ropeScalingFactor) else {
                throw ConfigError(path: r.file, key: rope.keyPrefix + "factor", message: "missing for linear RoPE")
            }
            return .linear(factor: f)
        case "llama3":
            guard let f = try r.double(.ropeScalingFactor), let lo = try r.double(.ropeLowFreqFactor),
                  let hi = try r.double(.ropeHighFreqFactor) else {
                throw ConfigError(path: r.file, key: "rope_parameters",
                                  message: "llama3 RoPE needs factor, low_freq_factor and high_freq_factor")
            }
            return .llama3(factor: f, lowFreqFactor: lo, highFreqFactor: hi,
                           originalContext: try r.double(.ropeOriginalContext) ?? Double(maxPos))
        case "yarn":
            let omax = try r.double(.ropeOriginalContext) ?? Double(maxPos)
            return .yarn(factor: try r.double(.ropeScalingFactor) ?? Double(maxPos) / omax, originalContext: omax,
                         betaFast: try r.double(.yarnBetaFast) ?? 32, betaSlow: try r.double(.yarnBetaSlow) ?? 1,
                         truncate: try r.bool(.yarnTruncate) ?? true, attentionFactor: try r.double(.yarnAttnFactor),
                         mscale: try r.double(.ropeMscale), mscaleAllDim: try r.double(.ropeMscaleAllDim))
        default:
            throw ConfigError(path: r.file, key: rope.keyPrefix + "rope_type",
                              message: "'\(type)' is not supported (default, linear, llama3, yarn)")
        }
    }

    /// llama.cpp's `rope.scaling.*` keys (llama3 scaling arrives as a `rope_freqs` tensor instead).
    private func ropeScalingFromGGUF(_ r: KeyReader, maxPositions maxPos: Int) throws -> RopeScaling {
        switch try r.string(.ropeScalingType) ?? "none" {
        case "none":
            return .none
        case "linear":
            if let f = try r.double(.ropeScalingFactor), f != 1 { return .linear(factor: f) }
            return .none
        case "yarn":
            let attn = try r.double(.yarnAttnFactor)
            return .yarn(factor: try r.double(.ropeScalingFactor) ?? 1,
                         originalContext: try r.double(.ropeOriginalContext) ?? Double(maxPos),
                         betaFast: try r.double(.yarnBetaFast) ?? 32, betaSlow: try r.double(.yarnBetaSlow) ?? 1,
                         truncate: try r.bool(.yarnTruncate) ?? true,
                         attentionFactor: attn.flatMap { $0 == 1 || $0 == 0 ? nil : $0 }, mscale: nil, mscaleAllDim: nil)
        case let other:
            throw r.error(.ropeScalingType, "'\(other)' is not supported (none, linear, yarn)")
        }
    }
}
