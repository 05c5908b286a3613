import IngotCore
import IngotModel

extension ModelWeights {
    /// Binds a container's tensors through the architecture's tensor map, in either naming world
    /// (shared/docs/models.md §3.1, §3.5–3.7; shared/docs/gguf-and-quants.md §8.3). The world's layout differences
    /// come from the map: per-expert vs stacked vs fused-transposed experts, transformers' MXFP4 blocks+scales pair,
    /// Q/K row order (the spec's `ropeStyle`), tied embeddings, `rope_freqs`. Every Linear is named by its GGUF
    /// tensor for the observer.
    /// The roles this forward pass computes with. A map naming any other (a q/k norm, a sandwich norm) is refused
    /// at load rather than run without it: a new kind of tensor needs its operation here first.
    static let implementedRoles: Set<TensorRole> = [
        .tokenEmbedding, .outputNorm, .output, .ropeFrequencies, .attentionNorm, .attentionQ, .attentionK, .attentionV,
        .attentionOutput, .attentionSinks, .ffnNorm, .ffnGate, .ffnUp, .ffnDown, .router, .expertsGate, .expertsUp,
        .expertsDown,
    ]

    static func bind(_ spec: ModelSpec, _ arch: any ArchitectureDescription, world: TensorWorld,
                     _ b: WeightBinder) throws -> ModelWeights {
        let map = arch.tensors
        if let e = map.entries.first(where: { !implementedRoles.contains($0.role) }) {
            throw InferenceError.unsupportedArchitecture(
                "\(arch.id) (tensor role \(e.role), \(map.ggufName(e.role, e.part, layer: e.perLayer ? 0 : nil)))",
                file: b.file, supported: implementedRoles.map(\.rawValue).sorted())
        }
        let gguf = world == .gguf
        let H = spec.hiddenSize, I = spec.intermediateSize, E = spec.experts
        let qOut = spec.heads * spec.headDim, kvOut = spec.kvHeads * spec.headDim

        /// The container's name for a role (nil when this world has no such tensor).
        func stored(_ role: TensorRole, _ part: TensorPart = .weight, layer: Int?, expert: Int? = nil) -> String? {
            gguf ? map.ggufName(role, part, layer: layer) : map.hfName(role, part, layer: layer, expert: expert)
        }
        func name(_ role: TensorRole, _ part: TensorPart = .weight, layer: Int?) throws -> String {
            guard let n = stored(role, part, layer: layer) else {
                throw InferenceError.missingTensor(name: map.ggufName(role, part, layer: layer), file: b.file)
            }
            return n
        }
        /// A Linear; `bias` says whether its bias is looked up: GGUF files are asked for every bias they may have,
        /// checkpoints only for those their config declares (`attention_bias`, `mlp_bias`) or their map requires.
        func linear(_ role: TensorRole, layer: Int?, out: Int, in inF: Int, bias: Bool, requireBias: Bool = false) throws -> Linear {
            let biasName = bias ? stored(role, .bias, layer: layer) : nil
            return try b.linear(try name(role, layer: layer), out: out, in: inF, bias: biasName,
                                requireBias: requireBias && !gguf, observedAs: map.ggufName(role, layer: layer))
        }
        func vector(_ role: TensorRole, layer: Int?, count: Int) throws -> [Float] {
            try b.vector(try name(role, layer: layer), count: count)
        }

        var layers: [LayerWeights] = []
        for l in 0..<spec.layers {
            let ab = gguf || spec.attentionBias
            let attn = AttentionWeights(
                q: try linear(.attentionQ, layer: l, out: qOut, in: H, bias: ab),
                k: try linear(.attentionK, layer: l, out: kvOut, in: H, bias: ab),
                v: try linear(.attentionV, layer: l, out: kvOut, in: H, bias: ab),
                o: try linear(.attentionOutput, layer: l, out: H, in: qOut, bias: ab),
                sinks: map.entry(.attentionSinks) != nil ? try vector(.attentionSinks, layer: l, count: spec.heads) : nil)
            let ffn: FeedForward
            if E == 0 {
                let mb = gguf || spec.mlpBias
                ffn = .dense(FeedForwardWeights(
                    gateUp: .separate(gate: try linear(.ffnGate, layer: l, out: I, in: H, bias: mb),
                                      up: try linear(.ffnUp, layer: l, out: I, in: H, bias: mb)),
                    down: try linear(.ffnDown, layer: l, out: H, in: I, bias: mb)))
            } else {
                let routerBias = gguf || map.entry(.router, .bias) != nil
                let experts = try (0..<E).map { e in
                    try gguf ? stackedExpert(map, b, layer: l, expert: e, experts: E, H: H, I: I)
                        : checkpointExpert(map, b, layer: l, expert: e, experts: E, H: H, I: I)
                }
                ffn = .moe(MoEWeights(router: try linear(.router, layer: l, out: E, in: H, bias: routerBias, requireBias: true),
                                      routing: arch.router, experts: experts))
            }
            layers.append(LayerWeights(index: l, attentionNorm: try vector(.attentionNorm, layer: l, count: H),
                                       attention: attn, ffnNorm: try vector(.ffnNorm, layer: l, count: H), ffn: ffn))
        }
        let embedName = try name(.tokenEmbedding, layer: nil)
        let embed = try b.matrix(embedName, rows: spec.vocabSize, cols: H)
        let outputName = stored(.output, layer: nil)
        let output: WeightMatrix
        if let outputName, b.has(outputName) || !spec.tieEmbeddings {
            output = try b.matrix(outputName, rows: spec.vocabSize, cols: H)
        } else {
            output = embed
        }
        let freqs = gguf ? try b.optionalVector(map.ggufName(.ropeFrequencies, layer: nil), count: spec.headDim / 2) : nil
        return ModelWeights(embedding: embed, layers: layers,
                            finalNorm: try vector(.outputNorm, layer: nil, count: H),
                            output: Linear(weight: output, bias: nil, names: [map.ggufName(.output, layer: nil)]),
                            ropeFrequencyFactors: freqs)
    }

