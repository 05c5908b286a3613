import Foundation
import IngotCore
import IngotModel

/// A loaded decoder (llama, Mixtral or gpt-oss) ready to run: its spec, its weights bound in their stored types,
/// and the forward pass over a batch of tokens with a KV cache (shared/docs/models.md §3.1).
public final class Transformer {
    public let spec: ModelSpec
    /// The container the weights are read from (kept alive: the weights point into it).
    public let source: TensorSource
    let weights: ModelWeights
    let rope: RoPE
    /// The feed-forward activation the architecture uses.
    let gate: FeedForwardKernel.Gate
    /// Threads for matrix products and attention heads (cores by default).
    public var threads: Int

    /// Tensor naming convention of a container.
    public typealias Naming = TensorWorld

    /// Binds `spec`'s tensors in `source` through its architecture's tensor map; fails naming the first missing or
    /// mis-shaped tensor.
    public convenience init(spec: ModelSpec, source: TensorSource, naming: Naming, threads: Int = Parallel.coreCount) throws {
        guard let arch = spec.architectureDescription else {
            throw InferenceError.unsupportedArchitecture(spec.architecture.rawValue, file: source.path,
                                                         supported: ArchitectureRegistry.all.map(\.id.rawValue))
        }
        try self.init(spec: spec, architecture: arch, source: source, naming: naming, threads: threads)
    }

    /// Binds `spec`'s tensors through `architecture`'s tensor map (a description need not be registered).
    public init(spec: ModelSpec, architecture arch: any ArchitectureDescription, source: TensorSource, naming: Naming,
                threads: Int = Parallel.coreCount) throws {
        self.spec = spec
        self.source = source
        self.threads = max(1, threads)
        gate = arch.gate == .clampedSwiglu ? .gptOss(alpha: spec.swigluAlpha, limit: spec.swigluLimit) : .swiglu
        weights = try ModelWeights.bind(spec, arch, world: naming, WeightBinder(source))
        let scaling = weights.ropeFrequencyFactors.map { RopeScaling.frequencyFactors($0) } ?? spec.ropeScaling
        rope = RoPE(headDim: spec.headDim, theta: spec.ropeTheta, scaling: scaling, style: spec.ropeStyle)
        BLAS.setThreads(1)
    }

    /// A transformers checkpoint: `config` is config.json's bytes.
    public convenience init(huggingFaceConfig config: Data, source: TensorSource, threads: Int = Parallel.coreCount) throws {
        let spec = try ModelSpec.fromHFConfig(config, file: source.path + " (config.json)")
        try self.init(spec: spec, source: source, naming: .huggingFace, threads: threads)
    }

    /// A llama.cpp GGUF: the spec comes from its metadata.
    public convenience init(ggufSource source: TensorSource, threads: Int = Parallel.coreCount) throws {
        let spec = try ModelSpec.fromGGUF(source.metadata, tensors: source.tensors, file: source.path)
        try self.init(spec: spec, source: source, naming: .gguf, threads: threads)
    }

    /// A KV cache sized for this model.
    public func makeCache(capacity: Int) -> KVCache { KVCache(spec: spec, capacity: capacity) }

