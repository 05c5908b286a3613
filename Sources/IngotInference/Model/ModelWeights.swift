import IngotCore
import IngotModel

/// A Linear layer: `y = x · Wᵀ + b`, W `[out, in]` in its stored type.
struct Linear {
    let weight: WeightMatrix
    let bias: [Float]?
    /// The GGUF tensor(s) this product computes, as the observer reports them (two for gpt-oss's fused gate/up
    /// checkpoint tensor), whatever world the weights were loaded from.
    var names: [String] = []
    /// The expert index, for one expert of a stacked MoE tensor.
    var expert: Int? = nil
    var outFeatures: Int { weight.rows }
    var inFeatures: Int { weight.cols }
}

/// One layer's attention parameters.
struct AttentionWeights {
    let q: Linear, k: Linear, v: Linear, o: Linear
    /// gpt-oss's per-head sink logits.
    let sinks: [Float]?
}

/// How an expert's gate and up projections are stored.
enum GateUp {
    /// Two `[I, H]` matrices.
    case separate(gate: Linear, up: Linear)
    /// One `[2I, H]` matrix whose even rows are gate and odd rows are up (gpt-oss's checkpoint layout).
    case interleaved(Linear)
}

/// One expert (or the dense MLP): gate/up then down.
struct FeedForwardWeights {
    let gateUp: GateUp
    let down: Linear
}

/// How router logits become expert weights (the architecture's `RouterKind`).
typealias Routing = RouterKind

/// A mixture-of-experts block.
struct MoEWeights {
    let router: Linear
    let routing: Routing
    let experts: [FeedForwardWeights]
}

enum FeedForward {
    case dense(FeedForwardWeights)
    case moe(MoEWeights)
}

struct LayerWeights {
    /// Layer index (for the observer's router reports).
    let index: Int
    let attentionNorm: [Float]
    let attention: AttentionWeights
    let ffnNorm: [Float]
    let ffn: FeedForward
}

/// All of a model's parameters, bound to their tensors in a ``TensorSource``.
struct ModelWeights {
    let embedding: WeightMatrix
    let layers: [LayerWeights]
    let finalNorm: [Float]
    let output: Linear
    /// llama.cpp's `rope_freqs` (llama3 scaling stored as a tensor), when present.
    let ropeFrequencyFactors: [Float]?
}

/// Looks tensors up by name and checks their shapes as it binds them; every error names the tensor and the file.
struct WeightBinder {
    let source: TensorSource
    let byName: [String: TensorInfo]

    init(_ source: TensorSource) {
        self.source = source
        var m: [String: TensorInfo] = [:]
        for t in source.tensors { m[t.name] = t }
        byName = m
    }

    var file: String { source.path }

    func has(_ name: String) -> Bool { byName[name] != nil }

    func info(_ name: String, shape: [Int]) throws -> TensorInfo {
        guard let t = byName[name] else { throw InferenceError.missingTensor(name: name, file: file) }
        guard t.shape == shape else { throw InferenceError.shapeMismatch(name: name, file: file, expected: shape, found: t.shape) }
        return t
    }

    /// A `[rows, cols]` matrix stored row by row in any decodable type.
    func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
        let t = try info(name, shape: [rows, cols])
        return try WeightMatrix(source: source, rows: rows, cols: cols, storage: .rows(type: t.type, tensor: name, offset: 0))
    }

    /// Expert `e` of a stacked `[E, rows, cols]` tensor.
    func expertMatrix(_ name: String, expert e: Int, experts: Int, rows: Int, cols: Int) throws -> WeightMatrix {
        let t = try info(name, shape: [experts, rows, cols])
        let bytes = try t.type.byteCount(shape: [rows, cols])
        return try WeightMatrix(source: source, rows: rows, cols: cols, storage: .rows(type: t.type, tensor: name, offset: e * bytes))
    }

    /// Expert `e` of a stacked `[E, in, out]` tensor (transposed storage), seen as `[out, in]`.
    func expertMatrixTransposed(_ name: String, expert e: Int, experts: Int, out: Int, in inF: Int) throws -> WeightMatrix {
        let t = try info(name, shape: [experts, inF, out])
        let bytes = try t.type.byteCount(shape: [inF, out])
        return try WeightMatrix(source: source, rows: out, cols: inF, storage: .columns(type: t.type, tensor: name, offset: e * bytes))
    }

    /// Expert `e` of transformers' MXFP4 pair of `prefix` (`TensorMap.mxfp4Pair`: blocks `[E, out, in/32, 16]`, scales `[E, out, in/32]`).
    func expertMXFP4(_ prefix: String, expert e: Int, experts: Int, out: Int, in inF: Int) throws -> WeightMatrix {
        guard inF % 32 == 0 else {
            throw InferenceError.badConfig(key: prefix, file: file, message: "MXFP4 rows of \(inF) are not a multiple of 32")
        }
        let g = inF / 32
        let pair = TensorMap.mxfp4Pair(prefix)
        let b = try info(pair.blocks, shape: [experts, out, g, 16])
        let s = try info(pair.scales, shape: [experts, out, g])
        for t in [b, s] where t.type != .u8 {
            throw InferenceError.unsupportedType(name: t.name, file: file, type: t.type.displayName, supported: ["U8"])
        }
        return try WeightMatrix(source: source, rows: out, cols: inF,
                                storage: .mxfp4Split(blocks: b.name, blocksOffset: e * out * g * 16,
                                                     scales: s.name, scalesOffset: e * out * g))
    }

    /// A 1-D tensor of `count` floats (norms, biases, sinks), decoded now.
    func vector(_ name: String, count: Int) throws -> [Float] {
        try vectorSlice(name, shape: [count], offsetElements: 0, count: count)
    }

    /// Row `e` of a `[E, count]` tensor (per-expert biases).
    func expertVector(_ name: String, expert e: Int, experts: Int, count: Int) throws -> [Float] {
        try vectorSlice(name, shape: [experts, count], offsetElements: e * count, count: count)
    }

    private func vectorSlice(_ name: String, shape: [Int], offsetElements: Int, count: Int) throws -> [Float] {
        let t = try info(name, shape: shape)
        guard RowDecoder.isPlain(t.type) else {
            throw InferenceError.unsupportedType(name: name, file: file, type: t.type.displayName,
                                                 supported: RowDecoder.plainTypes.map(\.displayName))
        }
        var out = [Float](repeating: 0, count: count)
        try source.withBytes(of: name) { b in
            let es = t.type.blockBytes
            guard b.count >= (offsetElements + count) * es else {
                throw InferenceError.shapeMismatch(name: name, file: file, expected: shape, found: [b.count / es])
            }
            out.withUnsafeMutableBufferPointer { ElementConversion.toFloat(t.type, b.baseAddress! + offsetElements * es, $0.baseAddress!, count: count) }
        }
        return out
    }

    func optionalVector(_ name: String, count: Int) throws -> [Float]? {
        has(name) ? try vector(name, count: count) : nil
    }

    func linear(_ name: String, out: Int, in inF: Int, bias: String? = nil, requireBias: Bool = false,
                observedAs: String) throws -> Linear {
        let w = try matrix(name, rows: out, cols: inF)
        var b: [Float]? = nil
        if let bias { b = requireBias ? try vector(bias, count: out) : try optionalVector(bias, count: out) }
        return Linear(weight: w, bias: b, names: [observedAs])
    }
}
