import Foundation

/// The MLP and mixture-of-experts blocks (shared/docs/models.md §3.5–3.7).
enum FeedForwardKernel {
    /// Which gated activation the experts use.
    enum Gate {
        case swiglu
        case gptOss(alpha: Float, limit: Float)
    }

    /// `out[T, H] += scale_t · down(act(gate(x), up(x)))` for one expert (or the dense MLP) on `T` rows of `x`.
    /// - Parameters:
    ///   - scales: per-row weight of this expert's output, or nil for 1 (the dense MLP accumulates straight into `out`).
    static func expert(_ w: FeedForwardWeights, x: UnsafePointer<Float>, rows T: Int, gate act: Gate,
                       scales: [Float]?, out: UnsafeMutablePointer<Float>, ldOut: Int, threads: Int,
                       observer: ForwardObserver? = nil) throws {
        let H = w.down.outFeatures, I = w.down.inFeatures
        var g = [Float](repeating: 0, count: T * I), u = g
        try g.withUnsafeMutableBufferPointer { gp in
            try u.withUnsafeMutableBufferPointer { up in
                switch w.gateUp {
                case let .separate(gate, upL):
                    try gate.forward(x, rows: T, ldx: H, into: gp.baseAddress!, ldy: I, threads: threads, observer: observer)
                    try upL.forward(x, rows: T, ldx: H, into: up.baseAddress!, ldy: I, threads: threads, observer: observer)
                case let .interleaved(gu):
                    var both = [Float](repeating: 0, count: T * 2 * I)
                    try both.withUnsafeMutableBufferPointer { bp in
                        try gu.forward(x, rows: T, ldx: H, into: bp.baseAddress!, ldy: 2 * I, threads: threads, observer: observer)
                        for t in 0..<T {
                            for i in 0..<I {
                                gp[t * I + i] = bp[t * 2 * I + 2 * i]
                                up[t * I + i] = bp[t * 2 * I + 2 * i + 1]
                            }
                        }
                    }
                }
                switch act {
                case .swiglu: Activation.swiglu(gate: gp.baseAddress!, up: up.baseAddress!, count: T * I)
                case let .gptOss(alpha, limit):
                    Activation.gptOssGLU(gate: gp.baseAddress!, up: up.baseAddress!, count: T * I, alpha: alpha, limit: limit)
                }
                if let scales {
                    // Weighted experts: compute the output apart, then add it scaled (weight multiplies the output, bias included).
                    var y = [Float](repeating: 0, count: T * H)
                    try y.withUnsafeMutableBufferPointer { yp in
                        try w.down.forward(gp.baseAddress!, rows: T, ldx: I, into: yp.baseAddress!, ldy: H, threads: threads,
                                           observer: observer)
                        for t in 0..<T {
                            let s = scales[t], o = out + t * ldOut, yr = yp.baseAddress! + t * H
                            for j in 0..<H { o[j] += s * yr[j] }
                        }
                    }
                } else {
                    try w.down.forward(gp.baseAddress!, rows: T, ldx: I, into: out, ldy: ldOut, accumulate: true,
                                       threads: threads, observer: observer)
                }
            }
        }
    }

    /// Chooses `k` experts and their weights from one token's router logits.
    /// Ties go to the lower expert index, as the reference does.
    static func route(_ logits: UnsafePointer<Float>, experts E: Int, k: Int, routing: Routing) -> [(expert: Int, weight: Float)] {
        func topK(_ v: [Float]) -> [Int] {
            // Stable: sort indices by value descending, index ascending.
            Array((0..<E).sorted { v[$0] != v[$1] ? v[$0] > v[$1] : $0 < $1 }.prefix(k))
        }
        let raw = (0..<E).map { logits[$0] }
        switch routing {
        case .softmaxThenTopK:
            let m = raw.max()!
            let e = raw.map { expf($0 - m) }
            let s = e.reduce(0, +)
            let p = e.map { $0 / s }
            let top = topK(p)
            let sum = top.reduce(Float(0)) { $0 + p[$1] }
            return top.map { ($0, p[$0] / sum) }
        case .topKThenSoftmax:
            let top = topK(raw)
            let m = top.map { raw[$0] }.max()!
            let e = top.map { expf(raw[$0] - m) }
            let s = e.reduce(0, +)
            return zip(top, e).map { ($0, $1 / s) }
        }
    }

    /// Mixture of experts on `T` rows: route every token, group the tokens of each expert into one matrix so BLAS
    /// multiplies them together, and add each expert's weighted output into `out`.
    static func moe(_ w: MoEWeights, x: UnsafePointer<Float>, rows T: Int, hidden H: Int, k: Int, gate act: Gate,
                    out: UnsafeMutablePointer<Float>, threads: Int, observer: ForwardObserver? = nil, layer: Int = 0,
                    start: Int = 0) throws {
        let E = w.experts.count
        var logits = [Float](repeating: 0, count: T * E)
        try logits.withUnsafeMutableBufferPointer { lp in
            try w.router.forward(x, rows: T, ldx: H, into: lp.baseAddress!, ldy: E, threads: threads, observer: observer)
        }
        var rowsOf = [[Int]](repeating: [], count: E), weightsOf = [[Float]](repeating: [], count: E)
        logits.withUnsafeBufferPointer { lp in
            for t in 0..<T {
                let sel = route(lp.baseAddress! + t * E, experts: E, k: k, routing: w.routing)
                observer?.routed(layer: layer, position: start + t, choices: sel)
                for (e, wt) in sel { rowsOf[e].append(t); weightsOf[e].append(wt) }
            }
        }
        for e in 0..<E where !rowsOf[e].isEmpty {
            let rows = rowsOf[e]
            var xe = [Float](repeating: 0, count: rows.count * H)
            xe.withUnsafeMutableBufferPointer { xp in
                for (i, t) in rows.enumerated() { (xp.baseAddress! + i * H).update(from: x + t * H, count: H) }
            }
            var ye = [Float](repeating: 0, count: rows.count * H)
            try xe.withUnsafeBufferPointer { xp in
                try ye.withUnsafeMutableBufferPointer { yp in
                    try expert(w.experts[e], x: xp.baseAddress!, rows: rows.count, gate: act, scales: weightsOf[e],
                               out: yp.baseAddress!, ldOut: H, threads: threads, observer: observer)
                }
            }
            for (i, t) in rows.enumerated() {
                let o = out + t * H
                for j in 0..<H { o[j] += ye[i * H + j] }
            }
        }
    }
}