    /// Runs `tokens` at positions `cache.length ..< cache.length + tokens.count`, appending to the cache, and returns
    /// the logits `[logitRows.count, vocab]` of the rows `logitRows` of this batch (no other row pays for the output layer).
    /// `observer`, when given, sees every weight product's input rows and every router decision (nothing is copied
    /// for it; without one the pass is unchanged).
    public func forward(_ tokens: [Int32], cache: KVCache, logitRows: Range<Int>,
                        observer: ForwardObserver? = nil) throws -> [Float] {
        let T = tokens.count
        guard T > 0 else { return [] }
        let start = cache.length
        guard start + T <= cache.capacity else {
            throw InferenceError.badInput("context full: \(start) + \(T) tokens exceed the KV cache of \(cache.capacity)")
        }
        precondition(logitRows.lowerBound >= 0 && logitRows.upperBound <= T)
        let V = spec.vocabSize, H = spec.hiddenSize, d = spec.headDim
        for (i, t) in tokens.enumerated() where t < 0 || Int(t) >= V {
            throw InferenceError.badInput("token \(t) at position \(start + i) is outside the vocabulary of \(V)")
        }
        let qOut = spec.heads * d, kvOut = spec.kvHeads * d
        var x = try embed(tokens)
        var h = [Float](repeating: 0, count: T * H)
        var q = [Float](repeating: 0, count: T * qOut), k = [Float](repeating: 0, count: T * kvOut), v = k
        var att = [Float](repeating: 0, count: T * qOut)
        let (cosT, sinT) = rope.tables(positions: start..<(start + T))
        let scale = 1 / Float(d).squareRoot()

        try x.withUnsafeMutableBufferPointer { xp in
            let xb = xp.baseAddress!
            try h.withUnsafeMutableBufferPointer { hp in
                let hb = hp.baseAddress!
                for (l, lw) in weights.layers.enumerated() {
                    // Attention block.
                    lw.attentionNorm.withUnsafeBufferPointer { RMSNorm.forward(xb, weight: $0.baseAddress!, rows: T, n: H, eps: spec.rmsEps, into: hb) }
                    let a = lw.attention
                    try q.withUnsafeMutableBufferPointer { qp in
                        try k.withUnsafeMutableBufferPointer { kp in
                            try v.withUnsafeMutableBufferPointer { vp in
                                try a.q.forward(hb, rows: T, ldx: H, into: qp.baseAddress!, ldy: qOut, threads: threads, observer: observer)
                                try a.k.forward(hb, rows: T, ldx: H, into: kp.baseAddress!, ldy: kvOut, threads: threads, observer: observer)
                                try a.v.forward(hb, rows: T, ldx: H, into: vp.baseAddress!, ldy: kvOut, threads: threads, observer: observer)
                                rope.apply(qp.baseAddress!, tokens: T, heads: spec.heads, ld: qOut, cos: cosT, sin: sinT)
                                rope.apply(kp.baseAddress!, tokens: T, heads: spec.kvHeads, ld: kvOut, cos: cosT, sin: sinT)
                                cache.store(layer: l, k: kp.baseAddress!, v: vp.baseAddress!, start: start, tokens: T)
                            }
                        }
                    }
                    let shape = AttentionShape(heads: spec.heads, kvHeads: spec.kvHeads, headDim: d, scale: scale,
                                               window: spec.isSliding(l) ? spec.slidingWindow : nil)
                    q.withUnsafeBufferPointer { qp in
                        cache.keys[l].withUnsafeBufferPointer { kc in
                            cache.values[l].withUnsafeBufferPointer { vc in
                                att.withUnsafeMutableBufferPointer { op in
                                    let sinks = a.sinks
                                    if let sinks {
                                        sinks.withUnsafeBufferPointer { sp in
                                            Attention.forward(q: qp.baseAddress!, k: kc.baseAddress!, v: vc.baseAddress!, capacity: cache.capacity,
                                                              start: start, tokens: T, shape: shape, sinks: sp.baseAddress!,
                                                              out: op.baseAddress!, threads: threads)
                                        }
                                    } else {
                                        Attention.forward(q: qp.baseAddress!, k: kc.baseAddress!, v: vc.baseAddress!, capacity: cache.capacity,
                                                          start: start, tokens: T, shape: shape, sinks: nil,
                                                          out: op.baseAddress!, threads: threads)
                                    }
                                }
                            }
                        }
                    }
                    try att.withUnsafeBufferPointer { ap in
                        try a.o.forward(ap.baseAddress!, rows: T, ldx: qOut, into: xb, ldy: H, accumulate: true,
                                        threads: threads, observer: observer)
                    }
                    // Feed-forward block.
                    lw.ffnNorm.withUnsafeBufferPointer { RMSNorm.forward(xb, weight: $0.baseAddress!, rows: T, n: H, eps: spec.rmsEps, into: hb) }
                    switch lw.ffn {
                    case let .dense(f):
                        try FeedForwardKernel.expert(f, x: hb, rows: T, gate: gate, scales: nil, out: xb, ldOut: H,
                                                     threads: threads, observer: observer)
                    case let .moe(m):
                        try FeedForwardKernel.moe(m, x: hb, rows: T, hidden: H, k: spec.expertsPerToken, gate: gate, out: xb,
                                                  threads: threads, observer: observer, layer: lw.index, start: start)
                    }
                }
            }
        }
        cache.advance(to: start + T)

        // Final norm and output layer, only for the rows asked for.
        let R = logitRows.count
        guard R > 0 else { return [] }
        var logits = [Float](repeating: 0, count: R * V)
        try x.withUnsafeBufferPointer { xp in
            try h.withUnsafeMutableBufferPointer { hp in
                weights.finalNorm.withUnsafeBufferPointer {
                    RMSNorm.forward(xp.baseAddress! + logitRows.lowerBound * H, weight: $0.baseAddress!, rows: R, n: H, eps: spec.rmsEps, into: hp.baseAddress!)
                }
                try logits.withUnsafeMutableBufferPointer { lp in
                    try weights.output.forward(hp.baseAddress!, rows: R, ldx: H, into: lp.baseAddress!, ldy: V,
                                               threads: threads, observer: observer)
                }
            }
        }
        return logits
    }

    /// Embedding rows for `tokens` (no scaling), decoded from the stored type.
    func embed(_ tokens: [Int32]) throws -> [Float] {
        let H = spec.hiddenSize, w = weights.embedding
        var x = [Float](repeating: 0, count: tokens.count * H)
        try w.withBytes { bytes in
            x.withUnsafeMutableBufferPointer { xp in
                for (i, t) in tokens.enumerated() { w.decodeRows(Int(t)..<(Int(t) + 1), into: xp.baseAddress! + i * H, bytes: bytes) }
            }
        }
        return x
    }
}