    /// Expert `e` of a GGUF's stacked `[E, rows, cols]` tensors (biases all or none, as the gate's says).
    private static func stackedExpert(_ map: TensorMap, _ b: WeightBinder, layer l: Int, expert e: Int, experts E: Int,
                                      H: Int, I: Int) throws -> FeedForwardWeights {
        let biased = b.has(map.ggufName(.expertsGate, .bias, layer: l))
        func lin(_ role: TensorRole, out: Int, in inF: Int) throws -> Linear {
            let n = map.ggufName(role, layer: l)
            return Linear(weight: try b.expertMatrix(n, expert: e, experts: E, rows: out, cols: inF),
                          bias: biased ? try b.expertVector(map.ggufName(role, .bias, layer: l), expert: e, experts: E, count: out) : nil,
                          names: [n], expert: e)
        }
        return FeedForwardWeights(gateUp: .separate(gate: try lin(.expertsGate, out: I, in: H), up: try lin(.expertsUp, out: I, in: H)),
                                  down: try lin(.expertsDown, out: H, in: I))
    }

    /// Expert `e` of a checkpoint, as its map stores it: one tensor per expert (Mixtral), or fused `[E, in, out]`
    /// tensors with gate/up interleaved (gpt-oss; transformers' MXFP4 blocks+scales pair when present).
    private static func checkpointExpert(_ map: TensorMap, _ b: WeightBinder, layer l: Int, expert e: Int, experts E: Int,
                                         H: Int, I: Int) throws -> FeedForwardWeights {
        guard let gateEntry = map.entry(.expertsGate), let upEntry = map.entry(.expertsUp),
              let downEntry = map.entry(.expertsDown) else {
            throw InferenceError.missingTensor(name: map.ggufName(.expertsGate, layer: l), file: b.file)
        }
        func gguf(_ role: TensorRole) -> String { map.ggufName(role, layer: l) }
        func full(_ n: String) -> String { TensorMap.hfLayerPrefix + "\(l)." + n }
        /// One expert's `[out, in]` view of a fused tensor, MXFP4 pair or transposed float storage.
        func fused(_ n: String, out: Int, in inF: Int) throws -> WeightMatrix {
            b.has(TensorMap.mxfp4Pair(full(n)).blocks)
                ? try b.expertMXFP4(full(n), expert: e, experts: E, out: out, in: inF)
                : try b.expertMatrixTransposed(full(n), expert: e, experts: E, out: out, in: inF)
        }
        /// The per-expert bias of a role, when the map has one.
        func bias(_ role: TensorRole, count: Int) throws -> [Float]? {
            guard let entry = map.entry(role, .bias) else { return nil }
            switch entry.hf {
            case .plain(let n), .fusedExpertBias(let n, _):
                return try b.expertVector(full(n), expert: e, experts: E, count: count)
            default:
                return nil
            }
        }
        let down: Linear
        switch downEntry.hf {
        case .perExpert:
            down = Linear(weight: try b.matrix(map.hfName(.expertsDown, layer: l, expert: e)!, rows: H, cols: I),
                          bias: nil, names: [gguf(.expertsDown)], expert: e)
        case .fusedExperts(let n, _):
            down = Linear(weight: try fused(n, out: H, in: I), bias: try bias(.expertsDown, count: H),
                          names: [gguf(.expertsDown)], expert: e)
        default:
            throw InferenceError.missingTensor(name: gguf(.expertsDown), file: b.file)
        }
        switch (gateEntry.hf, upEntry.hf) {
        case (.fusedExperts(let n, 0?), .fusedExperts(let m, 1?)) where n == m:
            // One `[2I, H]` product whose even rows are gate and odd rows up; its bias `[2I]` interleaves the same way.
            let gateBias: [Float]?
            if case .fusedExpertBias(let bn, _)? = map.entry(.expertsGate, .bias)?.hf {
                gateBias = try b.expertVector(full(bn), expert: e, experts: E, count: 2 * I)
            } else {
                gateBias = nil
            }
            let gu = Linear(weight: try fused(n, out: 2 * I, in: H), bias: gateBias,
                            names: [gguf(.expertsGate), gguf(.expertsUp)], expert: e)
            return FeedForwardWeights(gateUp: .interleaved(gu), down: down)
        default:
            func lin(_ role: TensorRole, out: Int, in inF: Int) throws -> Linear {
                guard let n = map.hfName(role, layer: l, expert: e) else {
                    throw InferenceError.missingTensor(name: gguf(role), file: b.file)
                }
                return Linear(weight: try b.matrix(n, rows: out, cols: inF), bias: nil, names: [gguf(role)], expert: e)
            }
            return FeedForwardWeights(gateUp: .separate(gate: try lin(.expertsGate, out: I, in: H),
                                                        up: try lin(.expertsUp, out: I, in: H)),
                                      down: down)
        }
    }
}
