/// Watches a forward pass: the input rows of every weight product and every router decision. Calibration
/// (importance matrices: Σx² per column and token counts, per expert), router statistics and REAP saliency are
/// observers, not forks of the forward pass.
///
/// Tensors are named by their GGUF name (`blk.3.attn_q.weight`, `blk.0.ffn_up_exps.weight`) whatever world the model
/// was loaded from; `expert` is the index into a stacked MoE tensor. A nil observer costs one nil check per product.
public protocol ForwardObserver: AnyObject {
    /// The `rows.count` input rows (each `rows.cols` wide) of `y = x · Wᵀ` for tensor `tensor`, valid only during
    /// the call. For an expert they are the rows routed to it, in token order.
    func matmulInput(tensor: String, expert: Int?, rows: ObservedRows)
    /// The router of `layer` chose `choices` (expert, weight) for the token at absolute position `position`.
    func routed(layer: Int, position: Int, choices: [(expert: Int, weight: Float)])
}

/// A borrowed view of `count` rows of `cols` floats, `stride` floats apart (no copy is made for an observer).
public struct ObservedRows {
    public let base: UnsafePointer<Float>
    public let count: Int
    public let cols: Int
    public let stride: Int

    /// Row `i` (`0 ..< count`).
    public subscript(i: Int) -> UnsafeBufferPointer<Float> {
        precondition(i >= 0 && i < count)
        return UnsafeBufferPointer(start: base + i * stride, count: cols)
    }
}

extension Linear {
    /// `y[T, out] = x[T, in] · Wᵀ + b` (optionally accumulated), reporting the input rows to `observer` first.
    func forward(_ x: UnsafePointer<Float>, rows T: Int, ldx: Int, into y: UnsafeMutablePointer<Float>, ldy: Int,
                 accumulate: Bool = false, threads: Int, observer: ForwardObserver?) throws {
        if let observer, T > 0 {
            let rows = ObservedRows(base: x, count: T, cols: inFeatures, stride: ldx)
            for n in names { observer.matmulInput(tensor: n, expert: expert, rows: rows) }
        }
        try MatMul.forward(x, rows: T, ldx: ldx, weight: weight, bias: bias, into: y, ldy: ldy, accumulate: accumulate,
                           threads: threads)
    }
}
